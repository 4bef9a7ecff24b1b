/**
 * One step's metrics as a row of numbers: what every stepper reports for every step, in this order
 * (NaN = not applicable: no gold reward, no sampled estimate, not a sequence model). The record
 * (src/sim/record.ts) adds the step, β and the objective.
 */
import type { Divergence } from "./divergence.js";

export const METRIC_FIELDS = [
  "reward",
  "gold_reward",
  "forward_kl",
  "reverse_kl",
  "entropy",
  "penalty_value",
  "kl_estimate",
  "mean_length",
  "token_mean_kl",
] as const;

export type MetricField = (typeof METRIC_FIELDS)[number];

/** Each metric's index in a row. */
export const METRIC = Object.fromEntries(METRIC_FIELDS.map((name, index) => [name, index])) as Record<MetricField, number>;

export const METRIC_COUNT = METRIC_FIELDS.length;

/** A row with every metric "not applicable". */
export function emptyMetricRow(): Float64Array {
  return new Float64Array(METRIC_COUNT).fill(NaN);
}

/** The exact metrics an evaluated model gives (a sequence model adds its length and token-mean KL). */
export interface ExactMetrics {
  reward: number;
  goldReward: number;
  forwardKL: number;
  reverseKL: number;
  entropy: number;
  meanLength?: number;
  tokenMeanKL?: number;
}

/** D(π, π_ref) where the penalty is one of the two KLs every evaluation has (Divergence.sameAs), read off `m` (unclamped); else undefined. */
export function evaluatedPenalty(penalty: Divergence, m: Pick<ExactMetrics, "reverseKL" | "forwardKL">): number | undefined {
  if (penalty.sameAs === METRIC.reverse_kl) return m.reverseKL;
  if (penalty.sameAs === METRIC.forward_kl) return m.forwardKL;
  return undefined;
}

/** row[at …] ← the exact metrics and the penalty's value; no sampled estimate (NaN), NaN where a model has no such metric. */
export function writeExactRow(row: Float64Array, at: number, m: ExactMetrics, penaltyValue: number): void {
  row[at + METRIC.reward] = m.reward;
  row[at + METRIC.gold_reward] = m.goldReward;
  row[at + METRIC.forward_kl] = m.forwardKL;
  row[at + METRIC.reverse_kl] = m.reverseKL;
  row[at + METRIC.entropy] = m.entropy;
  row[at + METRIC.kl_estimate] = Number.NaN;
  row[at + METRIC.mean_length] = m.meanLength ?? Number.NaN;
  row[at + METRIC.token_mean_kl] = m.tokenMeanKL ?? Number.NaN;
  row[at + METRIC.penalty_value] = penaltyValue;
}

/** What a non-finite value in each metric means, for the message that stops a run. */
export const NON_FINITE_MEANING: Record<MetricField, string> = {
  reward: "the reward became non-finite",
  gold_reward: "the gold reward became non-finite",
  forward_kl: "a KL divergence became non-finite",
  reverse_kl: "a KL divergence became non-finite",
  entropy: "the entropy became non-finite",
  penalty_value: "the penalty became non-finite",
  kl_estimate: "the KL estimate became non-finite",
  mean_length: "the mean length became non-finite",
  token_mean_kl: "the token-mean KL became non-finite",
};

/** The first of the `fields` (metric indices) whose value in the row at `at` is not finite, or −1. */
export function firstNonFinite(row: ArrayLike<number>, fields: readonly number[], at = 0): number {
  for (let k = 0; k < fields.length; k++) if (!Number.isFinite(row[at + fields[k]!]!)) return fields[k]!;
  return -1;
}

/** Whether a step's row can be recorded: its `fields` and its objective E[r] − β·D are all finite
 *  (β·D overflows with finite factors: β = 1e308, D = 1e306). Steppers stop after a step that is not. */
export function rowFinite(row: ArrayLike<number>, fields: readonly number[], beta: number, at = 0): boolean {
  const penalty = row[at + METRIC.penalty_value]!;
  return firstNonFinite(row, fields, at) < 0 && Number.isFinite(row[at + METRIC.reward]! - beta * (penalty < 0 ? 0 : penalty));
}
