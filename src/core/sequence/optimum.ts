/**
 * Optima of E_π[R] − β·KL over all sequence distributions (the tabular tree represents every one),
 * written as logits θ* = log π*(a|n) so the same evaluation gives their metrics.
 *
 * Reverse: π*(y) ∝ π_ref(y)·exp(R(y)/β) (Korbak 2022), whose conditionals are given by the soft
 * Bellman values (Ziebart 2010; Levine 2018 §2.3)
 *   V(n) = β·log Σ_a π_ref(a|n)·exp(Q(n,a)/β),  Q(n,a) = R(y) or V(n·a),  π*(a|n) = π_ref(a|n)·exp((Q(n,a) − V(n))/β).
 * Stably for any β ≥ 0 (to β = 0 and β = 5e-324) by carrying V = m + β·c: m(n) = max_a m(n,a) is the
 * best reward below n and c(n) = log Σ_a π_ref(a|n)·exp((m(n,a) − m(n))/β + c(n,a)) a log-sum-exp of
 * terms ≤ log π_ref + c. At β = 0 a term is kept only when m(n,a) = m(n): π* is then π_ref restricted to
 * the argmax sequences (ties in proportion to π_ref), and c(n) is log of π_ref's mass on them.
 *
 * Forward: π*(y) = β·π_ref(y)/(λ − R(y)), λ > max R, Σπ* = 1, solved on the list of sequences by the
 * bandit's solver (the forward entry's optimum); the conditionals are ratios of subtree masses.
 */
import { forwardKL } from "../divergences/forward.js";
import { logOf } from "../distributions.js";
import { referenceSequenceProbabilitiesInto } from "./paths.js";
import type { SequenceProblem } from "./problem.js";

/** out ← θ* = log π*(a|n) for the reverse penalty; returns the optimal J = V(root). Allocates two node arrays (not a per-step call). */
export function reverseSequenceOptimum(problem: SequenceProblem, beta: number, out: Float64Array): number {
  const { tree, logRef, context, reward } = problem;
  const { V, nodes, next } = tree;
  const best = new Float64Array(nodes); // m(n)
  const lse = new Float64Array(nodes); // c(n)
  for (let n = nodes - 1; n >= 0; n--) {
    const base = n * V;
    const row = context[n]! * V;
    let m = -Infinity;
    for (let a = 0; a < V; a++) {
      const c = next[base + a]!;
      const below = c >= 0 ? best[c]! : reward[-1 - c]!;
      if (below > m) m = below;
    }
    let max = -Infinity;
    for (let a = 0; a < V; a++) {
      const c = next[base + a]!;
      const below = c >= 0 ? best[c]! : reward[-1 - c]!;
      const carried = c >= 0 ? lse[c]! : 0;
      // (m(n,a) − m(n))/β, with 0/0 (β = 0, a tie with the best) taken as 0.
      const gap = below === m ? 0 : (below - m) / beta;
      const x = logRef[row + a]! + gap + carried;
      out[base + a] = x;
      if (x > max) max = x;
    }
    let sum = 0;
    for (let a = 0; a < V; a++) sum += Math.exp(out[base + a]! - max);
    const c = max + Math.log(sum);
    for (let a = 0; a < V; a++) out[base + a] = out[base + a]! - c;
    best[n] = m;
    lse[n] = c;
  }
  return beta === 0 ? best[0]! : best[0]! + beta * lse[0]!;
}

/**
 * out ← θ* = log π*(a|n) for the forward penalty (β = 0: the reverse rule, the same argmax optimum).
 * A prefix π* never reaches (its mass underflowed to 0) keeps π_ref's conditional: any is optimal there.
 */
export function forwardSequenceOptimum(problem: SequenceProblem, beta: number, out: Float64Array): void {
  if (beta === 0) {
    reverseSequenceOptimum(problem, 0, out);
    return;
  }
  const { tree, logRef, context, reward } = problem;
  const { V, nodes, next } = tree;
  const mass = new Float64Array(nodes); // π*(subtree of n)
  const sequenceRef = referenceSequenceProbabilitiesInto(problem, new Float64Array(tree.sequences));
  const seqOpt = forwardKL.optimum(sequenceRef, logOf(sequenceRef), reward, beta);
  for (let n = nodes - 1; n >= 0; n--) {
    const base = n * V;
    let total = 0;
    for (let a = 0; a < V; a++) {
      const c = next[base + a]!;
      const m = c >= 0 ? mass[c]! : seqOpt[-1 - c]!;
      out[base + a] = m;
      total += m;
    }
    mass[n] = total;
    const row = context[n]! * V;
    for (let a = 0; a < V; a++) out[base + a] = total > 0 ? Math.log(out[base + a]! / total) : logRef[row + a]!;
  }
}
