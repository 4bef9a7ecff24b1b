/** The per-step record, as the README documents it under `klsim run`. Field order is the CSV column order. */
import { METRIC } from "../core/metric-row.js";

export const RECORD_FIELDS = [
  "step",
  "beta",
  "reward",
  "gold_reward",
  "forward_kl",
  "reverse_kl",
  "entropy",
  "objective",
  "kl_estimate",
  "penalty_value",
  "mean_length",
  "token_mean_kl",
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];

/** Fields that are null when not applicable (no gold reward; no sampled estimate; not a sequence model). */
export const NULLABLE_FIELDS: ReadonlySet<RecordField> = new Set(["gold_reward", "kl_estimate", "mean_length", "token_mean_kl"]);

/** Columns that a file has only when the model reports them (sequence mode). */
export const MODEL_COLUMNS: ReadonlySet<RecordField> = new Set(["mean_length", "token_mean_kl"]);

/** One step's values in RECORD_FIELDS order; NaN marks "not applicable" (null in files). */
export type RecordRow = Float64Array;

/** Each field's index in a record. */
export const FIELD = Object.fromEntries(RECORD_FIELDS.map((name, index) => [name, index])) as Record<RecordField, number>;

export function fieldIndex(field: RecordField): number {
  return FIELD[field];
}

/** The record's columns of a model that fills these metric fields (METRIC indices): the model columns only when filled. */
export function recordColumnsFor(metrics: readonly number[]): RecordField[] {
  return RECORD_FIELDS.filter((f) => !MODEL_COLUMNS.has(f) || metrics.includes(METRIC[f as keyof typeof METRIC]));
}

/** A value ≥ 0 by definition (a KL, an entropy): clamped at 0, since rounding can leave it a hair below. */
function clamped(x: number): number {
  return x < 0 ? 0 : x;
}

/**
 * Writes a step's record into `out` at `at`, field f at out[at + f·stride] (a row: stride 1; the
 * history's columns: stride = its capacity), from the step's metric row (core/metric-row.ts). The
 * objective is reward − β·D (β = 0: the reward, whatever D is).
 */
export function writeRecord(out: Float64Array, at: number, stride: number, step: number, beta: number, metrics: ArrayLike<number>): void {
  const reward = metrics[METRIC.reward]!;
  const penalty = clamped(metrics[METRIC.penalty_value]!);
  out[at + FIELD.step * stride] = step;
  out[at + FIELD.beta * stride] = beta;
  out[at + FIELD.reward * stride] = reward;
  out[at + FIELD.gold_reward * stride] = metrics[METRIC.gold_reward]!;
  out[at + FIELD.forward_kl * stride] = clamped(metrics[METRIC.forward_kl]!);
  out[at + FIELD.reverse_kl * stride] = clamped(metrics[METRIC.reverse_kl]!);
  out[at + FIELD.entropy * stride] = clamped(metrics[METRIC.entropy]!);
  out[at + FIELD.objective * stride] = beta === 0 ? reward : reward - beta * penalty;
  out[at + FIELD.kl_estimate * stride] = metrics[METRIC.kl_estimate]!;
  out[at + FIELD.penalty_value * stride] = penalty;
  out[at + FIELD.mean_length * stride] = metrics[METRIC.mean_length]!;
  out[at + FIELD.token_mean_kl * stride] = metrics[METRIC.token_mean_kl]!;
}
