/** What a scenario fixes for a bandit over V tokens: π_ref, the proxy reward r and optionally the gold reward g. */
import { logOf, normalizedOf } from "./distributions.js";

export interface Problem {
  /** Vocabulary size V. */
  readonly V: number;
  /** π_ref, strictly positive, normalised. */
  readonly ref: Float64Array;
  /** log π_ref. */
  readonly logRef: Float64Array;
  /** The proxy reward r the optimiser sees. */
  readonly reward: Float64Array;
  /** The gold reward g (what we actually wanted), or null. */
  readonly gold: Float64Array | null;
}

/** A Problem from a reference distribution (renormalised to remove rounding) and rewards. */
export function makeProblem(reference: ArrayLike<number>, reward: ArrayLike<number>, gold?: ArrayLike<number> | null): Problem {
  const ref = normalizedOf(reference);
  return {
    V: ref.length,
    ref,
    logRef: logOf(ref),
    reward: Float64Array.from(reward),
    gold: gold ? Float64Array.from(gold) : null,
  };
}
