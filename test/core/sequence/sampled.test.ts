import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../src/core/random.js";
import { aggregationNamed } from "../../../src/core/sequence/aggregations.js";
import { baselineNamed } from "../../../src/core/sequence/baselines.js";
import { tokenEstimator } from "../../../src/core/sequence/estimator.js";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { SequenceExpectedTrainer } from "../../../src/core/sequence/expected.js";
import { placementNamed } from "../../../src/core/sequence/placements.js";
import { SequenceSampledTrainer } from "../../../src/core/sequence/sampled.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import type { SequenceTrainingConfig } from "../../../src/core/sequence/training.js";
import { randomTheta } from "./enumeration.js";
import { fixture } from "./fixtures.js";

const { problem } = fixture({ V: 4, horizon: 3, eos: 0 });

function config(placement: string, estimator: "k1" | "k2" | "k3"): SequenceTrainingConfig {
  return {
    batch: 5,
    estimator: tokenEstimator(estimator),
    placement: placementNamed(placement)!,
    aggregation: aggregationNamed("token-mean")!,
    baseline: baselineNamed("loo")!,
  };
}

function evaluated(seed: number): SequenceState {
  const state = new SequenceState(problem);
  state.theta.set(randomTheta(problem, mulberry32(seed)));
  evaluateSequencePolicy(state);
  return state;
}

describe("sampled sequence training", () => {
  it("is deterministic: the same seed gives the same gradients bit for bit, another seed does not", () => {
    const run = (seed: number) => {
      const state = evaluated(3);
      const trainer = new SequenceSampledTrainer(state, config("token-reward", "k3"), mulberry32(seed));
      const out: number[] = [];
      for (let step = 0; step < 5; step++) {
        trainer.gradient(0.3);
        out.push(...state.grad, trainer.klEstimate);
      }
      return out;
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  it("the KL estimates a placement reports: Σ_t k1 and Σ_t k3 and k3(Σ_t ℓ_t) are unbiased for KL(π‖π_ref), Σ_t k2 is not", () => {
    const state = evaluated(4);
    const expectedKL = (placement: string, estimator: "k1" | "k2" | "k3") => {
      const trainer = new SequenceExpectedTrainer(state, config(placement, estimator));
      trainer.gradient(0.3);
      return trainer.klEstimate;
    };
    expect(expectedKL("token-reward", "k1")).toBeCloseTo(state.reverseKL, 13);
    expect(expectedKL("token-loss", "k3")).toBeCloseTo(state.reverseKL, 13);
    expect(expectedKL("sequence-loss", "k3")).toBeCloseTo(state.reverseKL, 13); // E_π[π_ref(y)/π(y)] = 1
    expect(Math.abs(expectedKL("token-loss", "k2") - state.reverseKL)).toBeGreaterThan(0.01);
  });

  it("never draws a token of probability 0", () => {
    const state = new SequenceState(problem);
    for (let n = 0; n < problem.tree.nodes; n++) state.theta[n * 4 + 3] = -Infinity; // token 3 impossible
    evaluateSequencePolicy(state);
    const trainer = new SequenceSampledTrainer(state, config("token-loss", "k1"), mulberry32(1));
    for (let step = 0; step < 200; step++) {
      trainer.gradient(0.3);
      expect(Number.isFinite(trainer.klEstimate)).toBe(true);
      for (const g of state.grad) expect(Number.isFinite(g)).toBe(true);
    }
  });
});
