/**
 * The per-token KL estimator as sequence training calls it: k(ℓ) and its slope k′(ℓ) for a token
 * with log-ratio ℓ = log π(a|s) − log π_ref(a|s) (Schulman 2020). Sequence code depends only on this
 * shape (an estimator registry entry's), so adding an estimator there needs nothing here.
 */
import { type Estimator, estimate, estimateSlope } from "../estimators.js";

export interface TokenEstimator {
  readonly name: string;
  /** k(ℓ): the estimate of KL(π‖π_ref) this token contributes. */
  value(logRatio: number): number;
  /** dk/dℓ: what a KL in the loss multiplies ∇ log π(a|s) by. */
  slope(logRatio: number): number;
}

/** The entry for a per-sample estimator of src/core/estimators.ts (`full` is not per token). */
export function tokenEstimator(name: Exclude<Estimator, "full">): TokenEstimator {
  return {
    name,
    value: (logRatio) => estimate(name, logRatio),
    slope: (logRatio) => estimateSlope(name, logRatio),
  };
}
