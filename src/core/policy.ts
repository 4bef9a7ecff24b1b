/**
 * The fused exact-mode hot loop. One `exp` per token per step, no allocation, no log of a
 * probability: log π = θ − logZ. Buffers live in `PolicyState` so that sampled mode can reuse them.
 */
import { logOf, normalizedOf } from "./distributions.js";
import type { Penalty } from "./objective.js";

/** What a scenario fixes: π_ref, the proxy reward r and optionally the gold reward g. Immutable. */
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

/** The policy's buffers and the metrics of its current θ (filled by `evaluatePolicy`). */
export class PolicyState {
  /** Logits θ. */
  readonly theta: Float64Array;
  /** π = softmax θ, after `evaluatePolicy`. */
  readonly pi: Float64Array;
  /** ∇_θ J, after a gradient. */
  readonly grad: Float64Array;
  /** max_i θ_i: the shift that keeps exp from overflowing (maintained by the optimiser pass). */
  maxTheta = 0;
  /** log Σ exp θ. */
  logZ = 0;
  /** E_π[r]. */
  reward = 0;
  /** E_π[g], NaN without a gold reward. */
  goldReward = NaN;
  /** KL(π‖π_ref), unclamped (the gradient's baseline needs the raw value). */
  reverseKL = 0;
  /** KL(π_ref‖π). */
  forwardKL = 0;
  /** H(π). */
  entropy = 0;

  /** `buffers` lets a fast kernel keep θ, π and ∇J in its own memory (src/core/fast/exact.ts). */
  constructor(
    readonly V: number,
    buffers?: { theta: Float64Array; pi: Float64Array; grad: Float64Array },
  ) {
    this.theta = buffers?.theta ?? new Float64Array(V);
    this.pi = buffers?.pi ?? new Float64Array(V);
    this.grad = buffers?.grad ?? new Float64Array(V);
  }

  /** θ ← log π_ref: training starts at the reference policy. */
  resetTo(problem: Problem): void {
    this.theta.set(problem.logRef);
    let max = -Infinity;
    for (let i = 0; i < this.V; i++) if (problem.logRef[i]! > max) max = problem.logRef[i]!;
    this.maxTheta = max;
  }
}

/**
 * Pass A: π = softmax θ and every metric in the same loop. With e_i = exp(θ_i − m), Z = Σe:
 *   E_π[r] = Σ e r / Z,   KL(π‖π_ref) = Σ e (θ − m − log π_ref)/Z − log Z,
 *   H(π) = log Z − Σ e (θ − m)/Z,   KL(π_ref‖π) = Σ π_ref (log π_ref − θ + m) + log Z.
 */
export function evaluatePolicy(problem: Problem, s: PolicyState): void {
  const { V, ref, logRef, reward } = problem;
  const gold = problem.gold ?? reward;
  const theta = s.theta;
  const pi = s.pi;
  const m = s.maxTheta;
  let z = 0;
  let sumR = 0;
  let sumG = 0;
  let sumShifted = 0;
  let sumLogRatio = 0;
  let sumRefLogRatio = 0;
  for (let i = 0; i < V; i++) {
    const shifted = theta[i]! - m;
    const e = Math.exp(shifted);
    pi[i] = e;
    z += e;
    sumR += e * reward[i]!;
    sumG += e * gold[i]!;
    sumShifted += e * shifted;
    sumLogRatio += e * (shifted - logRef[i]!);
    sumRefLogRatio += ref[i]! * (logRef[i]! - shifted);
  }
  const invZ = 1 / z;
  const logZ = Math.log(z);
  for (let i = 0; i < V; i++) pi[i] = pi[i]! * invZ;
  s.logZ = m + logZ;
  s.reward = sumR * invZ;
  s.goldReward = problem.gold ? sumG * invZ : NaN;
  s.reverseKL = sumLogRatio * invZ - logZ;
  s.forwardKL = sumRefLogRatio + logZ;
  s.entropy = logZ - sumShifted * invZ;
}

/**
 * Pass B: s.grad ← ∇_θ J for the current π (call `evaluatePolicy` first).
 *   reverse: π ⊙ (f − ⟨π, f⟩), f = r − β(log π − log π_ref), ⟨π, f⟩ = E_π[r] − β·KL(π‖π_ref)
 *   forward: π ⊙ (r − E_π[r]) + β(π_ref − π)
 */
export function exactGradient(problem: Problem, s: PolicyState, penalty: Penalty, beta: number): void {
  const { V, ref, logRef, reward } = problem;
  const { theta, pi, grad } = s;
  if (penalty === "reverse") {
    const shift = s.logZ; // log π_i = θ_i − logZ
    const mean = s.reward - beta * s.reverseKL;
    for (let i = 0; i < V; i++) {
      grad[i] = pi[i]! * (reward[i]! - beta * (theta[i]! - shift - logRef[i]!) - mean);
    }
  } else {
    const mean = s.reward;
    for (let i = 0; i < V; i++) grad[i] = pi[i]! * (reward[i]! - mean) + beta * (ref[i]! - pi[i]!);
  }
}
