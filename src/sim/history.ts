/**
 * Bounded history of step records for the charts. Keeps every point until `capacity`, then
 * drops every other point and doubles the stride, so the points stay evenly spaced and memory
 * stays flat however long a run goes (files are streamed separately and never decimated).
 */
import { RECORD_FIELDS } from "./record.js";

const FIELD_COUNT = RECORD_FIELDS.length;

export class History {
  /** All the columns in one buffer: field f's value at point k is data[f·capacity + k]. */
  readonly data: Float64Array;
  /** One view per record field, each `capacity` long; rows [0, length) are valid. */
  readonly columns: Float64Array[];
  length = 0;
  /** Keep one step in `stride` (a power of two). */
  stride = 1;

  constructor(readonly capacity = 4096) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error("history capacity must be an even number ≥ 2");
    this.data = new Float64Array(FIELD_COUNT * capacity);
    this.columns = RECORD_FIELDS.map((_, f) => this.data.subarray(f * capacity, (f + 1) * capacity));
  }

  /** Offers a row for step `step` (row[0] must equal step); kept if it falls on the stride. */
  push(step: number, row: Float64Array): void {
    const at = this.slot(step);
    if (at < 0) return;
    for (let f = 0; f < FIELD_COUNT; f++) this.data[f * this.capacity + at] = row[f]!;
  }

  /**
   * Where step `step`'s record goes (field f at data[f·capacity + index]), or −1 if the step is
   * not kept; the caller writes every field there. Makes room when the history is full.
   */
  slot(step: number): number {
    if (step % this.stride !== 0) return -1;
    if (this.length === this.capacity) this.compact();
    if (step % this.stride !== 0) return -1;
    return this.length++;
  }

  /** Halves the points: keeps those whose step is a multiple of the doubled stride. */
  private compact(): void {
    this.stride *= 2;
    const { data, capacity, stride } = this;
    let kept = 0;
    for (let k = 0; k < this.length; k++) {
      if (data[k]! % stride !== 0) continue; // data[k] is point k's step
      if (kept !== k) for (let at = 0; at < FIELD_COUNT * capacity; at += capacity) data[at + kept] = data[at + k]!;
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
