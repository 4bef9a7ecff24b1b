/**
 * Exact gradients of J = E_π[R] − β·KL_seq with respect to every prefix's logits, by one bottom-up
 * pass (children before parents) after `evaluateSequencePolicy` (which left π, logZ and P_π).
 *
 * Reverse, KL(π‖π_ref). Write J = Σ_n P(n) Σ_a π(a|n)·[r(n,a) − β·ℓ(n,a)], ℓ = log π − log π_ref,
 * r(n,a) = R(y) on a terminal edge and 0 otherwise. θ_n moves π(·|n) and, through it, the reach of
 * everything below n, so with the soft returns (entropy-regularised RL; Levine 2018 §2)
 *   Q(n,a) = R(y) (terminal) or W(n·a),   W(n) = Σ_a π(a|n)·(Q(n,a) − β·ℓ(n,a)),
 * J = W(root), and the softmax chain rule (∂π_a/∂θ_b = π_a(δ_ab − π_b), ∂ℓ_a/∂θ_b = δ_ab − π_b) gives
 *   ∂J/∂θ_{n,b} = P(n)·π(b|n)·(Q(n,b) − β·ℓ(n,b) − W(n))
 * (the −β·Σ_a π_a(δ_ab − π_b) term is 0). The bandit's π ⊙ (f − ⟨π,f⟩) at every prefix, scaled by P(n).
 *
 * Forward, KL(π_ref‖π) = Σ_n P_ref(n)·KL(π_ref(·|n)‖π(·|n)): P_ref does not depend on θ, and
 * ∂/∂θ_{n,b} KL(π_ref(·|n)‖π(·|n)) = π(b|n) − π_ref(b|n), so with plain reward-to-go U
 *   ∂J/∂θ_{n,b} = P(n)·π(b|n)·(U(n,b) − U(n)) + β·P_ref(n)·(π_ref(b|n) − π(b|n)).
 */
import type { SequenceState } from "./state.js";

/** s.grad ← ∇_θ(E[R] − β·KL(π‖π_ref)); s.value ← the soft returns W. Returns J = W(root). */
export function reverseSequenceGradient(s: SequenceState, beta: number): number {
  const { tree, logRef, context, reward } = s.problem;
  const { V, nodes, next } = tree;
  const { theta, pi, logZ, reach, grad, value } = s;
  for (let n = nodes - 1; n >= 0; n--) {
    const base = n * V;
    const row = context[n]! * V;
    const lz = logZ[n]!;
    let w = 0;
    for (let a = 0; a < V; a++) {
      const e = base + a;
      const p = pi[e]!;
      const c = next[e]!;
      const q = c >= 0 ? value[c]! : reward[-1 - c]!;
      const f = q - beta * (theta[e]! - lz - logRef[row + a]!); // Q(n,a) − β·ℓ(n,a)
      grad[e] = f;
      if (p > 0) w += p * f; // an edge with π = 0 (θ = −∞) has f = +∞ and weight 0
    }
    value[n] = w;
    const Pn = reach[n]!;
    for (let a = 0; a < V; a++) {
      const e = base + a;
      const p = pi[e]!;
      grad[e] = p > 0 ? Pn * p * (grad[e]! - w) : 0;
    }
  }
  return value[0]!;
}

/** s.grad ← ∇_θ(E[R] − β·KL(π_ref‖π)); s.value ← the reward-to-go U. Returns E[R] = U(root). */
export function forwardSequenceGradient(s: SequenceState, beta: number): number {
  const { tree, ref, context, refReach, reward } = s.problem;
  const { V, nodes, next } = tree;
  const { pi, reach, grad, value } = s;
  for (let n = nodes - 1; n >= 0; n--) {
    const base = n * V;
    let u = 0;
    for (let a = 0; a < V; a++) {
      const e = base + a;
      const c = next[e]!;
      const q = c >= 0 ? value[c]! : reward[-1 - c]!;
      grad[e] = q;
      u += pi[e]! * q;
    }
    value[n] = u;
    const Pn = reach[n]!;
    const Pref = beta * refReach[n]!;
    const row = context[n]! * V;
    for (let a = 0; a < V; a++) {
      const e = base + a;
      const p = pi[e]!;
      grad[e] = Pn * p * (grad[e]! - u) + Pref * (ref[row + a]! - p);
    }
  }
  return value[0]!;
}
