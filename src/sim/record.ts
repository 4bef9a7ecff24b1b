/** The per-step record: DESIGN.md §2. Field order is the CSV column order. */

export const RECORD_FIELDS = ["step", "beta", "reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "objective", "kl_estimate"] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];

/** Fields that are null when not applicable (no gold reward; exact mode has no KL estimate). */
export const NULLABLE_FIELDS: ReadonlySet<RecordField> = new Set(["gold_reward", "kl_estimate"]);

/** One step's values in RECORD_FIELDS order; NaN marks "not applicable" (null in files). */
export type RecordRow = Float64Array;

/** Each field's index in a record. */
export const FIELD = Object.fromEntries(RECORD_FIELDS.map((name, index) => [name, index])) as Record<RecordField, number>;

export function fieldIndex(field: RecordField): number {
  return FIELD[field];
}

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
  out[at + FIELD.step * stride] = step;
  out[at + FIELD.beta * stride] = beta;
  out[at + FIELD.reward * stride] = reward;
  out[at + FIELD.gold_reward * stride] = goldReward;
  out[at + FIELD.forward_kl * stride] = forward;
  out[at + FIELD.reverse_kl * stride] = backward;
  out[at + FIELD.entropy * stride] = entropy < 0 ? 0 : entropy;
  out[at + FIELD.objective * stride] = reward - beta * (reverse ? backward : forward);
  out[at + FIELD.kl_estimate * stride] = klEstimate;
}
