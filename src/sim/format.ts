/**
 * Record serialisation shared by files and views. Deterministic: numbers use JavaScript's
 * shortest round-trip form, so the same run gives byte-identical files.
 */
import { NULLABLE_FIELDS, RECORD_FIELDS } from "./record.js";

export const CSV_HEADER = RECORD_FIELDS.join(",");

/** A number for CSV: shortest round-trip; NaN (not applicable) → empty; ±Infinity spelled out. */
export function csvNumber(x: number): string {
  return Number.isNaN(x) ? "" : String(x);
}

/** A number for JSON: NaN → null, ±Infinity → "Infinity"/"-Infinity" (JSON has no infinities). */
export function jsonNumber(x: number): number | string | null {
  if (Number.isNaN(x)) return null;
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

export function csvLine(row: ArrayLike<number>): string {
  let line = csvNumber(row[0]!);
  for (let f = 1; f < RECORD_FIELDS.length; f++) line += "," + csvNumber(row[f]!);
  return line;
}

/** A record as a JSON object text with the fields in RECORD_FIELDS order. */
export function jsonRecord(row: ArrayLike<number>): string {
  let text = "{";
  for (let f = 0; f < RECORD_FIELDS.length; f++) {
    const name = RECORD_FIELDS[f]!;
    const value = row[f]!;
    const json = NULLABLE_FIELDS.has(name) && Number.isNaN(value) ? null : jsonNumber(value);
    text += (f ? "," : "") + JSON.stringify(name) + ":" + JSON.stringify(json);
  }
  return text + "}";
}

/** Rows of a column-oriented history (Simulation.history or a snapshot) as CSV text. */
export function historyCsv(columns: readonly ArrayLike<number>[], length: number): string {
  const lines = [CSV_HEADER];
  const row = new Float64Array(RECORD_FIELDS.length);
  for (let k = 0; k < length; k++) {
    for (let f = 0; f < RECORD_FIELDS.length; f++) row[f] = columns[f]![k]!;
    lines.push(csvLine(row));
  }
  return lines.join("\n") + "\n";
}
