/** The status lines' content: run state, β/controller/penalty/optimiser, and the current metrics. Pure. */
import type { ControllerConfig } from "../core/controllers.js";
import type { OptimizerConfig } from "../core/optimizers.js";
import type { Divergence } from "../core/divergence.js";
import type { SimSnapshot } from "../sim/simulation.js";
import type { Span } from "./chart/braille.js";
import { formatRate, formatValue, printable } from "./number-format.js";
import { COLORS } from "./palette.js";

/** A status item; when a line is too narrow, items take their `short` form, then those with the largest `drop` go first. */
interface Field {
  spans: Span[];
  drop: number;
  short?: Span[];
}

export interface StatusInput {
  scenario: string;
  sim: SimSnapshot;
  paused: boolean;
  stepsPerFrame: number;
  stepsPerSecond: number;
  failure: string | null;
  /** Sampled mode: how the gradient is estimated ("ppo k1 ×64, KL in reward"); null in exact mode. */
  sampling: string | null;
  /** Sampled mode: the latest per-batch KL estimate (NaN in exact mode). */
  klEstimate: number;
}

const SEPARATOR = "  ";

export function penaltyText(penalty: Divergence): string {
  return penalty.label;
}

export function controllerText(controller: ControllerConfig): string {
  if (controller.kind === "adaptive") return `adaptive, target KL ${formatValue(controller.target)}`;
  if (controller.kind === "schedule") return `schedule ${controller.expr}`;
  return "fixed";
}

/** "k3·loss·loo → forward KL": the estimator, placement, baseline and verdict, for narrow lines. */
function compactSampling(snap: SimSnapshot): string {
  const s = snap.sampling;
  if (!s) return snap.sequence?.training ?? "";
  return `${s.estimator.name}·${s.klIn}·${s.baseline.name}${snap.fixedPoint ? ` → ${snap.fixedPoint.optimises}` : ""}`;
}

/** "sampled reinforce k1 ×64, KL in reward, loo → reverse KL": the settings and what they really optimise. */
export function samplingText(snap: SimSnapshot, mode: string): string | null {
  const s = snap.sampling;
  if (!s) return snap.sequence?.training ? `${mode} ${snap.sequence.training}` : null;
  const sampler = (s.temperature !== 1 ? ` τ ${formatValue(s.temperature)}` : "") + (s.topK !== null ? ` top-${s.topK}` : "");
  const verdict = snap.fixedPoint ? ` → ${snap.fixedPoint.optimises}` : "";
  return `${mode} ${s.algorithm} ${s.estimator.name} ×${s.batch}${sampler}, KL in ${s.klIn}, ${s.baseline.name}${verdict}`;
}

export function optimizerText(optimizer: OptimizerConfig): string {
  return `${optimizer.kind} lr ${formatValue(optimizer.lr)}`;
}

/** Two lines, each at most `width` columns: the run and its settings, then the current metrics. */
export function statusLines(input: StatusInput, width: number): Span[][] {
  const { sim } = input;
  const m = sim.metrics;
  const state: Span = input.failure
    ? { text: "FAILED (r resets)", color: COLORS.failure }
    : input.paused
      ? { text: "paused", color: COLORS.paused }
      : { text: "running", color: COLORS.running };
  const run: Field[] = [
    { spans: [{ text: input.scenario }], drop: 0 },
    { spans: [{ text: `step ${sim.step}` }], drop: 0 },
    { spans: [state], drop: 0 },
    { spans: [{ text: `×${input.stepsPerFrame}/frame` }], drop: 3 },
    ...(input.paused || input.failure ? [] : [{ spans: [{ text: formatRate(input.stepsPerSecond) }], drop: 4 }]),
    { spans: [{ text: `β ${formatValue(sim.beta)}` }], drop: 0 },
    { spans: [{ text: controllerText(sim.controller) }], drop: 2 },
    { spans: [{ text: `penalty ${penaltyText(sim.penalty)}` }], short: [{ text: sim.penalty.short }], drop: 1 },
    { spans: [{ text: optimizerText(sim.optimizer) }], drop: 5 },
    // what sampled training really optimises matters more than the speed or the optimiser
    ...(input.sampling ? [{ spans: [{ text: input.sampling }], short: [{ text: compactSampling(sim) }], drop: 1 }] : []),
  ];
  const metrics: Field[] = [
    metric("reward", m.reward, COLORS.reward, 0),
    ...(m.goldReward === null ? [] : [metric("gold", m.goldReward, COLORS.gold, 1)]),
    metric("KL(π‖π_ref)", m.reverseKL, COLORS.reverseKL, 0),
    ...(Number.isFinite(input.klEstimate) ? [metric("est", input.klEstimate, COLORS.estimate, 1)] : []),
    metric("KL(π_ref‖π)", m.forwardKL, COLORS.forwardKL, 0),
    // a penalty that is neither KL (JS, α) gets its own value beside them
    ...(sim.penalty.sameAs !== undefined ? [] : [metric(sim.penalty.short, m.penaltyValue, undefined, 1)]),
    metric("entropy", m.entropy, undefined, 2),
    metric("objective", m.objective, undefined, 3),
  ];
  return [fitFields(shortenIfNeeded(run, width), width), fitFields(metrics, width)];
}

function metric(label: string, value: number, color: string | undefined, drop: number): Field {
  const shown: Span = color === undefined ? { text: formatValue(value) } : { text: formatValue(value), color };
  return { spans: [{ text: `${label} ` }, shown], drop };
}

/** The penalty is worth keeping on narrow screens in its short form ("reverse KL"). */
function shortenIfNeeded(fields: Field[], width: number): Field[] {
  if (lineLength(fields) <= width) return fields;
  return fields.map((f) => {
    if (f.short) return { ...f, spans: f.short };
    const text = f.spans[0]?.text ?? "";
    if (text.startsWith("adaptive, target KL")) return { ...f, spans: [{ text: text.replace("adaptive, target KL", "adaptive→KL") }] };
    return f;
  });
}

/** Drops the most droppable fields until the line fits, then clips what is left. */
export function fitFields(fields: Field[], width: number): Span[] {
  let kept = fields;
  while (kept.length > 1 && lineLength(kept) > width) {
    const worst = Math.max(...kept.map((f) => f.drop));
    if (worst === 0) break;
    const at = kept.map((f) => f.drop).lastIndexOf(worst);
    kept = kept.filter((_, i) => i !== at);
  }
  const spans: Span[] = [];
  kept.forEach((f, i) => {
    if (i > 0) spans.push({ text: SEPARATOR });
    spans.push(...f.spans);
  });
  return clipLine(spans, width);
}

function lineLength(fields: Field[]): number {
  return fields.reduce((n, f, i) => n + (i ? SEPARATOR.length : 0) + f.spans.reduce((k, s) => k + Array.from(s.text).length, 0), 0);
}

function clipLine(spans: Span[], width: number): Span[] {
  const out: Span[] = [];
  let left = width;
  for (const span of spans) {
    if (left <= 0) break;
    const chars = Array.from(printable(span.text)); // the scenario's name comes from its file
    const text = chars.length > left ? chars.slice(0, Math.max(0, left - 1)).join("") + "…" : chars.join("");
    left -= Array.from(text).length;
    out.push(span.color === undefined ? { text } : { text, color: span.color });
  }
  return out;
}
