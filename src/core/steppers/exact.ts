/**
 * Exact training on any policy family in plain TypeScript: θ ← θ + update(∇J) with the family's
 * exact gradient, then the family evaluates the new θ. The readable reference the fast kernels
 * are held to, and the path for every penalty, family and optimiser they do not take.
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import { emptyMetricRow, METRIC_COUNT, rowFinite } from "../metric-row.js";
import type { Optimizer } from "../optimizers.js";
import type { Stepper } from "../stepper.js";

/** Steps per advance(): enough to amortise a call, few enough for the rows to stay small. */
const MAX_STEPS = 256;

export class ExactStepper implements Stepper {
  readonly kernel = "typescript";
  readonly threaded = false;
  readonly samplesPerStep = 1;
  readonly maxSteps = MAX_STEPS;
  readonly metrics: readonly number[];
  private readonly rows = new Float64Array(MAX_STEPS * METRIC_COUNT);
  private readonly current = emptyMetricRow();

  constructor(
    readonly family: PolicyFamily,
    readonly optimizer: Optimizer,
  ) {
    this.metrics = family.metrics;
  }

  supports(): boolean {
    return true;
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.family.reset();
    this.family.evaluate(penalty, this.current);
  }

  refresh(penalty: Divergence): void {
    this.family.evaluate(penalty, this.current);
  }

  advance(penalty: Divergence, beta: number, n: number): number {
    const { family, optimizer, rows } = this;
    let k = 0;
    while (k < n) {
      family.gradient(penalty, beta);
      family.updated(optimizer.step(family.theta, family.grad));
      const at = k * METRIC_COUNT;
      const stop = family.failure() !== null;
      if (stop) rows.fill(Number.NaN, at, at + METRIC_COUNT);
      else family.evaluate(penalty, rows, at);
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
