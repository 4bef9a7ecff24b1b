/**
 * The optimum of E_π[R] − β·D(π, π_ref) as a distribution over complete sequences, for any penalty:
 * the two KLs by their prefix-tree rules (optimum.ts: soft Bellman values for the reverse KL, subtree
 * masses of π*(y) = β·π_ref(y)/(λ − R(y)) for the forward), every other divergence by its own entry
 * on the sequence-level bandit (the tree represents every distribution over sequences).
 */
import type { Divergence } from "../divergence.js";
import { METRIC } from "../metric-row.js";
import { optimumOf } from "../optima.js";
import type { Problem } from "../problem.js";
import { evaluateSequencePolicy } from "./evaluate.js";
import { forwardSequenceOptimum, reverseSequenceOptimum } from "./optimum.js";
import { sequenceProbabilitiesInto } from "./paths.js";
import type { SequenceProblem } from "./problem.js";
import { SequenceState } from "./state.js";

/** The penalties whose optimal logits θ* the tree gives directly, by the metric they equal. */
const TREE_OPTIMA: Readonly<Record<number, (problem: SequenceProblem, beta: number, out: Float64Array) => unknown>> = {
  [METRIC.reverse_kl]: reverseSequenceOptimum,
  [METRIC.forward_kl]: forwardSequenceOptimum,
};

/** θ* (logits per prefix) of the optimum, or null when only the bandit's π*(y) is known. */
export function sequenceOptimumLogits(problem: SequenceProblem, penalty: Divergence, beta: number): Float64Array | null {
  const rule = penalty.sameAs === undefined ? undefined : TREE_OPTIMA[penalty.sameAs];
  if (!rule) return null;
  const theta = new Float64Array(problem.tree.edges);
  rule(problem, beta, theta);
  return theta;
}

/** π*(y) over the sequences (allocates: not a per-step call). */
export function sequenceOptimumPolicy(problem: SequenceProblem, bandit: Problem, penalty: Divergence, beta: number): Float64Array {
  const theta = sequenceOptimumLogits(problem, penalty, beta);
  if (!theta) return optimumOf(penalty, bandit.ref, bandit.logRef, bandit.reward, beta);
  const state = new SequenceState(problem);
  state.theta.set(theta);
  evaluateSequencePolicy(state);
  return sequenceProbabilitiesInto(state, new Float64Array(problem.tree.sequences));
}
