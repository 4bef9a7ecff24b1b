/**
 * Bounded history of step records for the charts. Keeps every point until `capacity`, then
 * drops every other point and doubles the stride, so the points stay evenly spaced and memory
 * stays flat however long a run goes (files are streamed separately and never decimated).
 */
import { RECORD_FIELDS } from "./record.js";

const FIELD_COUNT = RECORD_FIELDS.length;

export class History {
  /** One column per record field, each `capacity` long; rows [0, length) are valid. */
  readonly columns: Float64Array[];
  length = 0;
  /** Keep one step in `stride` (a power of two). */
  stride = 1;

  constructor(readonly capacity = 4096) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error("history capacity must be an even number ≥ 2");
    this.columns = RECORD_FIELDS.map(() => new Float64Array(capacity));
  }

  /** Offers a row for step `step` (row[0] must equal step); kept if it falls on the stride. */
  push(step: number, row: Float64Array): void {
    if (step % this.stride !== 0) return;
    if (this.length === this.capacity) this.compact();
    if (step % this.stride !== 0) return;
    const at = this.length++;
    for (let f = 0; f < FIELD_COUNT; f++) this.columns[f]![at] = row[f]!;
  }

  /** Halves the points: keeps those whose step is a multiple of the doubled stride. */
  private compact(): void {
    this.stride *= 2;
    const steps = this.columns[0]!;
    let kept = 0;
    for (let k = 0; k < this.length; k++) {
      if (steps[k]! % this.stride !== 0) continue;
      for (let f = 0; f < FIELD_COUNT; f++) this.columns[f]![kept] = this.columns[f]![k]!;
      kept++;
    }
    this.length = kept;
  }

  clear(): void {
    this.length = 0;
    this.stride = 1;
  }

  /** A copy of the valid rows of one column (for snapshots handed to views). */
  column(index: number): Float64Array {
    return this.columns[index]!.slice(0, this.length);
  }
}
