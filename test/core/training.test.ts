import { describe, expect, it } from "vitest";
import { adaptiveBeta, createController } from "../../src/core/controllers.js";
import { DIVERGENCE_KINDS, divergenceNamed } from "../../src/core/divergences/registry.js";
import { logOf, normalizedOf, softmaxOf } from "../../src/core/distributions.js";
import { SoftmaxFamily } from "../../src/core/families/softmax.js";
import { entropy, jensenShannon, klDivergence } from "../../src/core/information.js";
import { emptyMetricRow, METRIC } from "../../src/core/metric-row.js";
import { Adam, BiasCorrection, Sgd } from "../../src/core/optimizers.js";
import { makeProblem } from "../../src/core/problem.js";
import { seededRandom } from "../helpers/random.js";

/** D(π, π_ref) from its definition, on probabilities (information.ts: another implementation than the registry's). */
const definitions: Record<string, (pi: Float64Array, ref: Float64Array) => number> = {
  reverse: (pi, ref) => klDivergence(pi, ref),
  forward: (pi, ref) => klDivergence(ref, pi),
  js: (pi, ref) => jensenShannon(pi, ref),
  "alpha:0.5": (pi, ref) => 4 * (1 - pi.reduce((s, p, i) => s + Math.sqrt(p * ref[i]!), 0)), // 4(1 − Bhattacharyya)
};

/** J(θ) = ⟨softmax θ, r⟩ − β·D straight from the definition, for finite differences. */
function objectiveAt(theta: number[], penalty: string, beta: number, ref: Float64Array, reward: number[]): number {
  const pi = softmaxOf(theta);
  return pi.reduce((s, p, i) => s + p * reward[i]!, 0) - beta * definitions[penalty]!(pi, ref);
}

/** A softmax family evaluated at θ. */
function familyAt(problem: ReturnType<typeof makeProblem>, theta: ArrayLike<number>, penalty = divergenceNamed("reverse")): SoftmaxFamily {
  const family = new SoftmaxFamily(problem);
  family.theta.set(theta);
  family.updated(Math.max(...Array.from(theta)));
  family.evaluate(penalty, emptyMetricRow());
  return family;
}

describe("the softmax family's exact gradient", () => {
  const rand = seededRandom(3);
  it("matches central finite differences of J(θ) for every kind of penalty", () => {
    expect(DIVERGENCE_KINDS.map((k) => k.example.name).sort()).toEqual(Object.keys(definitions).sort());
    for (let trial = 0; trial < 20; trial++) {
      const V = 2 + Math.floor(rand() * 8);
      const ref = normalizedOf(Array.from({ length: V }, () => 0.1 + rand()));
      const reward = Array.from({ length: V }, () => 2 * rand() - 1);
      const theta = Array.from({ length: V }, () => 3 * rand() - 1.5);
      const beta = 0.05 + rand();
      const problem = makeProblem(ref, reward);
      for (const name of Object.keys(definitions)) {
        const penalty = divergenceNamed(name);
        const family = familyAt(problem, theta, penalty);
        family.gradient(penalty, beta);
        const h = 1e-5;
        for (let i = 0; i < V; i++) {
          const up = theta.slice();
          const down = theta.slice();
          up[i]! += h;
          down[i]! -= h;
          const numeric = (objectiveAt(up, name, beta, problem.ref, reward) - objectiveAt(down, name, beta, problem.ref, reward)) / (2 * h);
          expect(Math.abs(family.grad[i]! - numeric), `${name} ∂J/∂θ${i}`).toBeLessThan(1e-8);
        }
      }
    }
  });

  it("equals the textbook forms for the two KLs to 1e-12: π ⊙ (f − ⟨π, f⟩), f = r − β log(π/π_ref); π ⊙ (r − E_π r) + β(π_ref − π)", () => {
    for (let trial = 0; trial < 20; trial++) {
      const V = 2 + Math.floor(rand() * 50);
      const problem = makeProblem(
        Array.from({ length: V }, () => 0.01 + rand()),
        Array.from({ length: V }, () => rand()),
        Array.from({ length: V }, () => rand()),
      );
      const theta = Array.from({ length: V }, () => 20 * rand() - 10);
      const family = familyAt(problem, theta);
      const pi = softmaxOf(theta);
      const state = family.state;
      for (let i = 0; i < V; i++) expect(Math.abs(state.pi[i]! - pi[i]!)).toBeLessThan(1e-15);
      expect(state.reverseKL).toBeCloseTo(klDivergence(pi, problem.ref), 12);
      expect(state.forwardKL).toBeCloseTo(klDivergence(problem.ref, pi), 12);
      expect(state.entropy).toBeCloseTo(entropy(pi), 12);
      const beta = 0.3;
      const { ref, reward } = problem;
      const logRatio = Array.from(pi, (p, i) => Math.log(p) - Math.log(ref[i]!));
      const f = logRatio.map((l, i) => reward[i]! - beta * l);
      const meanF = f.reduce((s, x, i) => s + pi[i]! * x, 0);
      const meanR = reward.reduce((s, x, i) => s + pi[i]! * x, 0);
      const textbook = {
        reverse: f.map((x, i) => pi[i]! * (x - meanF)),
        forward: Array.from(pi, (p, i) => p * (reward[i]! - meanR) + beta * (ref[i]! - p)),
      };
      for (const name of ["reverse", "forward"] as const) {
        family.gradient(divergenceNamed(name), beta);
        for (let i = 0; i < V; i++) expect(Math.abs(family.grad[i]! - textbook[name][i]!), `${name} ${i}`).toBeLessThan(1e-12);
      }
    }
  });

  it("reports the penalty's value in the row: the KL it is, or the entry's own value", () => {
    const problem = makeProblem([0.5, 0.3, 0.2], [1, 0, 0]);
    const theta = [0.4, -0.2, 0.1];
    const pi = softmaxOf(theta);
    for (const name of Object.keys(definitions)) {
      const row = emptyMetricRow();
      const family = new SoftmaxFamily(problem);
      family.theta.set(theta);
      family.updated(0.4);
      family.evaluate(divergenceNamed(name), row);
      expect(row[METRIC.penalty_value], name).toBeCloseTo(definitions[name]!(pi, problem.ref), 14);
      expect(Array.from(logOf(pi)).every(Number.isFinite)).toBe(true);
    }
  });
});

describe("the softmax family's start (a sweep restarts at it once per β)", () => {
  it("restores the start's evaluation: π, log π, the row and the gradient are a fresh evaluation's bits, log π ≈ log π_ref", () => {
    const rand = seededRandom(11);
    const ref = normalizedOf(Array.from({ length: 37 }, () => 0.05 + rand()));
    const problem = makeProblem(
      ref,
      Array.from({ length: 37 }, () => rand()),
    );
    for (const name of Object.keys(definitions)) {
      const penalty = divergenceNamed(name);
      const fresh = new SoftmaxFamily(problem);
      fresh.reset();
      const freshRow = emptyMetricRow();
      fresh.evaluate(penalty, freshRow);
      fresh.gradient(penalty, 0.3);
      const restarted = new SoftmaxFamily(problem);
      restarted.reset();
      restarted.evaluate(penalty, emptyMetricRow()); // keeps the start's evaluation
      restarted.theta.fill(2); // a run moves θ away …
      restarted.updated(2);
      restarted.evaluate(penalty, emptyMetricRow());
      restarted.reset(); // … and the next one restores the start
      const row = emptyMetricRow();
      restarted.evaluate(penalty, row);
      restarted.gradient(penalty, 0.3);
      const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((x, i) => Object.is(x, b[i]));
      expect(same(restarted.tokenProbabilities(), fresh.tokenProbabilities()), name).toBe(true);
      expect(same(restarted.logProbabilities(), fresh.logProbabilities()), name).toBe(true);
      expect(same(row, freshRow), name).toBe(true);
      expect(same(restarted.grad, fresh.grad), name).toBe(true);
      // independently: at θ = log π_ref, log π = log π_ref (π_ref sums to 1 up to rounding)
      restarted.logProbabilities().forEach((l, i) => expect(l).toBeCloseTo(Math.log(ref[i]!), 14));
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

  it("Adam's bias correction 1/(1 − βᵗ) from its table is the formula's bits at every t, in any order, and exactly 1 once βᵗ ≤ 2⁻⁵⁴", () => {
    const formula = (beta: number, t: number) => 1 / (1 - Math.pow(beta, t));
    const rand = seededRandom(5);
    for (const beta of [0.9, 0.999, 0.5, 0.99, 0, 0.9999, 0.99999, 0.3]) {
      // a later t first (the table grows to it), then every t up to past the cut-off, then far ones
      const ts = [70_000, 40_000, 1, 2, 3, 400];
      for (let t = 1; t <= 80_000; t += t < 1000 ? 1 : 37) ts.push(t);
      for (let k = 0; k < 200; k++) ts.push(1 + Math.floor(rand() * 2_000_000));
      const table = BiasCorrection.of(beta);
      for (const t of ts) if (!Object.is(table.at(t), formula(beta, t))) expect(table.at(t), `β ${beta}, t ${t}`).toBe(formula(beta, t));
    }
    // by hand: β = ½ gives 2, 4/3, …; 1/(1 − 2⁻⁵³) rounds to 1 + 2⁻⁵², and 1 − 2⁻⁵⁴ rounds to 1
    expect(BiasCorrection.of(0.5).at(1)).toBe(2);
    expect(BiasCorrection.of(0.5).at(2)).toBe(4 / 3);
    expect(BiasCorrection.of(0.5).at(53)).toBe(1 + 2 ** -52);
    expect(BiasCorrection.of(0.5).at(54)).toBe(1);
    expect(BiasCorrection.of(0.9).at(1000)).toBe(1); // 0.9¹⁰⁰⁰ ≈ 1.7e-46
    // the optimiser's tick takes it
    const adam = new Adam({ kind: "adam", lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }, 1);
    for (let t = 1; t <= 50_000; t++) {
      adam.tick();
      if (!Object.is(adam.c2, formula(0.999, t)) || !Object.is(adam.c1, formula(0.9, t)))
        expect([t, adam.c1, adam.c2]).toEqual([t, formula(0.9, t), formula(0.999, t)]);
    }
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
