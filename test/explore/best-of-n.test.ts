/**
 * Best-of-n against a second method: enumerate every n-tuple of draws from π_ref, keep a highest-
 * reward draw (uniformly among the tied ones), and add up the probabilities. Also: Σπ_bon = 1, n = 1
 * is π_ref, KL ≤ log n − (n−1)/n, and large n stays finite.
 */
import { describe, expect, it } from "vitest";
import { makeProblem } from "../../src/core/problem.js";
import { bestOfN, bestOfNBound } from "../../src/explore/best-of-n.js";

/** P(winner = i) by enumerating all Vⁿ tuples; ties among the maximal draws are broken uniformly. */
function bruteForce(ref: number[], reward: number[], n: number): number[] {
  const V = ref.length;
  const out = new Array<number>(V).fill(0);
  const tuple = new Array<number>(n).fill(0);
  for (let code = 0; code < V ** n; code++) {
    let c = code;
    let prob = 1;
    for (let k = 0; k < n; k++) {
      tuple[k] = c % V;
      c = Math.floor(c / V);
      prob *= ref[tuple[k]!]!;
    }
    const best = Math.max(...tuple.map((i) => reward[i]!));
    const winners = tuple.filter((i) => reward[i] === best);
    for (const i of winners) out[i]! += prob / winners.length;
  }
  return out;
}

const kl = (p: ArrayLike<number>, q: number[]) => Array.from(p).reduce((s, x, i) => s + (x > 0 ? x * Math.log(x / q[i]!) : 0), 0);

const CASES: Array<{ name: string; ref: number[]; reward: number[] }> = [
  { name: "distinct rewards", ref: [0.5, 0.3, 0.15, 0.05], reward: [0, 1, 2, 3] },
  { name: "ties at the top and in the middle", ref: [0.1, 0.2, 0.3, 0.25, 0.15], reward: [2, 1, 2, 1, 0] },
  { name: "rewards out of order, all tied but one", ref: [0.4, 0.35, 0.25], reward: [5, 5, -1] },
];

describe("best-of-n", () => {
  for (const { name, ref, reward } of CASES) {
    it(`equals the enumeration of all n-tuples (${name})`, () => {
      const problem = makeProblem(ref, reward, null);
      for (const n of [1, 2, 3, 4, 5]) {
        const bon = bestOfN(problem, n);
        const brute = bruteForce(ref, reward, n);
        bon.policy.forEach((p, i) => expect(p, `n=${n} i=${i}`).toBeCloseTo(brute[i]!, 13));
        expect(bon.policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
        expect(bon.reverseKL).toBeCloseTo(kl(brute, ref), 12);
        expect(bon.reverseKL).toBeLessThanOrEqual(bestOfNBound(n) + 1e-15);
        expect(bon.reward).toBeCloseTo(
          brute.reduce((s, p, i) => s + p * reward[i]!, 0),
          13,
        );
      }
    });
  }

  it("n = 1 is π_ref (KL 0, bound 0); the bound is log n − (n−1)/n", () => {
    const problem = makeProblem([0.2, 0.8], [1, 0], [0, 1]);
    const one = bestOfN(problem, 1);
    expect(Array.from(one.policy)).toEqual([0.2, 0.8].map((x) => expect.closeTo(x, 15)));
    expect(one.reverseKL).toBeCloseTo(0, 15);
    expect(one.bound).toBe(0);
    expect(bestOfNBound(4)).toBeCloseTo(Math.log(4) - 0.75, 15);
    // two tokens: π_bon(top) = 1 − 0.8ⁿ by hand; gold is the other token's probability
    const ten = bestOfN(problem, 10);
    expect(ten.policy[0]).toBeCloseTo(1 - 0.8 ** 10, 14);
    expect(ten.goldReward).toBeCloseTo(0.8 ** 10, 14);
  });

  it("KL ≤ bound for n up to 10⁹, finite and stable, monotone in n", () => {
    const problem = makeProblem([0.498, 0.3, 0.2, 0.002], [0, 1, 1.2, 2], [0, 1, 1.1, -1]);
    let previous = -1;
    for (const n of [1, 2, 7, 50, 1000, 1e5, 1e9]) {
      const bon = bestOfN(problem, n);
      expect(Number.isFinite(bon.reverseKL) && Number.isFinite(bon.forwardKL)).toBe(true);
      expect(bon.reverseKL).toBeLessThanOrEqual(bon.bound);
      expect(bon.gap).toBeCloseTo(bon.bound - bon.reverseKL, 15);
      // strictly increasing until π_bon(top) = 1 − (1 − 0.002)ⁿ is 1 to double precision
      if (n <= 1000) expect(bon.reverseKL).toBeGreaterThan(previous);
      else expect(bon.reverseKL).toBeGreaterThanOrEqual(previous);
      previous = bon.reverseKL;
    }
    // n → ∞: all mass on the top token, KL → −log π_ref(top)
    expect(bestOfN(problem, 1e9).reverseKL).toBeCloseTo(-Math.log(0.002), 6);
  });
});
