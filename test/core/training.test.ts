import { describe, expect, it } from "vitest";
import { adaptiveBeta, createController } from "../../src/core/controllers.js";
import { logOf, logSoftmaxOf, normalizedOf, softmaxOf } from "../../src/core/distributions.js";
import { forwardGradientInto, objectiveOf, reverseGradientInto } from "../../src/core/objective.js";
import { Adam, Sgd } from "../../src/core/optimizers.js";
import { evaluatePolicy, exactGradient, makeProblem, PolicyState } from "../../src/core/policy.js";
import { klDivergence, entropy } from "../../src/core/divergences.js";
import { seededRandom } from "../helpers/random.js";

/** J(θ) straight from the definition, for finite differences. */
function objectiveAt(theta: number[], penalty: "reverse" | "forward", beta: number, ref: Float64Array, reward: number[]): number {
  const pi = softmaxOf(theta);
  return objectiveOf(penalty, beta, pi, logSoftmaxOf(theta), ref, logOf(ref), reward);
}

describe("exact gradients", () => {
  const rand = seededRandom(3);
  it("match central finite differences of J(θ) for both penalties", () => {
    for (let trial = 0; trial < 20; trial++) {
      const V = 2 + Math.floor(rand() * 8);
      const ref = normalizedOf(Array.from({ length: V }, () => 0.1 + rand()));
      const reward = Array.from({ length: V }, () => 2 * rand() - 1);
      const theta = Array.from({ length: V }, () => 3 * rand() - 1.5);
      const beta = 0.05 + rand();
      const pi = softmaxOf(theta);
      const logPi = logSoftmaxOf(theta);
      for (const penalty of ["reverse", "forward"] as const) {
        const grad = new Float64Array(V);
        if (penalty === "reverse") reverseGradientInto(pi, logPi, logOf(ref), reward, beta, grad);
        else forwardGradientInto(pi, ref, reward, beta, grad);
        const h = 1e-5;
        for (let i = 0; i < V; i++) {
          const up = theta.slice();
          const down = theta.slice();
          up[i]! += h;
          down[i]! -= h;
          const numeric = (objectiveAt(up, penalty, beta, ref, reward) - objectiveAt(down, penalty, beta, ref, reward)) / (2 * h);
          expect(Math.abs(grad[i]! - numeric)).toBeLessThan(1e-8);
        }
      }
    }
  });

  it("the fused kernel (evaluatePolicy + exactGradient) equals the plain formulas to 1e-12", () => {
    for (let trial = 0; trial < 20; trial++) {
      const V = 2 + Math.floor(rand() * 50);
      const problem = makeProblem(
        Array.from({ length: V }, () => 0.01 + rand()),
        Array.from({ length: V }, () => rand()),
        Array.from({ length: V }, () => rand()),
      );
      const state = new PolicyState(V);
      for (let i = 0; i < V; i++) state.theta[i] = 20 * rand() - 10;
      state.maxTheta = Math.max(...state.theta);
      evaluatePolicy(problem, state);
      const pi = softmaxOf(state.theta);
      const logPi = logSoftmaxOf(state.theta);
      for (let i = 0; i < V; i++) expect(Math.abs(state.pi[i]! - pi[i]!)).toBeLessThan(1e-15);
      expect(state.reverseKL).toBeCloseTo(klDivergence(pi, problem.ref), 12);
      expect(state.forwardKL).toBeCloseTo(klDivergence(problem.ref, pi), 12);
      expect(state.entropy).toBeCloseTo(entropy(pi), 12);
      for (const penalty of ["reverse", "forward"] as const) {
        exactGradient(problem, state, penalty, 0.3);
        const plain = new Float64Array(V);
        if (penalty === "reverse") reverseGradientInto(pi, logPi, problem.logRef, problem.reward, 0.3, plain);
        else forwardGradientInto(pi, problem.ref, problem.reward, 0.3, plain);
        for (let i = 0; i < V; i++) expect(Math.abs(state.grad[i]! - plain[i]!)).toBeLessThan(1e-12);
      }
    }
  });
});

describe("optimisers", () => {
  it("SGD ascends: θ ← θ + lr·g, and returns max θ", () => {
    const theta = new Float64Array([0, 1]);
    const max = new Sgd({ kind: "sgd", lr: 0.5 }).step(theta, new Float64Array([2, -4]));
    expect(Array.from(theta)).toEqual([1, -1]);
    expect(max).toBe(1);
  });

  it("Adam's first step is lr·g/(|g| + ε) (bias-corrected m̂ = g, v̂ = g²)", () => {
    const theta = new Float64Array([0, 0, 0]);
    const adam = new Adam({ kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 3);
    adam.step(theta, new Float64Array([3, -0.5, 0]));
    expect(theta[0]).toBeCloseTo((0.1 * 3) / (3 + 1e-8), 15);
    expect(theta[1]).toBeCloseTo((-0.1 * 0.5) / (0.5 + 1e-8), 15);
    expect(theta[2]).toBe(0);
  });
});

describe("controllers", () => {
  it("adaptive (TRL): e = clip(KL/target − 1, ±0.2); β ← β(1 + e·n/horizon)", () => {
    expect(adaptiveBeta(1, 0.6, 0.3, 100, 1)).toBeCloseTo(1.002, 15); // e clipped to +0.2
    expect(adaptiveBeta(1, 0.27, 0.3, 100, 1)).toBeCloseTo(1 - 0.1 / 100, 15); // e = −0.1
    expect(adaptiveBeta(2, 0, 0.3, 10, 64)).toBeCloseTo(2 * (1 - (0.2 * 64) / 10), 12); // e clipped to −0.2, n = 64
  });

  it("schedule: β_t from the expression; a user override rescales it", () => {
    const c = createController({ kind: "schedule", expr: "1/(1+t)" }, (t) => 1 / (1 + t));
    expect(c.initial(99)).toBe(1);
    expect(c.next(0, 1, 0, 1)).toBe(0.5); // β for step 1
    expect(c.override(1, 0.25)).toBe(0.25); // scale ½ from now on
    expect(c.next(1, 0.25, 0, 1)).toBeCloseTo(0.5 * (1 / 3), 15);
  });
});
