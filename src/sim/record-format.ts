/**
 * Record serialisation shared by files and views. Deterministic: numbers use JavaScript's
 * shortest round-trip form, so the same run gives byte-identical files. A file has the columns of
 * its Simulation (`recordFields`: the sequence-only ones only for a sequence model).
 */
import { FIELD, NULLABLE_FIELDS, type RecordField, recordColumnsFor } from "./record.js";

/** The columns of a bandit run's file (a sequence model adds mean_length and token_mean_kl). */
export const BANDIT_FIELDS: readonly RecordField[] = recordColumnsFor([]);

/** The CSV header of a file with these columns. */
export function csvHeader(fields: readonly RecordField[] = BANDIT_FIELDS): string {
  return fields.join(",");
}

/** The header of a bandit run's CSV file. */
export const CSV_HEADER = csvHeader();

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

/** Writes records (rows in RECORD_FIELDS order) as CSV lines or JSON objects with these columns. */
export class RecordFormat {
  private readonly indices: number[];
  private readonly keys: string[];
  private readonly nullable: boolean[];

  constructor(readonly fields: readonly RecordField[] = BANDIT_FIELDS) {
    this.indices = fields.map((f) => FIELD[f]);
    this.keys = fields.map((f) => JSON.stringify(f));
    this.nullable = fields.map((f) => NULLABLE_FIELDS.has(f));
  }

  get header(): string {
    return csvHeader(this.fields);
  }

  csvLine(row: ArrayLike<number>): string {
    let line = csvNumber(row[this.indices[0]!]!);
    for (let c = 1; c < this.indices.length; c++) line += "," + csvNumber(row[this.indices[c]!]!);
    return line;
  }

  /** A record as a JSON object text with the fields in column order. */
  jsonRecord(row: ArrayLike<number>): string {
    let text = "{";
    for (let c = 0; c < this.indices.length; c++) {
      const value = row[this.indices[c]!]!;
      const json = this.nullable[c] && Number.isNaN(value) ? null : jsonNumber(value);
      text += (c ? "," : "") + this.keys[c] + ":" + JSON.stringify(json);
    }
    return text + "}";
  }
}

/** Rows of a column-oriented history (Simulation.history or a snapshot, RECORD_FIELDS order) as CSV text. */
export function historyCsv(columns: readonly ArrayLike<number>[], length: number, fields: readonly RecordField[] = BANDIT_FIELDS): string {
  const format = new RecordFormat(fields);
  const lines = [format.header];
  const row = new Float64Array(columns.length);
  for (let k = 0; k < length; k++) {
    for (let f = 0; f < columns.length; f++) row[f] = columns[f]![k]!;
    lines.push(format.csvLine(row));
  }
  return lines.join("\n") + "\n";
}
