/**
 * Instability the finite-value checks cannot see: a step size far past its stability limit
 * (SGD with lr·β ≫ 1/curvature) throws the policy to a point where the objective
 * J(π) = E_π[r] − β·D(π, π_ref) is far below the reference policy's, and it stays there or
 * oscillates without ever producing a non-finite number.
 *
 * The test: π_ref itself scores J(π_ref) = E_ref[r] whatever β is (D(π_ref, π_ref) = 0), so the
 * optimum is never below it, and every policy's E_π[r] ≥ min r. A policy with
 * J < E_ref[r] − 10·(max r − min r) therefore pays more than nine times the reward range in
 * penalty: a stable ascent never gets there from π_ref. Only when that lasts PERSIST steps is it
 * called unstable (a β raised by hand can dip J for a step or two), and only under a constant β
 * (an adaptive controller or a schedule moves β by design).
 */
import type { Problem } from "../core/problem.js";

/** Steps the objective must stay far below the reference's before the run is called unstable. */
export const PERSIST = 20;
/** How many reward ranges below E_ref[r] counts as "far". */
export const RANGES_BELOW = 10;

export class InstabilityWatch {
  /** J below this is far below the reference policy's objective. */
  readonly floor: number;
  readonly referenceObjective: number;
  private since: number | null = null;
  private worst = Number.POSITIVE_INFINITY;

  constructor(problem: Problem) {
    let expected = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < problem.reward.length; i++) {
      const r = problem.reward[i]!;
      expected += problem.ref[i]! * r;
      if (r < min) min = r;
      if (r > max) max = r;
    }
    const range = max - min;
    this.referenceObjective = expected;
    this.floor = expected - RANGES_BELOW * (range > 0 ? range : 1);
  }

  /** Whether the objective is far below now (a stretch has begun). */
  get watching(): boolean {
    return this.since !== null;
  }

  reset(): void {
    this.since = null;
    this.worst = Number.POSITIVE_INFINITY;
  }

  /**
   * The objective at `step`: returns the problem's description once it has been far below the
   * reference's for PERSIST steps, else null.
   */
  observe(step: number, objective: number): string | null {
    if (!(objective < this.floor)) {
      this.since = null;
      this.worst = Number.POSITIVE_INFINITY;
      return null;
    }
    this.since ??= step;
    this.worst = Math.min(this.worst, objective);
    if (step - this.since < PERSIST) return null;
    return (
      `unstable: since step ${this.since} the objective has been as low as ${this.worst.toPrecision(4)}, far below the reference policy's ` +
      `${this.referenceObjective.toPrecision(4)}; the step size is past its stability limit (lower the learning rate or beta)`
    );
  }
}
