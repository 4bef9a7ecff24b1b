/**
 * Bounded history of step records for the charts. Keeps every point until `capacity`, then
 * drops every other point and doubles the stride, so the points stay evenly spaced and memory
 * stays flat however long a run goes (files are streamed separately and never decimated).
 * Steps are offered one by one, in order (a step off the stride may be skipped, as it is not kept):
 * the points are then always the multiples of the stride among the steps offered since the start.
 */
import { RECORD_FIELDS } from "./record.js";

const FIELD_COUNT = RECORD_FIELDS.length;

export class History {
  /** All the columns in one buffer: field f's value at point k is data[f·capacity + k]. */
  private readonly data: Float64Array;
  /** One view per record field, each `capacity` long; rows [0, length) are valid. */
  readonly columns: Float64Array[];
  length = 0;
  /** Keep one step in `stride` (a power of two). */
  stride = 1;
  /** The first step offered since the start (NaN before any). */
  private firstStep = NaN;

  constructor(readonly capacity = 4096) {
    if (capacity < 2 || capacity % 2 !== 0) throw new Error("history capacity must be an even number ≥ 2");
    this.data = new Float64Array(FIELD_COUNT * capacity);
    this.columns = RECORD_FIELDS.map((_, f) => this.data.subarray(f * capacity, (f + 1) * capacity));
  }

  /** The first step after `step` that the history keeps (steps in between need not be offered). */
  nextKept(step: number): number {
    return step - (step % this.stride) + this.stride;
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
  private slot(step: number): number {
    if (step % this.stride !== 0) return -1;
    if (Number.isNaN(this.firstStep)) this.firstStep = step;
    if (this.length === this.capacity) this.compactTo(this.stride * 2);
    if (step % this.stride !== 0) return -1;
    return this.length++;
  }

  /**
   * Decimates now to the stride the history will have once every step up to `lastStep` is offered,
   * so that offering them makes no more room: the history ends the same, and a long run writes only
   * the points that stay (the intermediate halvings are skipped). A run that stops early (it
   * diverged) is left with that coarser stride.
   */
  coarsenFor(lastStep: number): void {
    if (Number.isNaN(this.firstStep)) return; // nothing offered yet
    let stride = this.stride;
    // a halving comes when a point arrives at a full history, so the stride doubles while the
    // multiples of it in [firstStep, lastStep] outnumber the capacity
    while (Math.floor(lastStep / stride) - Math.floor((this.firstStep - 1) / stride) > this.capacity) stride *= 2;
    if (stride > this.stride) this.compactTo(stride);
  }

  /**
   * Keeps the points whose step is a multiple of `stride` (a power-of-two multiple of the current
   * one). The points are consecutive multiples of the current stride, so those are every
   * (stride / this.stride)-th point from the first of them: one simple strided copy per column,
   * which stays cheap even before V8 has compiled it (a run compacts a handful of times, cold).
   */
  private compactTo(stride: number): void {
    const steps = this.columns[0]!;
    const every = stride / this.stride;
    let from = 0;
    while (from < this.length && steps[from]! % stride !== 0) from++;
    const kept = from < this.length ? Math.floor((this.length - 1 - from) / every) + 1 : 0;
    for (const column of this.columns) for (let k = 0; k < kept; k++) column[k] = column[from + every * k]!;
    this.length = kept;
    this.stride = stride;
  }

  clear(): void {
    this.length = 0;
    this.stride = 1;
    this.firstStep = NaN;
  }

  /** A copy of the valid rows of one column (for snapshots handed to views). */
  column(index: number): Float64Array {
    return this.columns[index]!.slice(0, this.length);
  }
}
