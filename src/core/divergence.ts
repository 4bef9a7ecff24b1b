/**
 * A penalty divergence D(π, π_ref): one registry entry (divergences/registry.ts) holds its value,
 * its gradient, its optimum under the penalty and its labels. Everything else — the scenario
 * schema's choices, `--penalty`, the TUI's `d`, chart titles, the record's `penalty_value` — reads
 * the entries; no other file names a divergence.
 *
 * Arrays are over one vocabulary; `logPi` and `logRef` are the logs the caller already has
 * (log π = θ − logsumexp θ, never the log of a softmax output). A zero in π is allowed
 * (log π = −Infinity); π_ref is strictly positive.
 */
import type { OptimumWork } from "./distributions.js";

export interface Divergence {
  /** How scenarios and the command line name it: "reverse", "forward", "js", "alpha:0.5". */
  readonly name: string;
  /** For chart titles and help: "reverse KL(π‖π_ref)". */
  readonly label: string;
  /** For status lines and narrow screens: "reverse KL", "JS", "α=0.5". */
  readonly short: string;
  /** The divergence as a formula, for text output: "KL(π‖π_ref)". */
  readonly symbol: string;
  /**
   * D(π, π_ref) in nats; +Infinity where it is truly infinite (forward KL with a zero in π), never
   * NaN. Clamped at 0 from below: a negative value is rounding.
   */
  value(pi: ArrayLike<number>, logPi: ArrayLike<number>, ref: ArrayLike<number>, logRef: ArrayLike<number>): number;
  /**
   * out ← ∇_ℓ [E_π[r] − β·D(π, π_ref)] for π = softmax ℓ — with `reward` null, the penalty's part
   * −β·∇_ℓ D alone. By the softmax chain rule (∂π_j/∂ℓ_i = π_j(δ_ij − π_i)) it is
   * π ⊙ (r − E_π[r]) − β(w − π·Σw) with w_i = π_i·∂D/∂π_i; a restricted family chains it on through
   * ℓ(θ). `value` is D at π (some entries' Σw), `meanReward` E_π[r]; `logPi` is finite (a family's
   * ℓ − logsumexp ℓ), even where π underflows to 0.
   */
  logitGradient(
    pi: ArrayLike<number>,
    logPi: ArrayLike<number>,
    ref: ArrayLike<number>,
    logRef: ArrayLike<number>,
    reward: ArrayLike<number> | null,
    meanReward: number,
    beta: number,
    value: number,
    out: Float64Array,
  ): void;
  /** argmax over the simplex of E_π[r] − β·D(π, π_ref) for β > 0 (β = 0 is argmaxOptimum for every D); `work` lends a buffer and a fast exp to the forms that take them. */
  optimum(ref: ArrayLike<number>, logRef: ArrayLike<number>, reward: ArrayLike<number>, beta: number, work?: OptimumWork): Float64Array;
  /**
   * When D is one of the two KLs that every evaluation computes anyway, which one (its index in a
   * metric row, core/metric-row.ts): its value is then read from there instead of costing another
   * pass over the vocabulary.
   */
  readonly sameAs?: number;
  /**
   * Whether the per-sample KL estimators (k1, k2, k3, …) estimate it: they estimate KL(π‖π_ref)
   * from samples of π (Schulman 2020). A sampled run penalises any other D with its exact gradient.
   */
  readonly estimable: boolean;
}

/**
 * One kind of divergence in the registry: a fixed one ("js") or a family with a parameter
 * ("alpha:A"). `parse` gives the entry for a name of this kind, a reason the name is wrong, or
 * null when the name is not of this kind.
 */
export interface DivergenceKind {
  /** The kind's name: the whole penalty name for a fixed one, the part before ':' otherwise. */
  readonly kind: string;
  /** How to write it, for help and errors: "js", "alpha:A (0 < A < 1)". */
  readonly syntax: string;
  /** One line: what it is and what it does to the optimum. */
  readonly describe: string;
  /** The entry the TUI's `d` cycles to. */
  readonly example: Divergence;
  /** A JSON Schema fragment accepting exactly the names of this kind (for scenario.schema.json). */
  readonly jsonSchema: { const: string } | { pattern: string };
  parse(name: string): Divergence | { problem: string } | null;
}

/** A kind with exactly one entry. */
export function fixedKind(entry: Divergence, describe: string): DivergenceKind {
  return {
    kind: entry.name,
    syntax: entry.name,
    describe,
    example: entry,
    jsonSchema: { const: entry.name },
    parse: (name) => (name === entry.name ? entry : null),
  };
}

/**
 * The logit gradient from the weights w_i = π_i·∂D/∂π_i already in `out` (an entry's first pass):
 * out_i ← π_i(r_i − E_π[r]) − β(w_i − π_i·Σw).
 */
export function logitGradientFromWeights(pi: ArrayLike<number>, reward: ArrayLike<number> | null, meanReward: number, beta: number, out: Float64Array): void {
  let sumW = 0;
  for (let i = 0; i < pi.length; i++) sumW += out[i]!;
  for (let i = 0; i < pi.length; i++) {
    const own = reward ? pi[i]! * (reward[i]! - meanReward) : 0;
    out[i] = own - beta * (out[i]! - pi[i]! * sumW);
  }
}
