/**
 * Property tests (fast-check) of the core math and of the scenario loader.
 *
 * Core: KLs are ≥ 0 and finite on strictly positive inputs, zero iff the distributions are equal
 * (quantified by Pinsker: KL ≥ 2·TV²), JS ∈ [0, log 2], softmax sums to 1 for logits up to ±1e6,
 * the closed-form optima satisfy their stationarity conditions (and beat any other policy), and
 * the exact gradients match central finite differences of the objective.
 *
 * Loader: random mutations of valid scenarios either load or fail with InputError, nothing else;
 * what loads is numerically sound and runs without a non-finite record.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { logSoftmaxOf, softmaxOf, sum } from "../../src/core/distributions.js";
import { crossEntropy, entropy, jensenShannon, klDivergence, klFromLogs } from "../../src/core/information.js";
import type { Divergence } from "../../src/core/divergence.js";
import { DIVERGENCE_KINDS, divergenceNamed } from "../../src/core/divergences/registry.js";
import { SoftmaxFamily } from "../../src/core/families/softmax.js";
import { emptyMetricRow } from "../../src/core/metric-row.js";
import { argmaxOptimum, optimumOf, reverseOptimum } from "../../src/core/optima.js";
import { makeProblem } from "../../src/core/problem.js";
import { NULLABLE_FIELDS, RECORD_FIELDS } from "../../src/sim/record.js";

/** Every kind of penalty, by its example entry. */
const PENALTIES = DIVERGENCE_KINDS.map((k) => k.example);
/** D(π, π_ref) of each kind from its definition on probabilities (information.ts and plain Math, not the registry's code). */
const DEFINITION: Record<string, (pi: ArrayLike<number>, ref: ArrayLike<number>) => number> = {
  reverse: (pi, ref) => klDivergence(pi, ref),
  forward: (pi, ref) => klDivergence(ref, pi),
  js: (pi, ref) => jensenShannon(pi, ref),
  "alpha:0.5": (pi, ref) => 4 * (1 - Array.from(pi).reduce((s, p, i) => s + Math.sqrt(p * ref[i]!), 0)),
};
/** J(π) = ⟨π, r⟩ − β·D(π, π_ref) from the definitions. */
function objectiveOf(penalty: Divergence, beta: number, pi: ArrayLike<number>, ref: ArrayLike<number>, reward: ArrayLike<number>): number {
  let reward_ = 0;
  for (let i = 0; i < pi.length; i++) reward_ += pi[i]! * reward[i]!;
  return beta === 0 ? reward_ : reward_ - beta * DEFINITION[penalty.name]!(pi, ref);
}
const forwardOptimum = (ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number) =>
  divergenceNamed("forward").optimum(ref, Array.from(ref, Math.log), reward, beta);
/** Indices of the record fields that may be null (NaN). */
const NULLABLE = new Set(RECORD_FIELDS.flatMap((f, i) => (NULLABLE_FIELDS.has(f) ? [i] : [])));
import { DivergenceError, InputError } from "../../src/errors.js";
import { listScenarioNames, loadScenario, resolveScenario, SCENARIOS_DIR, simConfigOf } from "../../src/scenario/loader.js";
import { parseScenarioSpec } from "../../src/scenario/schema.js";
import { Simulation } from "../../src/sim/simulation.js";

/** KLSIM_FC_SCALE=20 npx vitest run test/reliability/properties.test.ts: a longer hunt. */
const SCALE = Math.max(1, Number(process.env.KLSIM_FC_SCALE) || 1);
const RUNS = { numRuns: 300 * SCALE };

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** A strictly positive distribution of V entries, weights spanning 12 orders of magnitude. */
const positiveDistribution = (minLength = 2, maxLength = 48) =>
  fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength, maxLength }).map((w) => {
    const total = w.reduce((a, b) => a + b, 0);
    return Float64Array.from(w, (x) => x / total);
  });

/** Two strictly positive distributions of the same length. */
const positivePair = fc.integer({ min: 2, max: 48 }).chain((V) => fc.tuple(positiveDistribution(V, V), positiveDistribution(V, V)));

/** A distribution that may have zeros (at least one entry > 0). */
const distributionWithZeros = (V: number) =>
  fc
    .array(fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1, noNaN: true })), { minLength: V, maxLength: V })
    .filter((w) => w.some((x) => x > 0))
    .map((w) => {
      const total = w.reduce((a, b) => a + b, 0);
      return Float64Array.from(w, (x) => x / total);
    });

const logUniform = (lo: number, hi: number) => fc.double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true }).map((e) => 10 ** e);

function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - q[i]!);
  return s / 2;
}

// ---------------------------------------------------------------------------------------------

describe("divergences", () => {
  it("KL(p‖q) and KL(q‖p) are finite and ≥ 0 on strictly positive inputs, and KL ≥ 2·TV² (Pinsker)", () => {
    fc.assert(
      fc.property(positivePair, ([p, q]) => {
        for (const [a, b] of [
          [p, q],
          [q, p],
        ] as const) {
          const kl = klDivergence(a, b);
          expect(Number.isFinite(kl)).toBe(true);
          expect(kl).toBeGreaterThanOrEqual(0);
          const tv = totalVariation(a, b);
          expect(kl).toBeGreaterThanOrEqual(2 * tv * tv - 1e-12);
          // the simulator's log-space form agrees
          const fromLogs = klFromLogs(Array.from(a, Math.log), Array.from(b, Math.log));
          expect(fromLogs).toBeGreaterThanOrEqual(0);
          expect(Math.abs(fromLogs - kl)).toBeLessThanOrEqual(1e-9 * (1 + kl));
          // H(p, q) = H(p) + KL(p‖q)
          expect(Math.abs(crossEntropy(a, b) - entropy(a) - kl)).toBeLessThanOrEqual(1e-9 * (1 + crossEntropy(a, b)));
        }
      }),
      RUNS,
    );
  });

  it("KL is zero iff the distributions are equal", () => {
    fc.assert(
      fc.property(positivePair, ([p, q]) => {
        expect(klDivergence(p, p)).toBe(0);
        expect(klDivergence(q, q)).toBe(0);
        // different enough to be told apart in floating point ⇒ strictly positive (Pinsker's bound is > rounding)
        if (totalVariation(p, q) > 1e-5) expect(klDivergence(p, q)).toBeGreaterThan(0);
        if (klDivergence(p, q) === 0) expect(totalVariation(p, q)).toBeLessThan(1e-5);
      }),
      RUNS,
    );
  });

  it("zeros: KL is +Infinity where q is 0 and p is not, never NaN; JS stays finite", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }).chain((V) => fc.tuple(distributionWithZeros(V), distributionWithZeros(V))),
        ([p, q]) => {
          const kl = klDivergence(p, q);
          const leaks = p.some((x, i) => x > 0 && q[i] === 0);
          if (leaks) expect(kl).toBe(Infinity);
          else expect(Number.isFinite(kl) && kl >= 0).toBe(true);
          expect(Number.isNaN(crossEntropy(p, q))).toBe(false);
          expect(Number.isFinite(jensenShannon(p, q))).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("JS is symmetric, in [0, log 2], 0 on equal inputs and log 2 on disjoint supports", () => {
    fc.assert(
      fc.property(positivePair, ([p, q]) => {
        const js = jensenShannon(p, q);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(Math.LN2);
        expect(Math.abs(js - jensenShannon(q, p))).toBeLessThanOrEqual(1e-15);
        expect(jensenShannon(p, p)).toBe(0);
        // JS ≤ ½ KL(p‖q)·… is not general, but JS ≤ TV·log 2 is (Lin 1991)
        expect(js).toBeLessThanOrEqual(totalVariation(p, q) * Math.LN2 + 1e-12);
        // disjoint supports: p on the first half, q on the second
        const V = p.length;
        const a = new Float64Array(2 * V);
        const b = new Float64Array(2 * V);
        a.set(p, 0);
        b.set(q, V);
        expect(jensenShannon(a, b)).toBeCloseTo(Math.LN2, 12);
      }),
      RUNS,
    );
  });
});

describe("softmax", () => {
  const logits = fc.oneof(
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
    // the extremes themselves, mixed
    fc.array(fc.constantFrom(-1e6, 1e6, 0, -1e6 + 1, 1e6 - 1e-3, 700, -745, 710), { minLength: 1, maxLength: 64 }),
  );

  it("sums to 1, every entry in [0, 1], for logits up to ±1e6; log-softmax finite and ≤ 0", () => {
    fc.assert(
      fc.property(logits, (theta) => {
        const p = softmaxOf(theta);
        const logP = logSoftmaxOf(theta);
        // softmax is exp(θ_i − max)/Σ: the sum is 1 within a few ulps per term, whatever the logits' size.
        const tolerance = 2 * Number.EPSILON * (p.length + 2);
        expect(Math.abs(sum(p) - 1)).toBeLessThanOrEqual(tolerance);
        let best = 0;
        for (let i = 0; i < p.length; i++) {
          expect(p[i]).toBeGreaterThanOrEqual(0);
          expect(p[i]).toBeLessThanOrEqual(1);
          expect(Number.isFinite(logP[i]!)).toBe(true);
          expect(logP[i]).toBeLessThanOrEqual(0);
          if (theta[i]! > theta[best]!) best = i;
        }
        expect(p[best]).toBeGreaterThan(0); // the largest logit never underflows
        expect(p[best]).toBeGreaterThanOrEqual(1 / p.length - tolerance);
      }),
      RUNS,
    );
  });

  it("is shift invariant: softmax(θ + c) = softmax(θ) for |c| up to 1e6", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 32 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (theta, c) => {
          const p = softmaxOf(theta);
          const shifted = softmaxOf(theta.map((x) => x + c));
          for (let i = 0; i < p.length; i++) expect(Math.abs(shifted[i]! - p[i]!)).toBeLessThanOrEqual(1e-9);
        },
      ),
      RUNS,
    );
  });
});

describe("closed-form optima", () => {
  /** A problem: π_ref strictly positive, rewards in [-10, 10], β log-uniform in [0.1, 100]. */
  const problem = fc.integer({ min: 2, max: 32 }).chain((V) =>
    fc.record({
      ref: positiveDistribution(V, V),
      reward: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: V, maxLength: V }).map((r) => Float64Array.from(r)),
      beta: logUniform(0.1, 100),
    }),
  );

  it("reverse: r − β·log(π*/π_ref) is the same constant on every token", () => {
    fc.assert(
      fc.property(problem, ({ ref, reward, beta }) => {
        const logRef = Array.from(ref, Math.log);
        const pi = reverseOptimum(ref, logRef, reward, beta);
        expect(Math.abs(sum(pi) - 1)).toBeLessThanOrEqual(1e-12);
        const c = Array.from(pi, (p, i) => reward[i]! - beta * (Math.log(p) - logRef[i]!));
        const spread = Math.max(...c) - Math.min(...c);
        expect(spread).toBeLessThanOrEqual(1e-9 * (1 + Math.max(...Array.from(reward, Math.abs))));
      }),
      RUNS,
    );
  });

  it("forward: π_i(r_i − ⟨π, r⟩) + β(π_ref,i − π_i) = 0 on every token", () => {
    fc.assert(
      fc.property(problem, ({ ref, reward, beta }) => {
        const pi = forwardOptimum(ref, reward, beta);
        expect(Math.abs(sum(pi) - 1)).toBeLessThanOrEqual(1e-12);
        let mean = 0;
        for (let i = 0; i < pi.length; i++) mean += pi[i]! * reward[i]!;
        const scale = 1 + Math.max(...Array.from(reward, Math.abs)) + beta;
        for (let i = 0; i < pi.length; i++) {
          expect(pi[i]).toBeGreaterThan(0);
          const residual = pi[i]! * (reward[i]! - mean) + beta * (ref[i]! - pi[i]!);
          expect(Math.abs(residual)).toBeLessThanOrEqual(1e-10 * scale);
        }
      }),
      RUNS,
    );
  });

  it("the optimum beats any other policy: J(π*) ≥ J(π)", () => {
    fc.assert(
      fc.property(
        problem.chain((p) => fc.record({ p: fc.constant(p), other: positiveDistribution(p.ref.length, p.ref.length), penalty: fc.constantFrom(...PENALTIES) })),
        ({ p: { ref, reward, beta }, other, penalty }) => {
          const logRef = Array.from(ref, Math.log);
          const J = (pi: Float64Array) => objectiveOf(penalty, beta, pi, ref, reward);
          const best = optimumOf(penalty, ref, logRef, reward, beta);
          expect(J(best)).toBeGreaterThanOrEqual(J(other) - 1e-9 * (1 + Math.abs(J(other))));
        },
      ),
      RUNS,
    );
  });

  it("β → 0 and β = 0 put the mass on the argmax of r; extreme β never gives NaN", () => {
    fc.assert(
      fc.property(
        problem,
        fc.constantFrom(0, Number.MIN_VALUE, 1e-300, 1e-12, 1e12, 1e300, 1e308, Number.MAX_VALUE),
        fc.constantFrom(...PENALTIES),
        ({ ref, reward }, beta, penalty) => {
          const logRef = Array.from(ref, Math.log);
          const pi = optimumOf(penalty, ref, logRef, reward, beta);
          for (const x of pi) expect(Number.isFinite(x) && x >= 0).toBe(true);
          expect(Math.abs(sum(pi) - 1)).toBeLessThanOrEqual(1e-12);
          if (beta === 0) expect(Array.from(pi)).toEqual(Array.from(argmaxOptimum(ref, reward)));
        },
      ),
      RUNS,
    );
  });
});

describe("exact gradients", () => {
  const case_ = fc.integer({ min: 2, max: 10 }).chain((V) =>
    fc.record({
      theta: fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: V, maxLength: V }),
      ref: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: V, maxLength: V }).map((w) => {
        const total = w.reduce((a, b) => a + b, 0);
        return Float64Array.from(w, (x) => x / total);
      }),
      reward: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: V, maxLength: V }),
      beta: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
      penalty: fc.constantFrom(...PENALTIES),
    }),
  );

  it("match central finite differences of J(softmax θ)", () => {
    fc.assert(
      fc.property(case_, ({ theta, ref, reward, beta, penalty }) => {
        const J = (t: number[]) => objectiveOf(penalty, beta, softmaxOf(t), ref, reward);
        const family = new SoftmaxFamily(makeProblem(ref, reward));
        family.theta.set(theta);
        family.updated(Math.max(...theta));
        family.evaluate(penalty, emptyMetricRow());
        family.gradient(penalty, beta);
        const grad = family.grad;
        const h = 1e-5;
        for (let i = 0; i < theta.length; i++) {
          const plus = theta.slice();
          const minus = theta.slice();
          plus[i]! += h;
          minus[i]! -= h;
          const numeric = (J(plus) - J(minus)) / (2 * h);
          expect(Math.abs(grad[i]! - numeric)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(numeric) + beta));
        }
        // the gradient of a function of softmax θ is orthogonal to the all-ones direction
        expect(Math.abs(sum(grad))).toBeLessThanOrEqual(1e-12 * (1 + beta) * theta.length);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Loader mutations

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const shipped: Json[] = listScenarioNames()
  .map((name) => JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), "utf8")) as Json)
  // large vocabularies make every mutation slow; V ≤ 64 exercises the same code
  .filter((json) => typeof json === "object" && json !== null && !Array.isArray(json) && (typeof json.vocab !== "number" || json.vocab <= 64));

/** A few more valid shapes than the shipped ones: logits, expressions, adam, sampled, schedule. */
const extraValid: Json[] = [
  {
    vocab: 5,
    reference: { expr: "i + 1", as: "weights" },
    reward: { expr: "i / V" },
    gold: { expr: "i == 2 ? 1 : 0" },
    optimizer: { kind: "adam", lr: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-6 },
  },
  { reference: { logits: [0, 1, -1] }, reward: [0, 1, 2], penalty: "forward", controller: { kind: "adaptive", target: 0.2, horizon: 50 }, steps: 10 },
  { tokens: ["a", "b"], reference: [0.3, 0.7], reward: [1, 0], controller: { kind: "schedule", expr: "0.5 * exp(-t / 10)" }, steps: 20 },
  {
    reference: [0.5, 0.25, 0.25],
    reward: [1, 0, 0],
    mode: "sampled",
    sampling: { batch: 8, algorithm: "ppo", estimator: "k3", kl_in: "loss", clip: 0.3, epochs: 2 },
    seed: 7,
  },
];

const JUNK: Json[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  1e300,
  -1e300,
  1e308,
  -1e308,
  5e-324,
  1e-320,
  "",
  " ",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "0x10",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  [],
  {},
  [[]],
  [null],
  [1],
  [1, 2, 3],
  [0, 0],
  [-1, 2],
  [0.5, "0.5"],
  [1e308, 1e308],
  [1e-320, 1],
  { expr: "" },
  { expr: "1/0" },
  { expr: "i" },
  { expr: "x" },
  { expr: "sqrt(-1)" },
  { expr: "i > 1" },
  { expr: "combinations(1e15, 5e14)" },
  { expr: 'cos.constructor("return 1")' },
  { expr: "import({}, {})" },
  { expr: "[i]" },
  { expr: "1e308 * 10" },
  { logits: [] },
  { logits: [0, "1"] },
  { logits: [0, -1e6] },
  { kind: "fixed" },
  { kind: "adaptive" },
  { kind: "adam", lr: 1e308 },
  { __proto__: 1 } as unknown as Json,
  { a: { b: { c: [1, { d: null }] } } },
];

const junk = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...JUNK) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.double() as fc.Arbitrary<Json> }, // NaN and ±Infinity too: as if a parser let them through
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s): Json => ({ expr: s })) },
);

type Mutation =
  | { kind: "delete"; at: number }
  | { kind: "rename"; at: number; name: string }
  | { kind: "set"; at: number; value: Json }
  | { kind: "add"; at: number; name: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("rename" as const),
    at: fc.nat(),
    name: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("rewards", "Beta", "ref", "kl_in", "__proto__", "constructor", "toString")),
  }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: junk }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(), name: fc.string({ maxLength: 12 }), value: junk }),
);

/** Every (container, key) slot of a JSON value, depth first. */
function slots(value: Json): Array<[Json[] | { [key: string]: Json }, string | number]> {
  const out: Array<[Json[] | { [key: string]: Json }, string | number]> = [];
  const walk = (v: Json) => {
    if (Array.isArray(v))
      v.forEach((child, i) => {
        out.push([v, i]);
        walk(child);
      });
    else if (v !== null && typeof v === "object")
      for (const key of Object.keys(v)) {
        out.push([v, key]);
        walk(v[key]!);
      }
  };
  walk(value);
  return out;
}

function containers(value: Json): Array<{ [key: string]: Json }> {
  const out: Array<{ [key: string]: Json }> = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      out.push(v);
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return out;
}

function mutate(base: Json, mutations: Mutation[]): Json {
  const json = structuredClone(base);
  for (const m of mutations) {
    if (m.kind === "add") {
      const all = containers(json);
      if (all.length)
        Object.defineProperty(all[m.at % all.length]!, m.name, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
      continue;
    }
    const all = slots(json);
    if (!all.length) continue;
    const [container, key] = all[m.at % all.length]!;
    if (m.kind === "set")
      (container as Record<string | number, Json>)[key] = structuredClone(m.value); // JSON has no shared or cyclic values
    else if (Array.isArray(container)) container.splice(key as number, 1);
    else {
      const value = container[key as string]!;
      delete container[key as string];
      if (m.kind === "rename") Object.defineProperty(container, m.name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return json;
}

/** The loader's contract for one input: InputError with a one-line message, or a sound scenario. */
async function checkLoad(load: () => Promise<Awaited<ReturnType<typeof loadScenario>>>, steps = 3): Promise<"ok" | "rejected"> {
  let scenario: Awaited<ReturnType<typeof loadScenario>>;
  try {
    scenario = await load();
  } catch (error) {
    if (!(error instanceof InputError))
      throw new Error(`not an InputError: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
    expect(error.message).not.toMatch(/\n/);
    expect(error.detail.trim()).not.toBe("");
    expect(error.message).not.toMatch(/undefined undefined|\[object Object\]/);
    return "rejected";
  }
  // Accepted: the problem is numerically sound ...
  const { problem, spec } = scenario;
  expect(problem.V).toBeGreaterThanOrEqual(2);
  expect(problem.V).toBeLessThanOrEqual(65_536);
  expect(Math.abs(sum(problem.ref) - 1)).toBeLessThanOrEqual(1e-9 * problem.V);
  for (let i = 0; i < problem.V; i++) {
    expect(problem.ref[i]).toBeGreaterThan(0);
    expect(Number.isFinite(problem.logRef[i]!)).toBe(true);
    expect(Math.abs(problem.reward[i]!)).toBeLessThanOrEqual(1e300);
    if (problem.gold) expect(Math.abs(problem.gold[i]!)).toBeLessThanOrEqual(1e300);
  }
  expect(spec.beta >= 0 && Number.isFinite(spec.beta)).toBe(true);
  expect(spec.optimizer.lr > 0 && Number.isFinite(spec.optimizer.lr)).toBe(true);
  // ... and a few steps give finite records, or stop with a DivergenceError.
  const sim = new Simulation(problem, simConfigOf(scenario));
  expect(Array.from(sim.row).every((x, f) => Number.isFinite(x) || (NULLABLE.has(f) && Number.isNaN(x)))).toBe(true);
  try {
    sim.step(steps, (row) => {
      expect(Array.from(row).every((x, f) => Number.isFinite(x) || (NULLABLE.has(f) && Number.isNaN(x)))).toBe(true);
    });
  } catch (error) {
    expect(error).toBeInstanceOf(DivergenceError);
  }
  return "ok";
}

describe("loader mutations", () => {
  const bases = [...shipped, ...extraValid];
  const dir = mkdtempSync(join(tmpdir(), "klsim-mutations-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the bases are valid scenarios", async () => {
    expect(shipped.length).toBeGreaterThanOrEqual(5);
    for (const base of bases) expect(await checkLoad(() => resolveScenario(parseScenarioSpec(base, "base"), "base.json"))).toBe("ok");
  });

  it("mutated JSON values: parseScenarioSpec + resolveScenario throw InputError or give a sound scenario", async () => {
    const outcomes = { ok: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (base, mutations) => {
        const json = mutate(base, mutations);
        outcomes[await checkLoad(async () => resolveScenario(parseScenarioSpec(json, "mutant"), "mutant.json"))]++;
      }),
      { numRuns: 400 * SCALE },
    );
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0); // some mutations are harmless (e.g. a new description)
    if (process.env.KLSIM_FC_SCALE) console.log("loader mutations:", outcomes);
  });

  it("extreme numbers in any numeric field: rejected with InputError, or every record finite (or a DivergenceError)", async () => {
    const extreme = fc.constantFrom(0, -0, 5e-324, 1e-300, 1e-12, 1e12, 1e300, -1e300, 1e308, -1e308, 1.7976931348623157e308, 0.5, 1, 2, 1e6, -1e6, 65_537);
    const outcomes = { ok: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), extreme), { minLength: 1, maxLength: 4 }), async (base, changes) => {
        const json = structuredClone(base);
        const numeric = slots(json).filter(([container, key]) => typeof (container as Record<string | number, Json>)[key] === "number");
        for (const [at, value] of changes) {
          const [container, key] = numeric[at % numeric.length]!;
          (container as Record<string | number, Json>)[key] = value;
        }
        outcomes[await checkLoad(async () => resolveScenario(parseScenarioSpec(json, "extreme"), "extreme.json"), 20)]++;
      }),
      { numRuns: 300 * SCALE },
    );
    expect(outcomes.ok).toBeGreaterThan(outcomes.rejected / 10); // most of these load and run
  });

  it("mutated files (JSON text edits, truncation, junk bytes): loadScenario throws InputError or loads", async () => {
    const textEdit = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(),
        text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(",", "}", "]", "NaN", "-", "e999", '"', "\\", "\u0000", "\uFEFF", "\n")),
      }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases), fc.array(textEdit, { minLength: 1, maxLength: 3 }), async (base, edits) => {
        let text = JSON.stringify(base, null, 2);
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          if (edit.kind === "delete") text = text.slice(0, at) + text.slice(at + edit.length);
          else if (edit.kind === "insert") text = text.slice(0, at) + edit.text + text.slice(at);
          else text = text.slice(0, at);
        }
        const file = join(dir, `mutant-${n++}.json`);
        writeFileSync(file, text);
        await checkLoad(() => loadScenario(file));
      }),
      { numRuns: 300 * SCALE },
    );
  });
});
