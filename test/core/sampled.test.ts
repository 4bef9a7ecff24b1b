import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { logSoftmaxOf, softmaxOf } from "../../src/core/distributions.js";
import { klDivergence } from "../../src/core/divergences.js";
import { estimate } from "../../src/core/estimators.js";
import { forwardOptimum } from "../../src/core/optima.js";
import { reverseGradientInto } from "../../src/core/objective.js";
import { Sgd } from "../../src/core/optimizers.js";
import { evaluatePolicy, makeProblem, PolicyState } from "../../src/core/policy.js";
import { SampledTrainer, type SampledConfig } from "../../src/core/sampled.js";

describe("KL estimators (Schulman 2020)", () => {
  it("k1, k2, k3, abs at ℓ = ln 2 and ℓ = −ln 2, by hand", () => {
    const l = Math.LN2;
    expect(estimate("k1", l)).toBe(l);
    expect(estimate("k2", l)).toBeCloseTo((l * l) / 2, 15);
    expect(estimate("k3", l)).toBeCloseTo(0.5 - 1 + l, 15); // e^{−ln2} − 1 + ln 2 = 0.193147…
    expect(estimate("k3", -l)).toBeCloseTo(2 - 1 - l, 15); // e^{ln2} − 1 − ln 2 = 0.306853…
    expect(estimate("abs", -l)).toBe(l);
  });

  it("k1 and k3 are unbiased for KL(π‖π_ref): exact expectations over π", () => {
    const pi = [0.7, 0.2, 0.1];
    const ref = [0.25, 0.25, 0.5];
    const kl = klDivergence(pi, ref);
    for (const estimator of ["k1", "k3"] as const) {
      const expectation = pi.reduce((s, p, i) => s + p * estimate(estimator, Math.log(p / ref[i]!)), 0);
      expect(expectation).toBeCloseTo(kl, 14);
    }
    // k2 is biased: E[ℓ²/2] ≠ KL here.
    const k2 = pi.reduce((s, p, i) => s + p * estimate("k2", Math.log(p / ref[i]!)), 0);
    expect(Math.abs(k2 - kl)).toBeGreaterThan(0.005);
  });
});

function setup(config: Partial<SampledConfig>, seed = "1") {
  const problem = makeProblem([0.1, 0.2, 0.3, 0.4], [1, 0, 0.5, 0.2]);
  const state = new PolicyState(4);
  state.resetTo(problem);
  // Start away from π_ref so the KL terms are not zero.
  state.theta.set([0.5, -0.3, 0.1, 0.2]);
  state.maxTheta = 0.5;
  const full: SampledConfig = { batch: 16, algorithm: "reinforce", estimator: "k1", klIn: "reward", clip: 0.2, epochs: 4, ...config };
  return { problem, state, trainer: new SampledTrainer(full, 4, seedrandom(seed)) };
}

describe("SampledTrainer", () => {
  it("REINFORCE with k1 in the reward has E[ĝ] = (B−1)/B · ∇J_reverse (mean baseline includes the sample)", () => {
    const B = 8;
    const { problem, state, trainer } = setup({ batch: B });
    const beta = 0.3;
    const theta0 = state.theta.slice();
    // A zero learning rate leaves θ alone, so every batch sees the same π; average ĝ over batches.
    const frozen = new Sgd({ kind: "sgd", lr: 0 });
    const mean = new Float64Array(4);
    const batches = 60_000;
    for (let n = 0; n < batches; n++) {
      state.theta.set(theta0);
      state.maxTheta = 0.5;
      evaluatePolicy(problem, state);
      trainer.step(problem, state, frozen, "reverse", beta);
      for (let i = 0; i < 4; i++) mean[i] = mean[i]! + state.grad[i]! / batches;
    }
    const exact = reverseGradientInto(softmaxOf(theta0), logSoftmaxOf(theta0), problem.logRef, problem.reward, beta, new Float64Array(4));
    for (let i = 0; i < 4; i++) expect(mean[i]).toBeCloseTo(((B - 1) / B) * exact[i]!, 2);
  });

  it("samples tokens with the frequencies of π", () => {
    const { problem, state, trainer } = setup({ batch: 1000 });
    evaluatePolicy(problem, state);
    const pi = state.pi.slice();
    let kSum = 0;
    const rounds = 50;
    for (let n = 0; n < rounds; n++) {
      evaluatePolicy(problem, state);
      trainer.step(problem, state, new Sgd({ kind: "sgd", lr: 0 }), "reverse", 0.1);
      kSum += trainer.klEstimate;
    }
    // The k1 estimate averages to KL(π‖π_ref) (unbiased), within sampling error of 50 000 draws.
    expect(kSum / rounds).toBeCloseTo(klDivergence(pi, problem.ref), 2);
  });

  const train = (config: Partial<SampledConfig>, seed: string) => {
    const { problem, state, trainer } = setup({ batch: 64, ...config }, seed);
    const sgd = new Sgd({ kind: "sgd", lr: 0.05 });
    for (let t = 0; t < 3000; t++) {
      evaluatePolicy(problem, state);
      trainer.step(problem, state, sgd, "reverse", 0.5);
    }
    evaluatePolicy(problem, state);
    return { pi: state.pi.slice(), problem };
  };

  it("k2 in the loss trains towards the reverse-KL optimum (E[ℓ∇ℓ] = ∇KL(π‖π_ref)); same seed, same run", () => {
    const { pi } = train({ estimator: "k2", klIn: "loss" }, "7");
    expect(Array.from(train({ estimator: "k2", klIn: "loss" }, "7").pi)).toEqual(Array.from(pi));
    // π* ∝ π_ref exp(r/β) for β = ½.
    const w = [0.1 * Math.exp(2), 0.2, 0.3 * Math.exp(1), 0.4 * Math.exp(0.4)];
    const z = w.reduce((s, x) => s + x, 0);
    for (let i = 0; i < 4; i++) expect(Math.abs(pi[i]! - w[i]! / z)).toBeLessThan(0.03);
  });

  it("k3 in the loss follows the FORWARD-KL optimum: E[(1 − π_ref/π)∇log π] = ∇KL(π_ref‖π)", () => {
    const { pi, problem } = train({ estimator: "k3", klIn: "loss" }, "7");
    const forward = forwardOptimum(problem.ref, problem.reward, 0.5);
    for (let i = 0; i < 4; i++) expect(Math.abs(pi[i]! - forward[i]!)).toBeLessThan(0.03);
  });

  it("PPO never produces non-finite logits and tracks the optimum too", () => {
    const { problem, state, trainer } = setup({ batch: 32, algorithm: "ppo", epochs: 4, estimator: "k1", klIn: "reward" });
    const sgd = new Sgd({ kind: "sgd", lr: 0.05 });
    for (let t = 0; t < 2000; t++) {
      evaluatePolicy(problem, state);
      trainer.step(problem, state, sgd, "reverse", 0.5);
    }
    evaluatePolicy(problem, state);
    for (const v of state.theta) expect(Number.isFinite(v)).toBe(true);
    const w = [0.1 * Math.exp(2), 0.2, 0.3 * Math.exp(1), 0.4 * Math.exp(0.4)];
    const z = w.reduce((s, x) => s + x, 0);
    expect(Math.abs(state.pi[0]! - w[0]! / z)).toBeLessThan(0.05);
  });
});
