/**
 * Walking one complete sequence: its prefixes, edges and per-token log-ratios under the current
 * policy, and the probability of every sequence under π, π_ref or any evaluated policy.
 */
import type { SequenceProblem } from "./problem.js";
import type { SequenceState } from "./state.js";

/**
 * For sequence y under an evaluated state: nodes[t], edges[t] and logRatio[t] = log π(a_t|s_t) −
 * log π_ref(a_t|s_t) for each of its tokens (eos included); returns the token count n.
 */
export function pathOf(s: SequenceState, y: number, nodes: Int32Array, edges: Int32Array, logRatio: Float64Array): number {
  const { tree, logRef, context } = s.problem;
  const V = tree.V;
  let node = tree.seqNode[y]!;
  let edge = tree.seqEdge[y]!;
  const n = tree.depth[node]! + 1;
  for (let t = n - 1; t >= 0; t--) {
    nodes[t] = node;
    edges[t] = edge;
    logRatio[t] = s.theta[edge]! - s.logZ[node]! - logRef[context[node]! * V + edge - node * V]!;
    if (t > 0) {
      edge = tree.parent[node]! * V + tree.token[node]!;
      node = tree.parent[node]!;
    }
  }
  return n;
}

/** out[y] ← π(y) = P_π(last prefix)·π(last token | it), for an evaluated state. */
export function sequenceProbabilitiesInto(s: SequenceState, out: Float64Array): Float64Array {
  const { seqNode, seqEdge, sequences } = s.problem.tree;
  for (let y = 0; y < sequences; y++) out[y] = s.reach[seqNode[y]!]! * s.pi[seqEdge[y]!]!;
  return out;
}

/** out[y] ← π_ref(y). */
export function referenceSequenceProbabilitiesInto(problem: SequenceProblem, out: Float64Array): Float64Array {
  const { tree, ref, context, refReach } = problem;
  const { seqNode, seqEdge, sequences, V } = tree;
  for (let y = 0; y < sequences; y++) {
    const n = seqNode[y]!;
    out[y] = refReach[n]! * ref[context[n]! * V + seqEdge[y]! - n * V]!;
  }
  return out;
}
