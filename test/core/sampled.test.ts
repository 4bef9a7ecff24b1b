import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { softmaxOf } from "../../src/core/distributions.js";
import { estimatorNamed } from "../../src/core/estimators.js";
import { SoftmaxFamily } from "../../src/core/families/softmax.js";
import { klDivergence } from "../../src/core/information.js";
import { emptyMetricRow, METRIC } from "../../src/core/metric-row.js";
import { Sgd } from "../../src/core/optimizers.js";
import { makeProblem } from "../../src/core/problem.js";
import { type SampledConfig, SampledStepper } from "../../src/core/steppers/sampled.js";

const REVERSE = divergenceNamed("reverse");
const estimate = (name: string, l: number) => estimatorNamed(name)!.value(l);

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

type Settings = Omit<Partial<SampledConfig>, "estimator"> & { estimator?: string };

/** A sampled stepper on a fixed problem, started away from π_ref (θ₀ below) so the KL terms are not zero. */
function setup(settings: Settings, seed = "1", lr = 0.05) {
  const problem = makeProblem([0.1, 0.2, 0.3, 0.4], [1, 0, 0.5, 0.2]);
  const family = new SoftmaxFamily(problem);
  const config: SampledConfig = {
    batch: 16,
    algorithm: "reinforce",
    clip: 0.2,
    epochs: 4,
    klIn: "reward",
    ...settings,
    estimator: estimatorNamed(settings.estimator ?? "k1")!,
  };
  const stepper = new SampledStepper(family, new Sgd({ kind: "sgd", lr }), config, () => seedrandom(seed));
  stepper.reset(REVERSE);
  // θ₀, and a batch drawn there: one step at lr 0 moves nothing and draws the next batch at θ₀
  family.theta.set(THETA0);
  family.updated(0.5);
  const frozen = new SampledStepper(family, new Sgd({ kind: "sgd", lr: 0 }), config, () => seedrandom(seed));
  return { problem, family, stepper, frozen };
}
const THETA0 = [0.5, -0.3, 0.1, 0.2];

describe("SampledStepper", () => {
  it("REINFORCE with k1 in the reward has E[ĝ] = (B−1)/B · ∇J_reverse (mean baseline includes the sample)", () => {
    const B = 8;
    const { problem, family, frozen } = setup({ batch: B });
    const beta = 0.3;
    // A zero learning rate leaves θ alone, so every batch sees the same π; average ĝ over batches.
    frozen.advance(REVERSE, beta, 1); // the batch drawn before θ₀ was set
    const mean = new Float64Array(4);
    const batches = 60_000;
    for (let n = 0; n < batches; n++) {
      frozen.advance(REVERSE, beta, 1);
      for (let i = 0; i < 4; i++) mean[i] = mean[i]! + family.grad[i]! / batches;
    }
    // ∇J of the reverse penalty, textbook form: π ⊙ (f − ⟨π, f⟩), f = r − β log(π/π_ref)
    const pi = softmaxOf(THETA0);
    const f = Array.from(pi, (p, i) => problem.reward[i]! - beta * Math.log(p / problem.ref[i]!));
    const meanF = f.reduce((s, x, i) => s + pi[i]! * x, 0);
    const exact = f.map((x, i) => pi[i]! * (x - meanF));
    for (let i = 0; i < 4; i++) expect(mean[i]).toBeCloseTo(((B - 1) / B) * exact[i]!, 2);
  });

  it("samples tokens with the frequencies of π", () => {
    const { problem, frozen } = setup({ batch: 1000 });
    frozen.advance(REVERSE, 0.1, 1);
    const pi = softmaxOf(THETA0);
    let kSum = 0;
    const rounds = 50;
    const row = emptyMetricRow();
    for (let n = 0; n < rounds; n++) {
      frozen.readCurrent(row); // the estimate on the batch drawn at θ₀
      kSum += row[METRIC.kl_estimate]!;
      frozen.advance(REVERSE, 0.1, 1);
    }
    // The k1 estimate averages to KL(π‖π_ref) (unbiased), within sampling error of 50 000 draws.
    expect(kSum / rounds).toBeCloseTo(klDivergence(pi, problem.ref), 2);
  });

  const train = (config: Settings, seed: string) => {
    const { problem, stepper } = setup({ batch: 64, ...config }, seed);
    for (let t = 0; t < 3000; t += 50) stepper.advance(REVERSE, 0.5, 50);
    return { pi: stepper.policy().slice(), problem };
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
    const forward = divergenceNamed("forward").optimum(problem.ref, problem.logRef, problem.reward, 0.5);
    for (let i = 0; i < 4; i++) expect(Math.abs(pi[i]! - forward[i]!)).toBeLessThan(0.03);
  });

  it("PPO never produces non-finite logits and tracks the optimum too", () => {
    const { family, stepper } = setup({ batch: 32, algorithm: "ppo", epochs: 4, estimator: "k1", klIn: "reward" });
    for (let t = 0; t < 2000; t += 50) stepper.advance(REVERSE, 0.5, 50);
    for (const v of family.theta) expect(Number.isFinite(v)).toBe(true);
    const w = [0.1 * Math.exp(2), 0.2, 0.3 * Math.exp(1), 0.4 * Math.exp(0.4)];
    const z = w.reduce((s, x) => s + x, 0);
    expect(Math.abs(stepper.policy()[0]! - w[0]! / z)).toBeLessThan(0.05);
  });
});
