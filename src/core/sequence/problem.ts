/**
 * What a sequence scenario fixes: the prefix tree, the reference next-token distribution
 * π_ref(·|prefix) (by position t and previous token), the proxy reward R(y) and optionally the
 * gold reward of every complete sequence y. Immutable once built.
 */
import { distributionProblem, logOf, normalizedOf } from "../distributions.js";
import { PrefixTree, type TreeShape } from "./tree.js";

/**
 * π_ref(·|prefix): one distribution for every prefix, or a function of the position t (0-based)
 * and the previous token (−1 at the start). Probabilities, strictly positive; renormalised.
 */
export type ReferenceHook = ArrayLike<number> | ((t: number, prev: number) => ArrayLike<number>);

/** A sequence's reward from its tokens without eos, tokens[0…length). */
export type SequenceRewardHook = (tokens: Int32Array, length: number) => number;

export interface SequenceSpec extends TreeShape {
  readonly reference: ReferenceHook;
  /** The proxy reward R(y) the optimiser sees. */
  readonly reward: SequenceRewardHook;
  /** The gold reward, or null/undefined. */
  readonly gold?: SequenceRewardHook | null;
}

export interface SequenceProblem {
  readonly tree: PrefixTree;
  /** Distinct reference rows π_ref(·|context), contexts × V. */
  readonly ref: Float64Array;
  /** log of `ref`. */
  readonly logRef: Float64Array;
  /** node → its reference row (the row starts at context·V). */
  readonly context: Int32Array;
  /** node → the probability π_ref reaches it: Π π_ref along its path (weights the forward KL). */
  readonly refReach: Float64Array;
  /** sequence → R(y). */
  readonly reward: Float64Array;
  /** sequence → gold reward, or null. */
  readonly gold: Float64Array | null;
}

/** A reference row that is not a strictly positive distribution; the message says which (t, prev). */
export class SequenceReferenceError extends RangeError {}

export function makeSequenceProblem(spec: SequenceSpec): SequenceProblem {
  const tree = new PrefixTree(spec);
  const { V, nodes } = tree;
  const { rows, context } = referenceRows(tree, spec.reference);
  const ref = new Float64Array(rows.length * V);
  for (let c = 0; c < rows.length; c++) ref.set(rows[c]!, c * V);
  const logRef = logOf(ref);
  const refReach = new Float64Array(nodes);
  refReach[0] = 1;
  for (let n = 1; n < nodes; n++) {
    const p = tree.parent[n]!;
    refReach[n] = refReach[p]! * ref[context[p]! * V + tree.token[n]!]!; // P_ref(s·a) = P_ref(s)·π_ref(a|s)
  }
  const reward = sequenceValues(tree, spec.reward);
  const gold = spec.gold ? sequenceValues(tree, spec.gold) : null;
  return { tree, ref, logRef, context, refReach, reward, gold };
}

/** One row per distinct (t, prev) the tree uses (a single row for a constant reference). */
function referenceRows(tree: PrefixTree, reference: ReferenceHook): { rows: Float64Array[]; context: Int32Array } {
  const { V, nodes } = tree;
  const context = new Int32Array(nodes);
  if (typeof reference !== "function") return { rows: [checkedRow(reference, V, "")], context };
  const rows: Float64Array[] = [];
  const rowOf = new Map<number, number>(); // key t·(V + 1) + prev + 1
  for (let n = 0; n < nodes; n++) {
    const t = tree.depth[n]!;
    const prev = tree.token[n]!;
    const key = t * (V + 1) + prev + 1;
    let row = rowOf.get(key);
    if (row === undefined) {
      row = rows.length;
      rows.push(checkedRow(reference(t, prev), V, ` at t = ${t}, prev = ${prev}`));
      rowOf.set(key, row);
    }
    context[n] = row;
  }
  return { rows, context };
}

function checkedRow(p: ArrayLike<number>, V: number, where: string): Float64Array {
  if (p.length !== V) throw new SequenceReferenceError(`the reference has ${p.length} entries${where}, expected ${V}`);
  // Renormalising is for rounding only: a row that does not sum to 1 is an input error.
  const problem = distributionProblem(p, true);
  if (problem) throw new SequenceReferenceError(`the reference${where}: ${problem}`);
  return normalizedOf(p);
}

function sequenceValues(tree: PrefixTree, hook: SequenceRewardHook): Float64Array {
  const out = new Float64Array(tree.sequences);
  const tokens = new Int32Array(tree.horizon);
  for (let y = 0; y < tree.sequences; y++) {
    tree.tokensOf(y, tokens);
    const length = tree.seqLength[y]!;
    const value = hook(tokens, length);
    // A non-finite reward would make every expectation NaN: refuse it where it is made.
    if (!Number.isFinite(value)) throw new RangeError(`the reward of the sequence [${Array.from(tokens.subarray(0, length)).join(" ")}] is ${value}`);
    out[y] = value;
  }
  return out;
}
