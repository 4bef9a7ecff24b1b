/**
 * Where each sampled configuration settles, against the theory the split must reproduce (Tang &
 * Munos 2025): the words and closed forms per estimator × placement, the mean baseline's β·B/(B−1)
 * in the loss, and — for a configuration with no KL identity (k2 in the reward) — the stationarity
 * condition derived here: with an unbiased baseline the expected gradient π ⊙ (G − E_π G) vanishes
 * only where every token's return G = r − β·ℓ²/2 is the same.
 */
import { describe, expect, it } from "vitest";
import { baselineNamed } from "../../src/core/baselines.js";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { estimatorNamed } from "../../src/core/estimators.js";
import { fixedPointOf } from "../../src/core/fixed-points.js";
import { makeProblem } from "../../src/core/problem.js";
import type { SampledConfig } from "../../src/core/steppers/sampled.js";

const REVERSE = divergenceNamed("reverse");
const problem = makeProblem([0.4, 0.3, 0.2, 0.1], [1, 0.2, -0.3, 0.5]);
const beta = 0.7;

function config(estimator: string, klIn: "reward" | "loss", baseline = "loo", batch = 8): SampledConfig {
  const entry = estimatorNamed(estimator)!;
  return { batch, algorithm: "reinforce", estimator: entry, klIn, baseline: baselineNamed(baseline)!, clip: 0.2, epochs: 1, temperature: 1, topK: null };
}

/** π* ∝ π_ref·e^(r/β). */
function reverseOptimum(b: number): number[] {
  const w = Array.from(problem.ref, (q, i) => q * Math.exp(problem.reward[i]! / b));
  const z = w.reduce((a, x) => a + x, 0);
  return w.map((x) => x / z);
}

describe("the fixed point of each configuration", () => {
  it("says what each estimator × placement optimises, as the identities say", () => {
    const table: Array<[string, "reward" | "loss", string]> = [
      ["k1", "reward", "reverse KL"],
      ["k3", "reward", "reverse − forward (unbounded)"],
      ["rho-k3", "reward", "reverse − forward (unbounded)"],
      ["k1", "loss", "nothing"],
      ["k2", "loss", "reverse KL"],
      ["k3", "loss", "forward KL"],
      ["rho-k3", "loss", "reverse KL"],
      ["k2", "reward", "neither KL"],
      ["abs", "loss", "neither KL"],
      ["full", "reward", "the penalty itself (exact)"],
    ];
    for (const [estimator, klIn, words] of table)
      expect(fixedPointOf(problem, config(estimator, klIn), REVERSE, beta).optimises, `${estimator} in ${klIn}`).toBe(words);
  });

  it("closed forms: the reverse optimum, at β·B/(B − 1) for the mean baseline in the loss; none for k3 in the reward", () => {
    const k1 = fixedPointOf(problem, config("k1", "reward"), REVERSE, beta);
    const expected = reverseOptimum(beta);
    for (let i = 0; i < 4; i++) expect(k1.policy![i]).toBeCloseTo(expected[i]!, 12);
    const mean = fixedPointOf(problem, config("k2", "loss", "mean", 4), REVERSE, beta);
    expect(mean.effectiveBeta).toBeCloseTo((beta * 4) / 3, 9);
    const biased = reverseOptimum((beta * 4) / 3);
    for (let i = 0; i < 4; i++) expect(mean.policy![i]).toBeCloseTo(biased[i]!, 9);
    // in the reward the mean baseline scales reward and KL alike: β unchanged
    expect(fixedPointOf(problem, config("k1", "reward", "mean", 4), REVERSE, beta).effectiveBeta).toBeCloseTo(beta, 9);
    expect(fixedPointOf(problem, config("k3", "reward"), REVERSE, beta).policy).toBeNull();
  });

  it("k2 in the reward settles where its expected gradient vanishes: here, collapsed onto the argmax of r", () => {
    const { policy } = fixedPointOf(problem, config("k2", "reward"), REVERSE, beta);
    const pi = Array.from(policy!);
    // with an unbiased baseline E[ĝ] = c − π·Σc, c_i = π_i(G_i − E_π G), G = r − β·ℓ²/2 (the detached return)
    const G = pi.map((p, i) => problem.reward[i]! - (beta * Math.log(p / problem.ref[i]!) ** 2) / 2);
    const meanG = pi.reduce((s, p, i) => s + p * G[i]!, 0);
    const c = pi.map((p, i) => p * (G[i]! - meanG));
    const sumC = c.reduce((a, b) => a + b, 0);
    // (a vertex: training approaches it ever more slowly, so the gradient left is small, not 0)
    for (let i = 0; i < 4; i++) expect(Math.abs(c[i]! - pi[i]! * sumC)).toBeLessThan(1e-5);
    expect(pi[0]).toBeGreaterThan(0.999); // the best token: ℓ² punishes every token π has left
  });
});
