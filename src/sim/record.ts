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
