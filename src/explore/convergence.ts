/**
 * Whether a trained run reached the optimum it is compared with: the total variation distance
 * TV(π, π*) = ½ Σ |π − π*| (the most probability the two disagree on) within a tolerance. A sweep
 * row whose run did not get there reports the optimum's numbers beside numbers that are not its own.
 */
import { type OptimumPasses, PLAIN_PASSES } from "../core/optimum-passes.js";

/** Default tolerance on TV(π_final, π*): one percent of the probability mass. */
export const CONVERGED_TV = 0.01;

export const CONVERGENCE_RULE = "converged = TV(π_final, π*) = ½Σ|π_final − π*| ≤ tol, π* the closed-form optimum at the final β";

export interface Convergence {
  /** TV(π, π*) ∈ [0, 1]. */
  distance: number;
  converged: boolean;
}

/**
 * TV distance of a run's final policy to the optimum and whether it is within `tol` (a diverged run
 * never is); `passes`: a fast kernel's (the same bits).
 */
export function convergenceOf(
  policy: ArrayLike<number>,
  optimum: ArrayLike<number>,
  tol: number,
  diverged: boolean,
  passes: OptimumPasses = PLAIN_PASSES,
): Convergence {
  const distance = passes.totalVariation(policy, optimum);
  return { distance, converged: !diverged && Number.isFinite(distance) && distance <= tol };
}
