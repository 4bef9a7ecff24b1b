/** Small sequence problems for the tests: a reference that depends on (t, prev), rewards of the whole sequence. */
import { makeSequenceProblem, type SequenceProblem } from "../../../src/core/sequence/problem.js";
import type { TreeShape } from "../../../src/core/sequence/tree.js";

/** π_ref(·|t, prev) ∝ 1 + a + (a === prev ? 2 : 0) + t·(a % 2): unnormalised weights, normalised where used. */
export function referenceWeights(V: number): (t: number, prev: number) => number[] {
  return (t, prev) => Array.from({ length: V }, (_, a) => 1 + a + (a === prev ? 2 : 0) + t * (a % 2));
}

function normalised(weights: number[]): number[] {
  const total = weights.reduce((x, y) => x + y, 0);
  return weights.map((w) => w / total);
}

/** R = (#token 0) − 0.4·L + 0.7·[first token is 1] + 0.05·Σ_t t·token_t: rewards with few ties. */
export function rewardOf(body: number[]): number {
  let r = -0.4 * body.length + (body[0] === 1 ? 0.7 : 0);
  body.forEach((a, t) => {
    if (a === 0) r += 1;
    r += 0.05 * t * a;
  });
  return r;
}

/** A gold reward that disagrees with the proxy on length. */
export function goldOf(body: number[]): number {
  return body.filter((a) => a === 0).length - 0.5 * Math.max(0, body.length - 2);
}

export function fixture(shape: TreeShape): { problem: SequenceProblem; reference: (t: number, prev: number) => number[] } {
  const weights = referenceWeights(shape.V);
  const reference = (t: number, prev: number) => normalised(weights(t, prev));
  const problem = makeSequenceProblem({
    ...shape,
    reference,
    reward: (tokens, length) => rewardOf(Array.from(tokens.subarray(0, length))),
    gold: (tokens, length) => goldOf(Array.from(tokens.subarray(0, length))),
  });
  return { problem, reference };
}

export const SHAPES: readonly TreeShape[] = [
  { V: 3, horizon: 4, eos: -1 },
  { V: 3, horizon: 3, eos: 2 },
  { V: 4, horizon: 3, eos: 0 },
  { V: 2, horizon: 5, eos: 1 },
];
