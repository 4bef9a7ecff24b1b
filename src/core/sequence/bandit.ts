/**
 * A sequence problem seen as a bandit over its S complete sequences: π_ref(y), log π_ref(y) (summed
 * along the path, never the log of a product that may underflow), R(y) and the gold reward. Every
 * sequence-level quantity of a sequence distribution — its KLs, its optimum under any penalty, its
 * metrics — is that bandit's (the tabular tree represents every distribution over sequences).
 */
import type { Problem } from "../problem.js";
import { referenceSequenceProbabilitiesInto } from "./paths.js";
import type { SequenceProblem } from "./problem.js";

export function sequenceBanditOf(problem: SequenceProblem): Problem {
  const { tree, logRef, context, reward, gold } = problem;
  const { V, nodes, sequences, seqNode, seqEdge } = tree;
  const prefixLogRef = new Float64Array(nodes); // log P_ref(n)
  for (let n = 1; n < nodes; n++) {
    const p = tree.parent[n]!;
    prefixLogRef[n] = prefixLogRef[p]! + logRef[context[p]! * V + tree.token[n]!]!;
  }
  const seqLogRef = new Float64Array(sequences);
  for (let y = 0; y < sequences; y++) {
    const n = seqNode[y]!;
    seqLogRef[y] = prefixLogRef[n]! + logRef[context[n]! * V + seqEdge[y]! - n * V]!;
  }
  const ref = referenceSequenceProbabilitiesInto(problem, new Float64Array(sequences));
  return { V: sequences, ref, logRef: seqLogRef, reward, gold };
}
