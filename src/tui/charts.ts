/**
 * The charts as braille chart specs, built from a snapshot: the β(t) strip and the three metric
 * charts (reward, reverse KL, forward KL). Each shows the zoom window's steps, a mark where a key
 * changed β, the penalty or the estimator, and the optimum for the β and penalty in force at each
 * step. No ink (the optimum cache aside, pure): the live TUI and the static report draw the same.
 */
import { totalVariation } from "../core/information.js";
import type { PolicyMetrics } from "../core/metrics.js";
import { METRIC } from "../core/metric-row.js";
import type { Problem } from "../core/problem.js";
import type { SettingChange, SettingName } from "../sim/change-log.js";
import { fieldIndex } from "../sim/record.js";
import type { SimSnapshot } from "../sim/simulation.js";
import { LINE_STYLES, type ChartMarker, type ChartReference, type ChartSeries, type ChartSpec, type LineStyle } from "./chart/braille.js";
import { formatValue } from "./number-format.js";
import { lastAtOrBefore, optimumTrack } from "./optimum-track.js";
import { COLORS } from "./palette.js";
import type { PinnedRun } from "./state.js";
import { windowLabel, windowRange } from "./window.js";

export const CHART_TITLES = {
  reward: "reward",
  reverseKL: "reverse KL(π‖π_ref)",
  forwardKL: "forward KL(π_ref‖π)",
} as const;

/** Wide enough for "-1.07" or "1.2e-5": the stacked charts (and the β strip) share a left edge. */
export const LABEL_WIDTH = 6;

/** The mark on the step axis where a key changed each setting. */
export const CHANGE_MARKS: Readonly<Record<SettingName, string>> = { beta: "β", penalty: "D", estimator: "k" };

/** Line styles, so that the series differ without colour: measured solid, gold and estimates dotted, optima dashed. */
export const SERIES_STYLES = {
  measured: "solid",
  gold: "dotted",
  estimate: "dotted",
  optimum: "dashed",
  optimumGold: "dashdot",
  target: "dashdot",
  fixedPoint: "dotted",
  pinned: "sparse",
} as const satisfies Record<string, LineStyle>;

/** Default time a frame may spend on optima it has not seen (optimum-track.ts). */
export const FRAME_BUDGET_MS = 3;

export interface ChartOptions {
  problem: Problem;
  /** Sampled mode's estimator (k1, k2, k3, abs, full): the per-batch KL estimate is drawn beside KL(π‖π_ref). */
  estimator?: string | undefined;
  /** Key-made changes of β, the penalty or the estimator (the store's log). */
  changes?: readonly SettingChange[];
  /** Steps shown: the most recent `window`; null or absent, all. */
  window?: number | null;
  /** Log y-scale on the KL charts and the β strip (the reward chart has negative values: it stays linear). */
  log?: boolean;
  /** Time per frame for uncached optima; Infinity computes every point (the static report). */
  budgetMs?: number;
  /** A run pinned with `c`: drawn under the live curves, for comparison. */
  pinned?: PinnedRun | null;
}

type Column = "step" | "beta" | "reward" | "gold_reward" | "reverse_kl" | "forward_kl" | "kl_estimate";

/** The windowed history shared by a frame's charts. */
interface View {
  column: (name: Column) => Float64Array;
  range: [number, number];
  markers: ChartMarker[];
  xLabel: string | undefined;
}

// The last view made: the β strip and the metric charts of one frame share it. One entry, not a
// WeakMap per snapshot: a WeakMap's values outlive the young generation (ephemerons are cleared
// only by full collections), and a frame's columns are a few hundred kB.
let lastView: { snap: SimSnapshot; window: number | null; changes: readonly SettingChange[] | undefined; view: View } | null = null;

/** The frame's view, made once per snapshot, window and change log. */
function viewOf(snap: SimSnapshot, options: ChartOptions): View {
  const window = options.window ?? null;
  const cached = lastView;
  if (cached && cached.snap === snap && cached.window === window && cached.changes === options.changes) return cached.view;
  const view = makeView(snap, options);
  lastView = { snap, window, changes: options.changes, view };
  return view;
}

/**
 * The history's columns from the last point at or before the window's start (its line enters
 * from the left edge), with the current point appended: the decimated history may end before it.
 */
function makeView(snap: SimSnapshot, options: ChartOptions): View {
  const n = snap.historyLength;
  const steps = snap.history[fieldIndex("step")] ?? new Float64Array(0);
  const range = windowRange(options.window ?? null, n > 0 ? steps[0]! : snap.step, snap.step);
  const from = Math.max(0, lastAtOrBefore(steps, n, range[0]));
  const append = !snap.failure && (n === 0 || steps[n - 1] !== snap.step);
  const m = snap.metrics;
  const current: Record<Column, number> = {
    step: snap.step,
    beta: snap.beta,
    reward: m.reward,
    gold_reward: m.goldReward ?? NaN,
    reverse_kl: m.reverseKL,
    forward_kl: m.forwardKL,
    kl_estimate: snap.klEstimate ?? NaN,
  };
  const made = new Map<Column, Float64Array>();
  const column = (name: Column) => {
    let out = made.get(name);
    if (out) return out;
    const values = (snap.history[fieldIndex(name)] ?? new Float64Array(0)).subarray(from, n);
    out = new Float64Array(values.length + (append ? 1 : 0));
    out.set(values);
    if (append) out[values.length] = current[name];
    made.set(name, out);
    return out;
  };
  const markers = (options.changes ?? [])
    .filter((c) => c.step >= range[0] && c.step <= range[1])
    .map((c) => ({ x: c.step, label: CHANGE_MARKS[c.setting], color: COLORS.marker }));
  return { column, range, markers, xLabel: windowLabel(options.window ?? null) ?? undefined };
}

/** A legend entry: a series with its current value, or a reference line. `underlay`: still drawn (unlisted) when its entry is dropped. */
type Entry = { series?: ChartSeries; value?: number; reference?: ChartReference; optional?: boolean; underlay?: boolean };

/** [reward, reverse KL, forward KL] for the given width and three heights. */
export function metricCharts(snap: SimSnapshot, width: number, heights: readonly number[], options: ChartOptions): ChartSpec[] {
  const now = snap.metrics;
  const view = viewOf(snap, options);
  const { column } = view;
  const xs = column("step");
  const klEstimate = latestEstimate(snap);
  const estimate = options.estimator && Number.isFinite(klEstimate) ? { ys: column("kl_estimate"), last: klEstimate } : null;

  const best = snap.optimum.metrics;
  const track = optimumTrack({
    problem: options.problem,
    steps: snap.history[fieldIndex("step")] ?? [],
    betas: snap.history[fieldIndex("beta")] ?? [],
    length: snap.historyLength,
    step: snap.step,
    beta: snap.beta,
    penalty: snap.penalty,
    current: best,
    changes: options.changes ?? [],
    range: view.range,
    resolution: 2 * Math.max(1, width - LABEL_WIDTH - 1),
    budgetMs: options.budgetMs ?? FRAME_BUDGET_MS,
    betaVaries: snap.controller.kind !== "fixed",
  });
  // Float64Arrays like the history's columns: the renderer's loops then see one array type.
  const trackSteps = Float64Array.from(track.steps);
  const optimumLine = (label: string, color: string, style: LineStyle, pick: (m: typeof best) => number | null, value: number | null): Entry => ({
    series: { label, color, style, xs: trackSteps, ys: Float64Array.from(track.metrics, (m) => pick(m) ?? NaN) },
    value: value ?? NaN,
  });
  // the KL chart that shows the penalty itself, when it is one of the two KLs
  const penalised = (kl: number) => (snap.penalty.sameAs === kl ? " · penalty" : "");
  const controller = snap.controller;
  const target: Entry | null =
    controller.kind === "adaptive" ? { reference: { label: "target", color: COLORS.target, style: SERIES_STYLES.target, y: controller.target } } : null;
  const withTarget = (kl: number) => (target && snap.penalty.sameAs === kl ? [target] : []);
  const log = options.log ? " · log" : "";
  // sampled and expected mode: where the configuration really settles, when that is not π*
  const fixedPoint = snap.fixedPoint;
  const apart = fixedPoint !== null && (fixedPoint.policy === null || totalVariation(fixedPoint.policy, snap.optimum.policy) > 1e-6);
  const settles = (pick: (m: PolicyMetrics) => number | null): Entry[] =>
    apart && fixedPoint.metrics
      ? [{ reference: { label: "fixed pt", color: COLORS.fixedPoint, style: SERIES_STYLES.fixedPoint, y: pick(fixedPoint.metrics) ?? NaN } }]
      : [];
  const rewardTitle = CHART_TITLES.reward + (apart && !fixedPoint.metrics ? ` · ${fixedPoint.optimises}: no fixed point` : "");

  // the pinned run first, so every live curve is drawn over it
  const pinned = options.pinned;
  const ghost = (pick: (run: PinnedRun) => Float64Array): Entry[] =>
    pinned
      ? [
          {
            series: { label: "pinned", color: COLORS.pinned, style: SERIES_STYLES.pinned, xs: pinned.step, ys: pick(pinned) },
            value: pick(pinned).at(-1) ?? Number.NaN, // where the pinned run had got to
            optional: true,
            underlay: true,
          },
        ]
      : [];
  const reward: Entry[] = [
    ...ghost((run) => run.reward),
    { series: { label: "proxy", color: COLORS.reward, style: SERIES_STYLES.measured, xs, ys: column("reward") }, value: now.reward },
    optimumLine("π*", COLORS.optimum, SERIES_STYLES.optimum, (m) => m.reward, best.reward),
    ...settles((m) => m.reward),
  ];
  if (now.goldReward !== null && best.goldReward !== null) {
    reward.splice(1, 0, { series: { label: "gold", color: COLORS.gold, style: SERIES_STYLES.gold, xs, ys: column("gold_reward") }, value: now.goldReward });
    reward.push({ ...optimumLine("π* gold", COLORS.optimumGold, SERIES_STYLES.optimumGold, (m) => m.goldReward, best.goldReward), optional: true });
  }
  const common = { xRange: view.range, markers: view.markers, xLabel: view.xLabel };
  return [
    chart(rewardTitle, reward, width, heights[0] ?? 8, { ...common }),
    chart(
      CHART_TITLES.reverseKL + penalised(METRIC.reverse_kl) + log,
      [
        // The noisy estimate first, so the exact KL is drawn over it.
        ...(estimate
          ? [
              {
                series: { label: `est ${options.estimator}`, color: COLORS.estimate, style: SERIES_STYLES.estimate, xs, ys: estimate.ys },
                value: estimate.last,
              },
            ]
          : []),
        ...ghost((run) => run.reverseKL),
        { series: { label: "π", color: COLORS.reverseKL, style: SERIES_STYLES.measured, xs, ys: column("reverse_kl") }, value: now.reverseKL },
        optimumLine("π*", COLORS.optimum, SERIES_STYLES.optimum, (m) => m.reverseKL, best.reverseKL),
        ...settles((m) => m.reverseKL),
        ...withTarget(METRIC.reverse_kl),
      ],
      width,
      heights[1] ?? 8,
      { ...common, ...klAxis(options, estimate !== null) },
    ),
    chart(
      CHART_TITLES.forwardKL + penalised(METRIC.forward_kl) + log,
      [
        ...ghost((run) => run.forwardKL),
        { series: { label: "π", color: COLORS.forwardKL, style: SERIES_STYLES.measured, xs, ys: column("forward_kl") }, value: now.forwardKL },
        optimumLine("π*", COLORS.optimum, SERIES_STYLES.optimum, (m) => m.forwardKL, best.forwardKL),
        ...settles((m) => m.forwardKL),
        ...withTarget(METRIC.forward_kl),
      ],
      width,
      heights[2] ?? 8,
      { ...common, ...klAxis(options, false) },
    ),
  ];
}

/** A KL is ≥ 0: a linear axis is anchored there so size reads honestly (but k1 estimates can be negative). */
function klAxis(options: ChartOptions, signed: boolean): Partial<ChartSpec> {
  if (options.log) return { yScale: "log" };
  return signed ? {} : { yMin: 0 };
}

/**
 * The β(t) strip over the same steps as the charts: a legend and small plot when `height` ≥ 3,
 * else one plot row with "β" in the gutter. No step axis: the charts below have it.
 */
export function betaStrip(snap: SimSnapshot, width: number, height: number, options: ChartOptions): ChartSpec {
  const view = viewOf(snap, options);
  const legend = height >= 3;
  const series: ChartSeries = { label: `β ${formatValue(snap.beta)}`, color: COLORS.beta, xs: view.column("step"), ys: view.column("beta") };
  return {
    title: legend ? `β(t)${options.log ? " · log" : ""}` : "β",
    width,
    height,
    series: [series],
    markers: view.markers,
    xRange: view.range,
    labelWidth: LABEL_WIDTH,
    legend,
    xAxis: false,
    ...(options.log ? { yScale: "log" as const } : { yMin: 0 }),
  };
}

/**
 * One chart whose legend fits its width: labels carry the current value ("proxy 0.7109") when
 * there is room, optional lines are dropped before that, then the "reverse "/"forward " prefix.
 */
function chart(title: string, entries: Entry[], width: number, height: number, extra: Partial<ChartSpec>): ChartSpec {
  // On narrow charts, "reverse "/"forward " go before the values do: the KL(·‖·) says which is which.
  const shortTitle = title.replace(/^(reverse|forward) /, "");
  const required = entries.filter((e) => !e.optional);
  const candidates: [string, Entry[]][] = [
    [title, withValues(entries)],
    [title, withValues(required)],
    [shortTitle, withValues(required)],
    [shortTitle, required],
  ];
  const [chosenTitle, chosen] = candidates.find(([t, c]) => legendLength(t, c) <= width) ?? candidates[candidates.length - 1]!;
  // an underlay whose legend entry did not fit is drawn all the same, first (under the rest), unlisted
  const kept = chosen.some((e) => e.underlay);
  const under = kept ? [] : entries.flatMap((e) => (e.underlay && e.series ? [{ ...e.series, unlisted: true }] : []));
  return {
    title: chosenTitle,
    width,
    height,
    series: [...under, ...chosen.flatMap((e) => (e.series ? [e.series] : []))],
    references: chosen.flatMap((e) => (e.reference ? [e.reference] : [])),
    labelWidth: LABEL_WIDTH,
    ...extra,
  };
}

/** Labels with the current value of each series and each reference's value. */
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

/** Columns the braille legend row takes: the title, then "  <sample> label" per entry. */
function legendLength(title: string, entries: Entry[]): number {
  const length = (e: Entry) => {
    const style = e.series ? (e.series.style ?? "solid") : (e.reference?.style ?? "dashed");
    return 3 + Array.from(LINE_STYLES[style].sample).length + Array.from(e.series?.label ?? e.reference?.label ?? "").length;
  };
  return Array.from(title).length + entries.reduce((n, e) => n + length(e), 0);
}
