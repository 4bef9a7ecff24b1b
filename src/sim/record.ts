/** The per-step record: DESIGN.md §2. Field order is the CSV column order. */

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
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];

/** Fields that are null when not applicable (no gold reward; exact mode has no KL estimate). */
export const NULLABLE_FIELDS: ReadonlySet<RecordField> = new Set(["gold_reward", "kl_estimate"]);

/** One step's values in RECORD_FIELDS order; NaN marks "not applicable" (null in files). */
export type RecordRow = Float64Array;

export function fieldIndex(field: RecordField): number {
  return RECORD_FIELDS.indexOf(field);
}

/** Each field's index in a record. */
const AT = Object.fromEntries(RECORD_FIELDS.map((name, index) => [name, index])) as Record<RecordField, number>;

/**
 * Writes a step's record into `out` at `at`, field f at out[at + f·stride] (a row: stride 1; the
 * history's columns: stride = its capacity). The KLs and the entropy are clamped at 0 (rounding can
 * leave them a hair below), and the objective is reward − β·KL in the penalty's direction.
 */
export function writeRecord(
  out: Float64Array,
  at: number,
  stride: number,
  step: number,
  beta: number,
  reverse: boolean,
  reward: number,
  goldReward: number,
  forwardKL: number,
  reverseKL: number,
  entropy: number,
  klEstimate: number,
): void {
  const forward = forwardKL < 0 ? 0 : forwardKL;
  const backward = reverseKL < 0 ? 0 : reverseKL;
  out[at + AT.step * stride] = step;
  out[at + AT.beta * stride] = beta;
  out[at + AT.reward * stride] = reward;
  out[at + AT.gold_reward * stride] = goldReward;
  out[at + AT.forward_kl * stride] = forward;
  out[at + AT.reverse_kl * stride] = backward;
  out[at + AT.entropy * stride] = entropy < 0 ? 0 : entropy;
  out[at + AT.objective * stride] = reward - beta * (reverse ? backward : forward);
  out[at + AT.kl_estimate * stride] = klEstimate;
}

