/**
 * The KL-regularised objective J(π) = E_π[r] − β·KL_dir and its exact gradient with respect
 * to the logits θ (π = softmax θ). These are the plain, readable formulas: the reference the
 * fused kernel (kernel.ts) is tested against.
 */
import { dot } from "./distributions.js";

/** Which KL the penalty uses: `reverse` = KL(π‖π_ref) (standard RLHF), `forward` = KL(π_ref‖π). */
export type Penalty = "reverse" | "forward";

export const PENALTIES: readonly Penalty[] = ["reverse", "forward"];

/** Reverse KL from log-probabilities: Σ π (log π − log π_ref). */
export function reverseKLOf(pi: ArrayLike<number>, logPi: ArrayLike<number>, logRef: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pi.length; i++) s += pi[i]! * (logPi[i]! - logRef[i]!);
  return s;
}

/** Forward KL from log-probabilities: Σ π_ref (log π_ref − log π). */
export function forwardKLOf(ref: ArrayLike<number>, logPi: ArrayLike<number>, logRef: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) s += ref[i]! * (logRef[i]! - logPi[i]!);
  return s;
}

/** J(π) = ⟨π, r⟩ − β·KL_dir. */
export function objectiveOf(
  penalty: Penalty,
  beta: number,
  pi: ArrayLike<number>,
  logPi: ArrayLike<number>,
  ref: ArrayLike<number>,
  logRef: ArrayLike<number>,
  reward: ArrayLike<number>,
): number {
  const kl = penalty === "reverse" ? reverseKLOf(pi, logPi, logRef) : forwardKLOf(ref, logPi, logRef);
  return dot(pi, reward) - beta * kl;
}

/** Reverse penalty: ∇_θ J = π ⊙ (f − ⟨π, f⟩), f = r − β(log π − log π_ref)  (softmax chain rule). */
export function reverseGradientInto(
  pi: ArrayLike<number>,
  logPi: ArrayLike<number>,
  logRef: ArrayLike<number>,
  reward: ArrayLike<number>,
  beta: number,
  out: Float64Array,
): Float64Array {
  let mean = 0;
  for (let i = 0; i < pi.length; i++) mean += pi[i]! * (reward[i]! - beta * (logPi[i]! - logRef[i]!));
  for (let i = 0; i < pi.length; i++) out[i] = pi[i]! * (reward[i]! - beta * (logPi[i]! - logRef[i]!) - mean);
  return out;
}

/** Forward penalty: ∇_θ J = π ⊙ (r − ⟨π, r⟩) + β(π_ref − π)  (∂/∂θ of −β Σ π_ref log π). */
export function forwardGradientInto(pi: ArrayLike<number>, ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number, out: Float64Array): Float64Array {
  const mean = dot(pi, reward);
  for (let i = 0; i < pi.length; i++) out[i] = pi[i]! * (reward[i]! - mean) + beta * (ref[i]! - pi[i]!);
  return out;
}
