import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/core/random.js";
import { AGGREGATIONS, aggregationNamed } from "../../../src/core/sequence/aggregations.js";
import { BASELINES, baselineNamed } from "../../../src/core/sequence/baselines.js";
import { tokenEstimator } from "../../../src/core/sequence/estimator.js";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { forwardSequenceGradient, reverseSequenceGradient } from "../../../src/core/sequence/gradient.js";
import { expectedModeProblem, MAX_EXPECTED_SEQUENCES, SequenceExpectedTrainer } from "../../../src/core/sequence/expected.js";
import { KL_PLACEMENTS, placementNamed } from "../../../src/core/sequence/placements.js";
import { PrefixTree } from "../../../src/core/sequence/tree.js";
import { SequenceSampledTrainer } from "../../../src/core/sequence/sampled.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import type { SequenceTrainingConfig } from "../../../src/core/sequence/training.js";
import { randomTheta } from "./enumeration.js";
import { fixture } from "./fixtures.js";

const { problem } = fixture({ V: 3, horizon: 3, eos: 2 }); // lengths 1…3 vary, so the aggregations differ
const theta0 = randomTheta(problem, mulberry32(41), 1);

function configOf(placement: string, aggregation: string, baseline: string, estimator: "k1" | "k2" | "k3" | "abs", batch: number): SequenceTrainingConfig {
  return {
    batch,
    estimator: tokenEstimator(estimator),
    placement: placementNamed(placement)!,
    aggregation: aggregationNamed(aggregation)!,
    baseline: baselineNamed(baseline)!,
  };
}

function expectedGradient(config: SequenceTrainingConfig, beta: number): { grad: Float64Array; kl: number } {
  const state = new SequenceState(problem);
  state.theta.set(theta0);
  evaluateSequencePolicy(state);
  const trainer = new SequenceExpectedTrainer(state, config);
  trainer.gradient(beta);
  return { grad: Float64Array.from(state.grad), kl: trainer.klEstimate };
}

/** Mean and standard error of ĝ (and of the KL estimate) over `batches` independent batches at θ0. */
function sampledMoments(config: SequenceTrainingConfig, beta: number, batches: number, seed: number) {
  const state = new SequenceState(problem);
  state.theta.set(theta0);
  evaluateSequencePolicy(state); // θ is never stepped: every batch sees the same π
  const trainer = new SequenceSampledTrainer(state, config, mulberry32(seed));
  const E = problem.tree.edges;
  const sum = new Float64Array(E + 1);
  const sq = new Float64Array(E + 1);
  for (let b = 0; b < batches; b++) {
    trainer.gradient(beta);
    for (let i = 0; i <= E; i++) {
      const v = i < E ? state.grad[i]! : trainer.klEstimate;
      sum[i] = sum[i]! + v;
      sq[i] = sq[i]! + v * v;
    }
  }
  const mean = sum.map((s) => s / batches);
  const se = sq.map((s, i) => Math.sqrt(Math.max(0, s / batches - mean[i]! ** 2) / (batches - 1)));
  return { mean, se };
}

/** Largest |sampled mean − expected| in standard errors over the gradient and the KL estimate. */
function worstZ(config: SequenceTrainingConfig, beta: number, batches: number, seed: number, expected = expectedGradient(config, beta)): number {
  const { mean, se } = sampledMoments(config, beta, batches, seed);
  const target = [...expected.grad, expected.kl];
  let worst = 0;
  for (let i = 0; i < target.length; i++) worst = Math.max(worst, Math.abs(mean[i]! - target[i]!) / (se[i]! + 1e-12));
  return worst;
}

describe("expected mode is the exact expectation of the sampled estimator", () => {
  const beta = 0.6;
  for (const placement of KL_PLACEMENTS) {
    for (const aggregation of AGGREGATIONS) {
      it(`${placement.name} × ${aggregation.name}: each baseline, k3 (and k1, k2 under loo), B = 3: sampled mean within 4.5 standard errors`, () => {
        let seed = 100;
        for (const baseline of BASELINES)
          expect(worstZ(configOf(placement.name, aggregation.name, baseline.name, "k3", 3), beta, 20_000, seed++)).toBeLessThan(4.5);
        for (const estimator of ["k1", "k2"] as const)
          expect(worstZ(configOf(placement.name, aggregation.name, "loo", estimator, 3), beta, 20_000, seed++)).toBeLessThan(4.5);
      });
    }
  }

  it("the comparison can fail: the token mean's 1/N is not 1/E[N] (sum aggregation over E[tokens] is rejected)", () => {
    const config = configOf("sequence-reward", "token-mean", "loo", "k3", 2);
    const state = new SequenceState(problem);
    state.theta.set(theta0);
    evaluateSequencePolicy(state);
    // The large-batch approximation: the sum aggregation's expectation divided by E[n].
    const naive = expectedGradient({ ...config, aggregation: aggregationNamed("sum")! }, beta);
    const scaled = { grad: naive.grad.map((g) => g / state.meanTokens), kl: naive.kl };
    expect(worstZ(config, beta, 20_000, 7, scaled)).toBeGreaterThan(6);
    expect(worstZ(config, beta, 20_000, 7)).toBeLessThan(4.5);
  });

  it("B = 1 under the mean baseline: G − b = 0, so 'none' minus 'mean' is the plain policy gradient ∇E[R]", () => {
    const mean = expectedGradient(configOf("token-loss", "sum", "mean", "k2", 1), beta).grad;
    const none = expectedGradient(configOf("token-loss", "sum", "none", "k2", 1), beta).grad;
    // ∇E[R] exactly: the forward gradient at β = 0 (checked against finite differences in gradient.test.ts).
    const state = new SequenceState(problem);
    state.theta.set(theta0);
    evaluateSequencePolicy(state);
    forwardSequenceGradient(state, 0);
    for (let i = 0; i < mean.length; i++) expect(none[i]! - mean[i]!).toBeCloseTo(state.grad[i]!, 14);
  });
});

describe("expected gradients that are exact sequence gradients", () => {
  const beta = 0.6;
  const exact = () => {
    const state = new SequenceState(problem);
    state.theta.set(theta0);
    evaluateSequencePolicy(state);
    reverseSequenceGradient(state, beta); // checked against finite differences in gradient.test.ts
    return state.grad;
  };

  for (const [placement, estimator] of [
    ["token-reward", "k1"],
    ["sequence-reward", "k1"],
    ["sequence-loss", "k2"],
  ] as const) {
    it(`${placement} with ${estimator}, sum, leave-one-out: E[ĝ] = ∇(E[R] − β·KL(π‖π_ref)) (1e-13)`, () => {
      const { grad } = expectedGradient(configOf(placement, "sum", "loo", estimator, 4), beta);
      const target = exact();
      for (let i = 0; i < grad.length; i++) expect(grad[i]!).toBeCloseTo(target[i]!, 13);
    });
  }

  it("a new estimator is one object: ρ·k3 on-policy (value k3, slope ℓ) in the loss has k2's expected gradient", () => {
    const rhoK3 = { name: "rho-k3", value: (l: number) => Math.expm1(-l) + l, slope: (l: number) => l }; // d(ρ·k3)/dℓ at ρ = 1: k3 + k3′ = ℓ
    const config = configOf("token-loss", "token-mean", "loo", "k2", 3);
    const k2 = expectedGradient(config, beta);
    const rho = expectedGradient({ ...config, estimator: rhoK3 }, beta);
    for (let i = 0; i < k2.grad.length; i++) expect(rho.grad[i]!).toBeCloseTo(k2.grad[i]!, 15);
  });
});

describe("expected mode says when it cannot run", () => {
  it("more sequences than it can sum over: one clear sentence", () => {
    const tree = new PrefixTree({ V: 8, horizon: 6, eos: -1 }); // 8⁶ = 262144 sequences
    const message = expectedModeProblem(tree, configOf("token-reward", "sum", "loo", "k1", 4));
    expect(message).toBe(
      `expected mode sums over every sequence: V = 8, horizon 6 has 262144, more than ${MAX_EXPECTED_SEQUENCES} (use mode sampled, or a smaller vocabulary or horizon)`,
    );
    const state = new SequenceState(fixture({ V: 8, horizon: 6, eos: -1 }).problem);
    expect(() => new SequenceExpectedTrainer(state, configOf("token-reward", "sum", "loo", "k1", 4))).toThrow(message!);
  });

  it("a leave-one-out baseline needs two sequences", () => {
    expect(expectedModeProblem(problem.tree, configOf("token-reward", "sum", "loo", "k1", 1))).toBe("baseline loo needs a batch of at least 2 (batch is 1)");
    expect(expectedModeProblem(problem.tree, configOf("token-reward", "token-mean", "loo", "k1", 20_000))).toMatch(/convolves the batch's lengths/);
  });
});
