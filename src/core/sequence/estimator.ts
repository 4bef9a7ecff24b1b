/**
 * The per-token KL estimator as sequence training calls it: k(ℓ) and its slope k′(ℓ) for a token
 * with log-ratio ℓ = log π(a|s) − log π_ref(a|s) (Schulman 2020) — an entry of the estimator
 * registry (src/core/estimators.ts), so adding an estimator there needs nothing here.
 */
import { type Estimator, estimatorNamed } from "../estimators.js";

export type TokenEstimator = Pick<Estimator, "name" | "value" | "slope">;

/** The registry's entry for a per-sample estimator's name or alias (`full` is not per token). */
export function tokenEstimator(name: string): TokenEstimator {
  const entry = estimatorNamed(name);
  if (!entry?.perSample) throw new RangeError(`'${name}' is not a per-token KL estimator`);
  return entry;
}
