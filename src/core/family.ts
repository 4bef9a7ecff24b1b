/**
 * A policy family: what a model must provide for the Simulation to train it exactly. The full
 * softmax over tokens (families/softmax.ts) is one; a tabular sequence model and restricted
 * students over ordered tokens are others. A family owns its parameters θ and the buffers of its
 * last evaluation; steppers (stepper.ts) drive it.
 */
import type { Divergence } from "./divergence.js";

export interface PolicyFamily {
  /** "softmax", "sequence", "gaussian", … */
  readonly name: string;
  /** Tokens in the vocabulary (what the token panel shows per token). */
  readonly vocab: number;
  /** The parameters; optimisers update them in place. */
  readonly theta: Float64Array;
  /** ∇_θ J after `gradient`. */
  readonly grad: Float64Array;
  /** The metric-row fields (src/core/metric-row.ts METRIC indices) this family fills. */
  readonly metrics: readonly number[];
  /** θ ← the starting parameters (for an RLHF policy: π = π_ref). */
  reset(): void;
  /** The optimiser changed θ; `maxTheta` is its largest entry (the softmax's shift, found for free). */
  updated(maxTheta: number): void;
  /** Evaluates the current θ: the metrics into `row` from index `at` (METRIC order), and whatever `gradient` needs. */
  evaluate(penalty: Divergence, row: Float64Array, at?: number): void;
  /** grad ← ∇_θ [E_π[r] − β·D(π, π_ref)] at the evaluated θ. */
  gradient(penalty: Divergence, beta: number): void;
  /** The probability of each token at the evaluated θ (a view: copy what you keep). */
  tokenProbabilities(): Float64Array;
  /** out ← log π of each token at the evaluated θ, without taking the log of a probability (the token panel's log-ratios). */
  tokenLogProbabilities?(out: Float64Array): void;
  /** Sequence models: each position's share of the reverse sequence KL at the evaluated θ (a view). */
  positionProfile?(): Float64Array;
  /** Why the parameters cannot be evaluated (a non-finite θ), or null. */
  failure(): string | null;
}
