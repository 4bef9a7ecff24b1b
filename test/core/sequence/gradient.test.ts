import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/core/random.js";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { forwardSequenceGradient, reverseSequenceGradient } from "../../../src/core/sequence/gradient.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import { enumerate, randomTheta, total } from "./enumeration.js";
import { fixture, rewardOf, SHAPES } from "./fixtures.js";

/** J by enumeration: Σ_y π(y)·R(y) − β·KL_dir over the list of sequences. */
function objectiveByEnumeration(
  direction: "reverse" | "forward",
  tree: Parameters<typeof enumerate>[0],
  theta: Float64Array,
  reference: (t: number, prev: number) => number[],
  beta: number,
): number {
  const list = enumerate(tree, theta, reference, rewardOf);
  const kl = direction === "reverse" ? total(list, (e) => e.pi * (e.logPi - e.logRef)) : total(list, (e) => e.ref * (e.logRef - e.logPi));
  return total(list, (e) => e.pi * e.reward) - beta * kl;
}

describe("exact sequence gradients match central finite differences of J computed by enumeration", () => {
  for (const shape of SHAPES.slice(1)) {
    for (const [direction, gradient] of [
      ["reverse", reverseSequenceGradient],
      ["forward", forwardSequenceGradient],
    ] as const) {
      it(`${direction}, V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos}, β = 0.7`, () => {
        const { problem, reference } = fixture(shape);
        const state = new SequenceState(problem);
        const beta = 0.7;
        state.theta.set(randomTheta(problem, mulberry32(29 + shape.V), 1.2));
        evaluateSequencePolicy(state);
        const value = gradient(state, beta);
        // The returned root value is J (reverse) or E[R] (forward).
        const J = objectiveByEnumeration(direction, problem.tree, state.theta, reference, beta);
        expect(value).toBeCloseTo(direction === "reverse" ? J : state.reward, 12);
        const h = 1e-5;
        const theta = Float64Array.from(state.theta);
        let worst = 0;
        for (let i = 0; i < theta.length; i++) {
          const saved = theta[i]!;
          theta[i] = saved + h;
          const up = objectiveByEnumeration(direction, problem.tree, theta, reference, beta);
          theta[i] = saved - h;
          const down = objectiveByEnumeration(direction, problem.tree, theta, reference, beta);
          theta[i] = saved;
          worst = Math.max(worst, Math.abs((up - down) / (2 * h) - state.grad[i]!));
        }
        expect(worst).toBeLessThan(1e-9); // central differences: O(h²) ≈ 1e-10 plus rounding ≈ 1e-11
      });
    }
  }

  it("reverse: the gradient of each prefix's logits sums to 0 (softmax is shift-invariant) and vanishes at π_ref when R = 0", () => {
    const { problem } = fixture({ V: 3, horizon: 4, eos: -1 });
    const state = new SequenceState(problem);
    state.theta.set(randomTheta(problem, mulberry32(2)));
    evaluateSequencePolicy(state);
    reverseSequenceGradient(state, 0.4);
    for (let n = 0; n < problem.tree.nodes; n++) expect(Math.abs(state.grad[n * 3]! + state.grad[n * 3 + 1]! + state.grad[n * 3 + 2]!)).toBeLessThan(1e-15);
    const zero = { ...problem, reward: new Float64Array(problem.reward.length) };
    const atRef = new SequenceState(zero);
    evaluateSequencePolicy(atRef);
    reverseSequenceGradient(atRef, 0.4);
    for (const g of atRef.grad) expect(Math.abs(g)).toBeLessThan(1e-16);
  });
});
