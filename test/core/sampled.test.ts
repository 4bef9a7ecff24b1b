/**
 * The estimator lab: what each KL estimator × placement × baseline × sampler really optimises.
 * Expected values are derived here independently: the KL gradients by central finite differences
 * of KL(softmax θ‖π_ref) and KL(π_ref‖softmax θ) from their definitions, the optima by their closed
 * forms (π* ∝ π_ref·e^(r/β); the forward one from λ by bisection), and the sampled stepper's mean
 * gradient against the expected stepper's within the standard errors of many seeded batches.
 */
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { baselineNamed } from "../../src/core/baselines.js";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { softmaxOf } from "../../src/core/distributions.js";
import { estimatorNamed } from "../../src/core/estimators.js";
import { SoftmaxFamily } from "../../src/core/families/softmax.js";
import { klDivergence } from "../../src/core/information.js";
import { emptyMetricRow, METRIC } from "../../src/core/metric-row.js";
import { Sgd } from "../../src/core/optimizers.js";
import { makeProblem, type Problem } from "../../src/core/problem.js";
import { ExpectedStepper } from "../../src/core/steppers/expected.js";
import { type SampledConfig, SampledStepper } from "../../src/core/steppers/sampled.js";
import { seededRandom } from "../helpers/random.js";

const REVERSE = divergenceNamed("reverse");
const estimate = (name: string, l: number) => estimatorNamed(name)!.value(l);

describe("KL estimators (Schulman 2020)", () => {
  it("k1, k2, k3, abs at ℓ = ln 2 and ℓ = −ln 2, by hand; rho-k3 is k3 on-policy", () => {
    const l = Math.LN2;
    expect(estimate("k1", l)).toBe(l);
    expect(estimate("k2", l)).toBeCloseTo((l * l) / 2, 15);
    expect(estimate("k3", l)).toBeCloseTo(0.5 - 1 + l, 15); // e^{−ln2} − 1 + ln 2 = 0.193147…
    expect(estimate("k3", -l)).toBeCloseTo(2 - 1 - l, 15); // e^{ln2} − 1 − ln 2 = 0.306853…
    expect(estimate("abs", -l)).toBe(l);
    expect(estimate("rho-k3", l)).toBe(estimate("k3", l));
    // in the loss: ∇(ρ·k3) = ρ(k3 + k3′)∇log π, and k3 + k3′ = ℓ
    expect(estimatorNamed("rho-k3")!.lossCoefficient(l, 1)).toBeCloseTo(l, 15);
    expect(estimatorNamed("rho-k3")!.lossCoefficient(l, 2)).toBeCloseTo(2 * l, 15);
    expect(estimatorNamed("k3")!.lossCoefficient(l, 2)).toBeCloseTo(0.5, 15); // 1 − e^{−ℓ}, no ρ
    expect(estimatorNamed("low_var_kl")!.name).toBe("k3");
  });

  it("k1 and k3 are unbiased for KL(π‖π_ref): exact expectations over π; k2 is not", () => {
    const pi = [0.7, 0.2, 0.1];
    const ref = [0.25, 0.25, 0.5];
    const kl = klDivergence(pi, ref);
    for (const estimator of ["k1", "k3"] as const) {
      const expectation = pi.reduce((s, p, i) => s + p * estimate(estimator, Math.log(p / ref[i]!)), 0);
      expect(expectation).toBeCloseTo(kl, 14);
    }
    const k2 = pi.reduce((s, p, i) => s + p * estimate("k2", Math.log(p / ref[i]!)), 0);
    expect(Math.abs(k2 - kl)).toBeGreaterThan(0.005);
  });
});

type Settings = Omit<Partial<SampledConfig>, "estimator" | "baseline"> & { estimator?: string; baseline?: string };

function configOf(settings: Settings): SampledConfig {
  return {
    batch: 8,
    algorithm: "reinforce",
    klIn: "reward",
    clip: 0.2,
    epochs: 4,
    temperature: 1,
    topK: null,
    ...settings,
    estimator: estimatorNamed(settings.estimator ?? "k1")!,
    baseline: baselineNamed(settings.baseline ?? "loo")!,
  };
}

/** A family at θ (evaluated). */
function familyAt(problem: Problem, theta: ArrayLike<number>): SoftmaxFamily {
  const family = new SoftmaxFamily(problem);
  family.theta.set(theta);
  family.updated(Math.max(...Array.from(theta)));
  family.evaluate(REVERSE, emptyMetricRow());
  return family;
}

/** The expected stepper's E[ĝ] at θ. */
function expectedGradient(problem: Problem, theta: ArrayLike<number>, settings: Settings, beta: number): Float64Array {
  const stepper = new ExpectedStepper(familyAt(problem, theta), new Sgd({ kind: "sgd", lr: 0 }), configOf(settings));
  return stepper.expectedGradient(REVERSE, beta, 0).slice();
}

/** ∇_θ of f(softmax θ) by central differences. */
function numericGradient(f: (pi: Float64Array) => number, theta: number[]): number[] {
  const h = 1e-5;
  return theta.map((_, i) => {
    const up = theta.slice();
    const down = theta.slice();
    up[i]! += h;
    down[i]! -= h;
    return (f(softmaxOf(up)) - f(softmaxOf(down))) / (2 * h);
  });
}

function randomCase(rand: () => number, V: number) {
  const problem = makeProblem(
    Array.from({ length: V }, () => 0.1 + rand()),
    Array.from({ length: V }, () => 2 * rand() - 1),
  );
  const theta = Array.from({ length: V }, (_, i) => Math.log(problem.ref[i]!) + 1.5 * rand() - 0.75);
  return { problem, theta };
}

describe("expected gradients: what each configuration optimises", () => {
  it("equal the textbook identities (Tang & Munos 2025) against finite differences, to 1e-7", () => {
    const rand = seededRandom(41);
    for (let n = 0; n < 10; n++) {
      const V = 2 + Math.floor(rand() * 6);
      const { problem, theta } = randomCase(rand, V);
      const beta = 0.2 + rand();
      const B = 8;
      const dR = numericGradient((pi) => pi.reduce((s, p, i) => s + p * problem.reward[i]!, 0), theta);
      const dRev = numericGradient((pi) => klDivergence(pi, problem.ref), theta);
      const dFwd = numericGradient((pi) => klDivergence(problem.ref, pi), theta);
      const combine = (r: number, rev: number, fwd: number) => dR.map((x, i) => r * x - beta * (rev * dRev[i]! + fwd * dFwd[i]!));
      const cases: Array<[Settings, number[]]> = [
        [{ estimator: "k1", klIn: "reward" }, combine(1, 1, 0)], // ∇E r − β∇KL(π‖π_ref)
        [{ estimator: "k3", klIn: "reward" }, combine(1, 1, -1)], // ∇E r − β(∇KL(π‖π_ref) − ∇KL(π_ref‖π))
        [{ estimator: "rho-k3", klIn: "reward" }, combine(1, 1, -1)],
        [{ estimator: "k1", klIn: "loss" }, combine(1, 0, 0)], // E[∇ℓ] = 0: no regularisation at all
        [{ estimator: "k2", klIn: "loss" }, combine(1, 1, 0)], // E[ℓ∇ℓ] = ∇KL(π‖π_ref)
        [{ estimator: "k3", klIn: "loss" }, combine(1, 0, 1)], // E[(1 − π_ref/π)∇log π] = ∇KL(π_ref‖π)
        [{ estimator: "rho-k3", klIn: "loss" }, combine(1, 1, 0)], // E[ℓ∇log π] = ∇KL(π‖π_ref)
        [{ estimator: "full", klIn: "loss" }, combine(1, 1, 0)],
        [{ estimator: "k1", klIn: "reward", baseline: "none" }, combine(1, 1, 0)],
        [{ estimator: "k1", klIn: "reward", baseline: "mean" }, combine((B - 1) / B, (B - 1) / B, 0)], // both parts scaled
        [{ estimator: "k2", klIn: "loss", baseline: "mean" }, combine((B - 1) / B, 1, 0)], // only the reward's
        [{ estimator: "k1", klIn: "reward", algorithm: "ppo" }, combine(1, 1, 0)], // PPO's first epoch is REINFORCE
      ];
      for (const [settings, expected] of cases) {
        const g = expectedGradient(problem, theta, { batch: B, ...settings }, beta);
        for (let i = 0; i < V; i++) expect(Math.abs(g[i]! - expected[i]!), `${JSON.stringify(settings)} ∂${i}`).toBeLessThan(1e-7);
      }
    }
  });

  it("a top-k sampler weighted by π/q sums over the kept tokens only; a temperature sampler so weighted is unbiased", () => {
    const rand = seededRandom(5);
    const { problem, theta } = randomCase(rand, 5);
    const beta = 0.4;
    const pi = softmaxOf(theta);
    const logRatio = Array.from(pi, (p, i) => Math.log(p) - Math.log(problem.ref[i]!));
    // the two most probable tokens, by enumeration
    const kept = Array.from(pi, (p, i) => [p, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 2)
      .map(([, i]) => i);
    const q = new Map(kept.map((i) => [i, pi[i]! / kept.reduce((s, j) => s + pi[j]!, 0)]));
    const G = (i: number) => problem.reward[i]! - beta * logRatio[i]!; // k1 in the reward
    const meanG = kept.reduce((s, i) => s + q.get(i)! * G(i), 0);
    // E[ĝ] = Σ_{x kept} π(x)(G(x) − E_q G)(e_x − π)
    const c = Array.from(pi, (p, i) => (q.has(i) ? p * (G(i) - meanG) : 0));
    const sumC = c.reduce((a, b) => a + b, 0);
    const expected = c.map((x, i) => x - pi[i]! * sumC);
    const g = expectedGradient(problem, theta, { topK: 2 }, beta);
    for (let i = 0; i < 5; i++) expect(g[i]).toBeCloseTo(expected[i]!, 13);
    // at τ = 2 every token is kept, and the weights undo the temperature exactly
    const atT = expectedGradient(problem, theta, { temperature: 2 }, beta);
    const onPolicy = expectedGradient(problem, theta, {}, beta);
    for (let i = 0; i < 5; i++) expect(atT[i]).toBeCloseTo(onPolicy[i]!, 13);
  });
});

/** θ after expected-mode training from π_ref (SGD), and its π. */
function trainExpected(problem: Problem, settings: Settings, beta: number, steps: number, lr = 1) {
  const family = new SoftmaxFamily(problem);
  const stepper = new ExpectedStepper(family, new Sgd({ kind: "sgd", lr }), configOf(settings));
  stepper.reset(REVERSE);
  const row = emptyMetricRow();
  const forwardKL: number[] = [];
  for (let t = 0; t < steps; t += 256) {
    stepper.advance(REVERSE, beta, Math.min(256, steps - t));
    stepper.readCurrent(row);
    forwardKL.push(row[METRIC.forward_kl]!);
  }
  return { pi: stepper.policy().slice(), forwardKL };
}

/** The forward-KL optimum π*_i = β π_ref,i/(λ − r_i), λ > max r by bisection on Σπ* = 1. */
function forwardOptimumByBisection(ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number): number[] {
  const rMax = Math.max(...Array.from(reward));
  let lo = rMax;
  let hi = rMax + beta;
  const total = (lambda: number) => Array.from(ref).reduce((s, q, i) => s + (beta * q) / (lambda - reward[i]!), 0);
  for (let k = 0; k < 300; k++) {
    const mid = (lo + hi) / 2;
    if (total(mid) > 1) lo = mid;
    else hi = mid;
  }
  return Array.from(ref, (q, i) => (beta * q) / (hi - reward[i]!));
}

describe("expected-mode fixed points", () => {
  const rand = seededRandom(77);
  const instances = Array.from({ length: 4 }, () => {
    const V = 3 + Math.floor(rand() * 4);
    return { ...randomCase(rand, V), beta: 0.5 + rand() };
  });

  it("k1 in the reward, k2 in the loss and ρ·k3 in the loss settle at the reverse optimum π* ∝ π_ref·e^(r/β) (1e-8)", () => {
    for (const { problem, beta } of instances) {
      const w = Array.from(problem.ref, (q, i) => q * Math.exp(problem.reward[i]! / beta));
      const z = w.reduce((a, b) => a + b, 0);
      for (const settings of [
        { estimator: "k1", klIn: "reward" },
        { estimator: "k2", klIn: "loss" },
        { estimator: "rho-k3", klIn: "loss" },
      ] as Settings[]) {
        const { pi } = trainExpected(problem, settings, beta, 20_000);
        for (let i = 0; i < pi.length; i++) expect(Math.abs(pi[i]! - w[i]! / z), JSON.stringify(settings)).toBeLessThan(1e-8);
      }
    }
  });

  it("k3 in the loss settles at the forward optimum (1e-8)", () => {
    for (const { problem, beta } of instances) {
      const expected = forwardOptimumByBisection(problem.ref, problem.reward, beta);
      const { pi } = trainExpected(problem, { estimator: "k3", klIn: "loss" }, beta, 20_000);
      for (let i = 0; i < pi.length; i++) expect(Math.abs(pi[i]! - expected[i]!)).toBeLessThan(1e-8);
    }
  });

  it("the mean baseline with the KL in the loss settles at the optimum for β·B/(B − 1); loo at β's", () => {
    const { problem, beta } = instances[0]!;
    const B = 4;
    const target = (b: number) => {
      const w = Array.from(problem.ref, (q, i) => q * Math.exp(problem.reward[i]! / b));
      const z = w.reduce((a, x) => a + x, 0);
      return w.map((x) => x / z);
    };
    const mean = trainExpected(problem, { estimator: "k2", klIn: "loss", baseline: "mean", batch: B }, beta, 20_000).pi;
    const loo = trainExpected(problem, { estimator: "k2", klIn: "loss", baseline: "loo", batch: B }, beta, 20_000).pi;
    const biased = target((beta * B) / (B - 1));
    const unbiased = target(beta);
    for (let i = 0; i < mean.length; i++) {
      expect(Math.abs(mean[i]! - biased[i]!)).toBeLessThan(1e-8);
      expect(Math.abs(loo[i]! - unbiased[i]!)).toBeLessThan(1e-8);
    }
  });

  it("k1 in the loss heads for the argmax of r (no penalty); k3 in the reward grows the forward KL without bound", () => {
    for (const { problem, beta } of instances.slice(0, 2)) {
      const best = problem.reward.indexOf(Math.max(...problem.reward));
      const collapse = trainExpected(problem, { estimator: "k1", klIn: "loss" }, beta, 20_000);
      expect(collapse.pi[best]).toBeGreaterThan(0.999);
      // e^(−ℓ) in the reward rewards dropping π_ref's tokens: the forward KL climbs until the run breaks down
      const runaway = trainExpected(problem, { estimator: "k3", klIn: "reward" }, beta, 20_000);
      const kl = runaway.forwardKL.filter(Number.isFinite);
      for (let k = 1; k < kl.length; k++) expect(kl[k]!).toBeGreaterThan(kl[k - 1]!);
      expect(kl[kl.length - 1]!).toBeGreaterThan(20);
    }
  });
});

describe("sampled against expected", () => {
  it("E[ĝ] of expected mode is the mean of sampled ĝ over seeded batches, within 5 standard errors, for every configuration", () => {
    const rand = seededRandom(9);
    const { problem, theta } = randomCase(rand, 4);
    const beta = 0.6;
    const configurations: Settings[] = [];
    for (const estimator of ["k1", "k2", "k3", "rho-k3", "abs", "full"])
      for (const klIn of ["reward", "loss"] as const) for (const baseline of ["loo", "mean", "none"]) configurations.push({ estimator, klIn, baseline });
    configurations.push({ algorithm: "ppo" }, { temperature: 1.7 }, { topK: 3, klIn: "loss", estimator: "k2" }, { batch: 2, baseline: "loo" });
    const batches = 4000;
    for (const settings of configurations) {
      const config = configOf(settings);
      const family = familyAt(problem, theta);
      // lr 0: θ never moves, so every batch is drawn at θ and its ĝ is left in grad
      const stepper = new SampledStepper(family, new Sgd({ kind: "sgd", lr: 0 }), config, () => seedrandom(`batches ${JSON.stringify(settings)}`));
      stepper.reset(REVERSE);
      family.theta.set(theta);
      family.updated(Math.max(...theta));
      stepper.advance(REVERSE, beta, 1); // the batch drawn at π_ref
      const V = problem.V;
      const sum = new Float64Array(V);
      const sumSq = new Float64Array(V);
      for (let n = 0; n < batches; n++) {
        stepper.advance(REVERSE, beta, 1);
        for (let i = 0; i < V; i++) {
          sum[i]! += family.grad[i]!;
          sumSq[i]! += family.grad[i]! ** 2;
        }
      }
      const expected = expectedGradient(problem, theta, settings, beta);
      for (let i = 0; i < V; i++) {
        const mean = sum[i]! / batches;
        const se = Math.sqrt(Math.max(0, sumSq[i]! / batches - mean * mean) / batches);
        expect(Math.abs(mean - expected[i]!), `${JSON.stringify(settings)} ∂${i}: mean ${mean}, expected ${expected[i]}, se ${se}`).toBeLessThanOrEqual(
          5 * se + 1e-12,
        );
      }
    }
  });

  it("the sampled k1 estimate averages to the KL on π, and goes negative from a top-k sampler (the unweighted batch mean)", () => {
    // π = (½, ¼, ¼) against π_ref = (0.6, 0.2, 0.2): the most probable token has π < π_ref, so ℓ < 0 there
    const problem = makeProblem([0.6, 0.2, 0.2], [1, 0, 0]);
    const theta = [0.5, 0.25, 0.25].map(Math.log);
    const meanEstimate = (settings: Settings) => {
      const family = familyAt(problem, theta);
      const stepper = new SampledStepper(family, new Sgd({ kind: "sgd", lr: 0 }), configOf({ batch: 500, ...settings }), () => seedrandom("k"));
      stepper.reset(REVERSE);
      family.theta.set(theta);
      family.updated(Math.max(...theta));
      stepper.advance(REVERSE, 0.1, 1);
      const row = emptyMetricRow();
      let total = 0;
      for (let n = 0; n < 100; n++) {
        stepper.readCurrent(row);
        total += row[METRIC.kl_estimate]!;
        stepper.advance(REVERSE, 0.1, 1);
      }
      return total / 100;
    };
    const kl = 0.5 * Math.log(0.5 / 0.6) + 2 * 0.25 * Math.log(0.25 / 0.2); // 0.0204
    expect(Math.abs(meanEstimate({}) - kl)).toBeLessThan(0.005);
    // top-1 always draws token 0: the estimate is ℓ(0) = log(0.5/0.6) < 0 exactly
    expect(meanEstimate({ topK: 1 })).toBeCloseTo(Math.log(0.5 / 0.6), 12);
  });
});
