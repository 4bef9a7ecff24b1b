/**
 * The three metric charts (reward, reverse KL, forward KL) as braille chart specs, built from a
 * snapshot. Pure, no ink: the live TUI and the static report draw the same charts.
 */
import { METRIC } from "../core/metric-row.js";
import { fieldIndex } from "../sim/record.js";
import type { SimSnapshot } from "../sim/simulation.js";
import type { ChartReference, ChartSeries, ChartSpec } from "./chart/braille.js";
import { formatValue } from "./number-format.js";
import { COLORS } from "./palette.js";

export const CHART_TITLES = {
  reward: "reward",
  reverseKL: "reverse KL(π‖π_ref)",
  forwardKL: "forward KL(π_ref‖π)",
} as const;

type Column = "step" | "reward" | "gold_reward" | "reverse_kl" | "forward_kl" | "kl_estimate";

/**
 * The history's columns for the charts. The decimated history may end before the current step,
 * so the current point is appended.
 */
function columnsOf(snap: SimSnapshot): (name: Column) => Float64Array {
  const steps = snap.history[fieldIndex("step")] ?? new Float64Array(0);
  const append = !snap.failure && (snap.historyLength === 0 || steps[snap.historyLength - 1] !== snap.step);
  const m = snap.metrics;
  const current: Record<Column, number> = {
    step: snap.step,
    reward: m.reward,
    gold_reward: m.goldReward ?? NaN,
    reverse_kl: m.reverseKL,
    forward_kl: m.forwardKL,
    kl_estimate: snap.klEstimate ?? NaN,
  };
  return (name) => {
    const values = snap.history[fieldIndex(name)] ?? new Float64Array(0);
    if (!append) return values;
    const out = new Float64Array(values.length + 1);
    out.set(values);
    out[values.length] = current[name];
    return out;
  };
}

/** A legend entry: a series with its current value, or a dashed reference line. */
type Entry = { series?: ChartSeries; value?: number; reference?: ChartReference; optional?: boolean };

/**
 * [reward, reverse KL, forward KL] for the given width and three heights. In sampled mode pass the
 * estimator's name (k1, k2, k3, abs, full): the per-batch KL estimate is drawn beside the exact KL(π‖π_ref).
 */
export function metricCharts(snap: SimSnapshot, width: number, heights: readonly number[], estimator?: string): ChartSpec[] {
  const now = snap.metrics;
  const column = columnsOf(snap);
  const xs = column("step");
  const estimate = estimator && Number.isFinite(latestEstimate(snap)) ? { ys: column("kl_estimate"), last: latestEstimate(snap) } : null;

  const best = snap.optimum.metrics;
  // the KL chart that shows the penalty itself, when it is one of the two KLs
  const penalised = (kl: number) => (snap.penalty.sameAs === kl ? " · penalty" : "");

  const reward: Entry[] = [
    { series: { label: "proxy", color: COLORS.reward, xs, ys: column("reward") }, value: now.reward },
    { reference: { label: "π*", color: COLORS.optimum, y: best.reward } },
  ];
  if (now.goldReward !== null && best.goldReward !== null) {
    reward.splice(1, 0, { series: { label: "gold", color: COLORS.gold, xs, ys: column("gold_reward") }, value: now.goldReward });
    reward.push({ reference: { label: "π* gold", color: COLORS.optimumGold, y: best.goldReward }, optional: true });
  }
  return [
    chart(CHART_TITLES.reward, reward, width, heights[0] ?? 8),
    chart(
      CHART_TITLES.reverseKL + penalised(METRIC.reverse_kl),
      [
        // The noisy estimate first, so the exact KL is drawn over it.
        ...(estimate ? [{ series: { label: `est ${estimator}`, color: COLORS.estimate, xs, ys: estimate.ys }, value: estimate.last }] : []),
        { series: { label: "π", color: COLORS.reverseKL, xs, ys: column("reverse_kl") }, value: now.reverseKL },
        { reference: { label: "π*", color: COLORS.optimum, y: best.reverseKL } },
      ],
      width,
      heights[1] ?? 8,
      estimate ? undefined : 0, // k1 estimates can be negative
    ),
    chart(
      CHART_TITLES.forwardKL + penalised(METRIC.forward_kl),
      [
        { series: { label: "π", color: COLORS.forwardKL, xs, ys: column("forward_kl") }, value: now.forwardKL },
        { reference: { label: "π*", color: COLORS.optimum, y: best.forwardKL } },
      ],
      width,
      heights[2] ?? 8,
      0,
    ),
  ];
}

/**
 * One chart whose legend fits its width: labels carry the current value ("proxy 0.7109") when
 * there is room, optional lines are dropped before that, and an infinite optimum (β = 0 under
 * forward KL) is named in the title because the renderer cannot draw it.
 */
function chart(title: string, entries: Entry[], width: number, height: number, yMin?: number): ChartSpec {
  const infinite = entries.filter((e) => e.reference && !Number.isFinite(e.reference.y));
  const fullTitle = title + infinite.map((e) => `  ${e.reference?.label} = ${formatValue(e.reference?.y ?? NaN)}`).join("");
  const drawable = entries.filter((e) => !infinite.includes(e));
  // On narrow charts, "reverse "/"forward " go before the values do: the KL(·‖·) says which is which.
  const shortTitle = fullTitle.replace(/^(reverse|forward) /, "");
  const required = drawable.filter((e) => !e.optional);
  const candidates: [string, Entry[]][] = [
    [fullTitle, withValues(drawable)],
    [fullTitle, withValues(required)],
    [shortTitle, withValues(required)],
    [shortTitle, required],
  ];
  const [chosenTitle, chosen] = candidates.find(([t, c]) => legendLength(t, c) <= width) ?? candidates[candidates.length - 1]!;
  const spec: ChartSpec = {
    title: chosenTitle,
    width,
    height,
    series: chosen.flatMap((e) => (e.series ? [e.series] : [])),
    references: chosen.flatMap((e) => (e.reference ? [e.reference] : [])),
    labelWidth: 6, // wide enough for "-1.07" or "1.2e-5": the stacked charts share a left edge
  };
  if (yMin !== undefined) spec.yMin = yMin; // a KL is ≥ 0: anchor the axis there so size reads honestly
  return spec;
}

/** Labels with the current value of each series and the optimum's value. */
function withValues(entries: Entry[]): Entry[] {
  return entries.map((e) => {
    if (e.series) return { ...e, series: { ...e.series, label: `${e.series.label} ${formatValue(e.value ?? NaN)}` } };
    if (e.reference) return { ...e, reference: { ...e.reference, label: `${e.reference.label} ${formatValue(e.reference.y)}` } };
    return e;
  });
}

/** The current sampled-mode KL estimate, or NaN (exact mode). */
export function latestEstimate(snap: SimSnapshot): number {
  return snap.klEstimate ?? NaN;
}

/** Columns the braille legend row takes: the title, then "  ━ label" per entry. */
function legendLength(title: string, entries: Entry[]): number {
  const labels = entries.map((e) => e.series?.label ?? e.reference?.label ?? "");
  return Array.from(title).length + labels.reduce((n, label) => n + 4 + Array.from(label).length, 0);
}
