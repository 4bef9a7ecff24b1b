/**
 * Exact training on any policy family in plain TypeScript: θ ← θ + update(∇J) with the family's
 * exact gradient, then the family evaluates the new θ. The readable reference the fast kernels
 * are held to, and the path for every penalty, family and optimiser they do not take.
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import type { Optimizer } from "../optimizers.js";
import type { Stepper } from "../stepper.js";
import { RowStepper } from "./row-stepper.js";

/** Steps per advance(): enough to amortise a call, few enough for the rows to stay small. */
const MAX_STEPS = 256;

export class ExactStepper extends RowStepper implements Stepper {
  readonly samplesPerStep = 1;

  constructor(
    family: PolicyFamily,
    readonly optimizer: Optimizer,
  ) {
    super(family, MAX_STEPS, family.metrics);
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.family.reset();
    this.family.evaluate(penalty, this.current);
  }

  refresh(penalty: Divergence): void {
    this.family.evaluate(penalty, this.current);
  }

  protected takeStep(penalty: Divergence, beta: number): void {
    const family = this.family;
    family.gradient(penalty, beta);
    family.updated(this.optimizer.step(family.theta, family.grad));
  }

  protected evaluateInto(penalty: Divergence, row: Float64Array, at: number): void {
    this.family.evaluate(penalty, row, at);
  }
}
