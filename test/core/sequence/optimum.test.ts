import { describe, expect, it } from "vitest";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { forwardSequenceGradient, reverseSequenceGradient } from "../../../src/core/sequence/gradient.js";
import { forwardSequenceOptimum, reverseSequenceOptimum } from "../../../src/core/sequence/optimum.js";
import { makeSequenceProblem } from "../../../src/core/sequence/problem.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import { enumerate, total } from "./enumeration.js";
import { fixture, rewardOf, SHAPES } from "./fixtures.js";

const close = (actual: number, expected: number, tol = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

describe("reverse sequence optimum by soft Bellman values", () => {
  for (const shape of SHAPES) {
    it(`V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos}: π*(y) = π_ref(y)·exp(R(y)/β)/Z by enumeration, and V(root) = β·log Z (1e-12)`, () => {
      const { problem, reference } = fixture(shape);
      const theta = new Float64Array(problem.tree.edges);
      for (const beta of [0.05, 0.3, 1, 5]) {
        const value = reverseSequenceOptimum(problem, beta, theta);
        const list = enumerate(problem.tree, theta, reference, rewardOf);
        // Shift by max R so exp does not overflow at β = 0.05.
        const rMax = Math.max(...list.map((e) => e.reward));
        const z = total(list, (e) => e.ref * Math.exp((e.reward - rMax) / beta));
        for (const e of list) close(e.pi, (e.ref * Math.exp((e.reward - rMax) / beta)) / z);
        close(value, rMax + beta * Math.log(z));
      }
    });
  }

  it("is a stationary point of E[R] − β·KL(π‖π_ref): the exact gradient vanishes there", () => {
    const { problem } = fixture({ V: 3, horizon: 3, eos: 2 });
    const state = new SequenceState(problem);
    reverseSequenceOptimum(problem, 0.4, state.theta);
    evaluateSequencePolicy(state);
    const J = reverseSequenceGradient(state, 0.4);
    for (const g of state.grad) expect(Math.abs(g)).toBeLessThan(1e-14);
    close(J, state.reward - 0.4 * state.reverseKL);
  });

  // R = 1 on [0], [1 1] and [0 0 1] only: three tied argmax sequences of different lengths and π_ref masses, two sharing a prefix.
  const tieReward = (body: number[]) => (body.join(" ") === "0" || body.join(" ") === "1 1" || body.join(" ") === "0 0 1" ? 1 : 0);
  const tieProblem = () => {
    const { reference } = fixture({ V: 3, horizon: 3, eos: 2 });
    const problem = makeSequenceProblem({ V: 3, horizon: 3, eos: 2, reference, reward: (tokens, length) => tieReward(Array.from(tokens.subarray(0, length))) });
    return { problem, reference };
  };

  for (const beta of [0, 1e-300, 5e-324]) {
    it(`β = ${beta}: all mass on the argmax sequences, ties in proportion to π_ref(y) (1e-12), no NaN`, () => {
      const { problem, reference } = tieProblem();
      const theta = new Float64Array(problem.tree.edges);
      const value = reverseSequenceOptimum(problem, beta, theta);
      for (const v of theta) expect(Number.isNaN(v)).toBe(false);
      expect(value).toBe(1);
      const list = enumerate(problem.tree, theta, reference, tieReward);
      const best = list.filter((e) => e.reward === 1);
      expect(best.length).toBe(3);
      const mass = total(best, (e) => e.ref);
      for (const e of list) close(e.pi, e.reward === 1 ? e.ref / mass : 0);
    });
  }
});

describe("forward sequence optimum over whole sequences", () => {
  /** λ ∈ (max R, max R + β] with Σ_y β·π_ref(y)/(λ − R(y)) = 1, by bisection written here. */
  function lambdaByBisection(refs: number[], rewards: number[], beta: number): number {
    const rMax = Math.max(...rewards);
    let lo = rMax; // the sum is +∞ here
    let hi = rMax + beta; // every term ≤ π_ref(y): the sum ≤ 1
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      const sum = refs.reduce((s, r, y) => s + (beta * r) / (mid - rewards[y]!), 0);
      if (sum > 1) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }

  for (const shape of SHAPES) {
    it(`V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos}: π*(y) = β·π_ref(y)/(λ − R(y)) with λ by bisection (1e-12)`, () => {
      const { problem, reference } = fixture(shape);
      const theta = new Float64Array(problem.tree.edges);
      for (const beta of [0.1, 0.5, 3]) {
        forwardSequenceOptimum(problem, beta, theta);
        const list = enumerate(problem.tree, theta, reference, rewardOf);
        const lambda = lambdaByBisection(
          list.map((e) => e.ref),
          list.map((e) => e.reward),
          beta,
        );
        for (const e of list) close(e.pi, (beta * e.ref) / (lambda - e.reward), 1e-11);
      }
    });
  }

  it("is a stationary point of E[R] − β·KL(π_ref‖π)", () => {
    const { problem } = fixture({ V: 4, horizon: 3, eos: 0 });
    const state = new SequenceState(problem);
    forwardSequenceOptimum(problem, 0.6, state.theta);
    evaluateSequencePolicy(state);
    forwardSequenceGradient(state, 0.6);
    for (const g of state.grad) expect(Math.abs(g)).toBeLessThan(1e-12);
  });
});

describe("exact training (plain gradient ascent on θ, from π_ref) converges to the optimum", () => {
  for (const [direction, gradient, solve] of [
    ["reverse", reverseSequenceGradient, reverseSequenceOptimum],
    ["forward", forwardSequenceGradient, forwardSequenceOptimum],
  ] as const) {
    it(`${direction} KL, V = 3, T = 3 with eos, β = 0.5`, () => {
      const { problem } = fixture({ V: 3, horizon: 3, eos: 2 });
      const beta = 0.5;
      const state = new SequenceState(problem);
      const lr = 2;
      for (let step = 0; step < 20_000; step++) {
        evaluateSequencePolicy(state);
        gradient(state, beta);
        for (let i = 0; i < state.theta.length; i++) state.theta[i] = state.theta[i]! + lr * state.grad[i]!;
      }
      evaluateSequencePolicy(state);
      const optimum = new SequenceState(problem);
      solve(problem, beta, optimum.theta);
      evaluateSequencePolicy(optimum);
      let worst = 0;
      for (let i = 0; i < state.pi.length; i++) worst = Math.max(worst, Math.abs(state.pi[i]! - optimum.pi[i]!));
      expect(worst).toBeLessThan(1e-9);
      close(state.reward, optimum.reward, 1e-9);
      close(state.reverseKL, optimum.reverseKL, 1e-9);
      close(state.forwardKL, optimum.forwardKL, 1e-9);
    });
  }
});
