import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/core/random.js";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { sequenceProbabilitiesInto } from "../../../src/core/sequence/paths.js";
import { makeSequenceProblem } from "../../../src/core/sequence/problem.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import { enumerate, randomTheta, total } from "./enumeration.js";
import { fixture, goldOf, rewardOf, SHAPES } from "./fixtures.js";

const close = (actual: number, expected: number, tol = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

describe("exact sequence metrics by the chain rule equal sums over every sequence", () => {
  for (const shape of SHAPES) {
    it(`V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos}: KLs both ways, entropy, E[R], E[gold], lengths, token-mean KL (1e-12)`, () => {
      const { problem, reference } = fixture(shape);
      const state = new SequenceState(problem);
      const random = mulberry32(11 + shape.V * 7 + shape.horizon);
      for (let trial = 0; trial < 4; trial++) {
        state.theta.set(randomTheta(problem, random, 0.5 + trial));
        evaluateSequencePolicy(state);
        const list = enumerate(problem.tree, state.theta, reference, rewardOf, goldOf);
        close(
          total(list, (e) => e.pi),
          1,
        );
        close(
          state.reverseKL,
          total(list, (e) => e.pi * (e.logPi - e.logRef)),
        ); // Σ_y π log(π/π_ref)
        close(
          state.forwardKL,
          total(list, (e) => e.ref * (e.logRef - e.logPi)),
        ); // Σ_y π_ref log(π_ref/π)
        close(
          state.entropy,
          total(list, (e) => -e.pi * e.logPi),
        );
        close(
          state.reward,
          total(list, (e) => e.pi * e.reward),
        );
        close(
          state.goldReward,
          total(list, (e) => e.pi * e.gold),
        );
        close(
          state.meanLength,
          total(list, (e) => e.pi * e.body.length),
        );
        close(
          state.meanTokens,
          total(list, (e) => e.pi * e.steps),
        );
        // verl: per sequence, the mean of its per-token log-ratios over its response mask (eos included); then the mean.
        close(
          state.tokenMeanKL,
          total(list, (e) => (e.pi * (e.logPi - e.logRef)) / e.steps),
        );
        for (let t = 0; t < shape.horizon; t++) {
          // Position t's share: E[ℓ_t·1{the sequence has a token at t}] (the tower property makes it Σ_depth-t P(n)·KL_n).
          close(
            state.klProfile[t]!,
            total(list, (e) => (t < e.steps ? e.pi * e.logRatios[t]! : 0)),
          );
          close(
            state.alive[t]!,
            total(list, (e) => (t < e.steps ? e.pi : 0)),
          );
        }
      }
    });
  }

  it("at π = π_ref every KL is 0 and the token-mean KL is 0; without eos the token mean is KL/T", () => {
    const { problem } = fixture({ V: 3, horizon: 4, eos: -1 });
    const state = new SequenceState(problem);
    evaluateSequencePolicy(state);
    close(state.reverseKL, 0, 1e-15);
    close(state.forwardKL, 0, 1e-15);
    close(state.meanLength, 4);
    state.theta.set(randomTheta(problem, mulberry32(3)));
    evaluateSequencePolicy(state);
    close(state.tokenMeanKL, state.reverseKL / 4);
  });

  it("a constant reference (one row for every prefix) gives uniform-reference KLs: KL(π‖u) = T·log V − H(π)", () => {
    const problem = makeSequenceProblem({ V: 3, horizon: 3, eos: -1, reference: [1 / 3, 1 / 3, 1 / 3], reward: () => 0 });
    expect(problem.ref.length).toBe(3); // one row shared by all 13 prefixes
    const state = new SequenceState(problem);
    state.theta.set(randomTheta(problem, mulberry32(5)));
    evaluateSequencePolicy(state);
    close(state.reverseKL, 3 * Math.log(3) - state.entropy);
  });

  it("a policy with θ = −∞ edges (an optimum at β = 0): no NaN, forward KL = +Infinity", () => {
    const { problem } = fixture({ V: 3, horizon: 3, eos: 2 });
    const state = new SequenceState(problem);
    state.theta.fill(0);
    for (let n = 0; n < problem.tree.nodes; n++) state.theta[n * 3 + 1] = -Infinity; // never token 1
    evaluateSequencePolicy(state);
    for (const v of [state.reverseKL, state.entropy, state.reward, state.meanLength, state.tokenMeanKL, ...state.klProfile])
      expect(Number.isFinite(v)).toBe(true);
    expect(state.forwardKL).toBe(Infinity);
  });

  it("the largest tree (V = 2, T = 17: 131071 prefixes): i.i.d. tokens give KL = 17·KL(p‖π_ref), H = 17·H(p), Σ_y π(y) = 1", () => {
    const problem = makeSequenceProblem({ V: 2, horizon: 17, eos: -1, reference: [0.3, 0.7], reward: (tokens, length) => tokens[length - 1]! });
    const state = new SequenceState(problem);
    for (let n = 0; n < problem.tree.nodes; n++) state.theta.set([0.4, -0.2], 2 * n); // the same p at every prefix
    evaluateSequencePolicy(state);
    const p0 = 1 / (1 + Math.exp(-0.6)); // softmax([0.4, −0.2])₀
    const p = [p0, 1 - p0];
    const kl = p[0]! * Math.log(p[0]! / 0.3) + p[1]! * Math.log(p[1]! / 0.7);
    const h = -p[0]! * Math.log(p[0]!) - p[1]! * Math.log(p[1]!);
    close(state.reverseKL, 17 * kl, 1e-11);
    close(state.entropy, 17 * h, 1e-11);
    close(state.reward, p[1]!, 1e-11); // R = the last token
    const probabilities = sequenceProbabilitiesInto(state, new Float64Array(problem.tree.sequences));
    close(
      probabilities.reduce((x, y) => x + y, 0),
      1,
      1e-11,
    );
  });

  it("rejects a reference row that is not a strictly positive distribution, naming (t, prev)", () => {
    const reference = (t: number, prev: number) => (t === 1 && prev === 0 ? [0, 0.5, 0.5] : [0.2, 0.3, 0.5]);
    expect(() => makeSequenceProblem({ V: 3, horizon: 3, eos: -1, reference, reward: () => 0 })).toThrow(/at t = 1, prev = 0: entry 0 is 0/);
    expect(() => makeSequenceProblem({ V: 3, horizon: 2, eos: -1, reference: [0.5, 0.5], reward: () => 0 })).toThrow(/2 entries, expected 3/);
    expect(() => makeSequenceProblem({ V: 2, horizon: 2, eos: -1, reference: [0.5, 0.5], reward: (tokens) => (tokens[0] === 1 ? Number.NaN : 0) })).toThrow(
      /reward of the sequence \[1 0\] is NaN/,
    );
  });
});
