/**
 * Test-side brute force for sequence policies, independent of src/core/sequence's recursions: every
 * sequence listed by plain recursion over token lists, its probability as a product of per-prefix
 * softmaxes, and the sequence-level quantities as sums over that list. The only thing read from the
 * code under test is which logit row belongs to a prefix (walking `tree.next`), which tree.test.ts checks.
 */
import type { SequenceProblem } from "../../../src/core/sequence/problem.js";
import type { PrefixTree } from "../../../src/core/sequence/tree.js";

/** All sequences of a shape as token lists (eos included when a sequence ends with it). */
export function allSequences(V: number, T: number, eos: number): number[][] {
  const out: number[][] = [];
  const extend = (prefix: number[]) => {
    for (let a = 0; a < V; a++) {
      const seq = [...prefix, a];
      if (a === eos || seq.length === T) out.push(seq);
      else extend(seq);
    }
  };
  extend([]);
  return out;
}

/** The logit row of a prefix (its node), found by walking the tree from the root. */
export function nodeOf(tree: PrefixTree, prefix: readonly number[]): number {
  let n = 0;
  for (const a of prefix) {
    n = tree.next[n * tree.V + a]!;
    if (n < 0) throw new Error(`prefix [${prefix}] runs past a terminal edge`);
  }
  return n;
}

/** log-softmax of a row, written out: θ − (max + log Σ exp(θ − max)). */
export function logSoftmaxRow(theta: ArrayLike<number>, start: number, V: number): number[] {
  let max = -Infinity;
  for (let a = 0; a < V; a++) max = Math.max(max, theta[start + a]!);
  let sum = 0;
  for (let a = 0; a < V; a++) sum += Math.exp(theta[start + a]! - max);
  const lz = max + Math.log(sum);
  return Array.from({ length: V }, (_, a) => theta[start + a]! - lz);
}

export interface Enumerated {
  seq: number[];
  /** Tokens without eos. */
  body: number[];
  /** Tokens generated, eos included. */
  steps: number;
  logPi: number;
  logRef: number;
  pi: number;
  ref: number;
  reward: number;
  gold: number;
  /** log π(a_t|s_t) − log π_ref(a_t|s_t) per token. */
  logRatios: number[];
}

/**
 * Every sequence with its probabilities under the logits θ (π) and under a reference given directly as
 * the function of (t, prev) the spec used; rewards from the reward functions themselves.
 */
export function enumerate(
  tree: PrefixTree,
  theta: ArrayLike<number>,
  reference: (t: number, prev: number) => number[],
  reward: (body: number[]) => number,
  gold: (body: number[]) => number = () => 0,
): Enumerated[] {
  const { V, horizon, eos } = tree;
  return allSequences(V, horizon, eos).map((seq) => {
    let logPi = 0;
    let logRef = 0;
    const logRatios: number[] = [];
    for (let t = 0; t < seq.length; t++) {
      const a = seq[t]!;
      const lp = logSoftmaxRow(theta, nodeOf(tree, seq.slice(0, t)) * V, V)[a]!;
      const r = reference(t, t === 0 ? -1 : seq[t - 1]!);
      const total = r.reduce((x, y) => x + y, 0);
      const lr = Math.log(r[a]! / total);
      logPi += lp;
      logRef += lr;
      logRatios.push(lp - lr);
    }
    const body = seq[seq.length - 1] === eos ? seq.slice(0, -1) : seq;
    return { seq, body, steps: seq.length, logPi, logRef, pi: Math.exp(logPi), ref: Math.exp(logRef), reward: reward(body), gold: gold(body), logRatios };
  });
}

/** Fills θ with reproducible random logits (scale sets how far from uniform). */
export function randomTheta(problem: SequenceProblem, random: () => number, scale = 1.5): Float64Array {
  const theta = new Float64Array(problem.tree.edges);
  for (let i = 0; i < theta.length; i++) theta[i] = scale * (2 * random() - 1);
  return theta;
}

/** Σ over the list. */
export function total(list: Enumerated[], f: (e: Enumerated) => number): number {
  let s = 0;
  for (const e of list) s += f(e);
  return s;
}
