/**
 * What the plain steppers share: a buffer of metric rows for the steps of one `advance`, the
 * current row, and the loop that takes a step, evaluates it into its row and stops after a step
 * that is not finite. A stepper says how to take a step and how to evaluate the state into a row.
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import { emptyMetricRow, METRIC_COUNT, rowFinite } from "../metric-row.js";

export abstract class RowStepper {
  readonly kernel = "typescript";
  readonly threaded = false;
  protected readonly rows: Float64Array;
  protected readonly current = emptyMetricRow();

  constructor(
    readonly family: PolicyFamily,
    readonly maxSteps: number,
    /** The metric-row fields it fills (METRIC indices). */
    readonly metrics: readonly number[],
  ) {
    this.rows = new Float64Array(maxSteps * METRIC_COUNT);
  }

  /** θ ← θ + one step's update (the state is evaluated before). */
  protected abstract takeStep(penalty: Divergence, beta: number): void;
  /** The evaluated state's metrics into `row` from `at`. */
  protected abstract evaluateInto(penalty: Divergence, row: Float64Array, at: number): void;

  supports(): boolean {
    return true;
  }

  advance(penalty: Divergence, beta: number, n: number): number {
    const rows = this.rows;
    let k = 0;
    while (k < n) {
      this.takeStep(penalty, beta);
      const at = k * METRIC_COUNT;
      const stop = this.family.failure() !== null;
      if (stop) rows.fill(Number.NaN, at, at + METRIC_COUNT);
      else this.evaluateInto(penalty, rows, at);
      k++;
      if (stop || !rowFinite(rows, this.metrics, beta, at)) break;
    }
    this.readRow(k - 1, this.current);
    return k;
  }

  readRow(j: number, out: Float64Array): void {
    out.set(this.rows.subarray(j * METRIC_COUNT, (j + 1) * METRIC_COUNT));
  }

  readCurrent(out: Float64Array): void {
    out.set(this.current);
  }

  release(): void {}

  failure(): string | null {
    return this.family.failure();
  }

  policy(): Float64Array {
    return this.family.tokenProbabilities();
  }
}
