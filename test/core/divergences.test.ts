/**
 * The divergence registry's entries against independent derivations: each value against its
 * textbook definition written out here with plain Math (no expm1 rearrangements), each weighted
 * gradient against central finite differences of that definition through softmax, each optimum
 * against a numeric maximisation of E_π[r] − β·D written here (gradient ascent on θ with
 * finite-difference gradients), and the α family's limits against the two KLs.
 */
import { describe, expect, it } from "vitest";
import type { Divergence } from "../../src/core/divergence.js";
import { DIVERGENCE_KINDS, divergenceNamed, nextPenalty, parsePenalty } from "../../src/core/divergences/registry.js";
import { logOf, normalizedOf, softmaxOf } from "../../src/core/distributions.js";
import { optimumOf } from "../../src/core/optima.js";
import { numericOptimum } from "../helpers/numeric-optimum.js";
import { seededRandom } from "../helpers/random.js";

/** D(π, π_ref) from its definition, for probabilities. */
const DEFINITIONS: Record<string, (pi: number[], ref: number[]) => number> = {
  reverse: (pi, ref) => pi.reduce((s, p, i) => s + (p > 0 ? p * Math.log(p / ref[i]!) : 0), 0),
  forward: (pi, ref) => ref.reduce((s, q, i) => s + q * Math.log(q / pi[i]!), 0),
  js: (pi, ref) => {
    const m = pi.map((p, i) => (p + ref[i]!) / 2);
    const kl = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x > 0 ? x * Math.log(x / b[i]!) : 0), 0);
    return 0.5 * kl(pi, m) + 0.5 * kl(ref, m);
  },
};
/** D_A = Σ π_ref f_A(π/π_ref), f_A(u) = (u^{1−A} − (1−A)u − A)/(A(A−1)) (Wang et al. 2023's parameterisation). */
function alphaDefinition(A: number): (pi: number[], ref: number[]) => number {
  return (pi, ref) => ref.reduce((s, q, i) => s + (q * (Math.pow(pi[i]! / q, 1 - A) - (1 - A) * (pi[i]! / q) - A)) / (A * (A - 1)), 0);
}
const definitionOf = (d: Divergence) => DEFINITIONS[d.name] ?? alphaDefinition(Number(d.name.slice("alpha:".length)));

const ENTRIES = ["reverse", "forward", "js", "alpha:0.5", "alpha:0.2", "alpha:0.85"].map(divergenceNamed);

function randomInstance(rand: () => number, V: number) {
  const ref = Array.from(normalizedOf(Array.from({ length: V }, () => 0.05 + rand())));
  const theta = Array.from({ length: V }, () => 3 * rand() - 1.5);
  const reward = Array.from({ length: V }, () => 2 * rand() - 1);
  return { ref, theta, reward };
}

const valueAt = (d: Divergence, pi: ArrayLike<number>, ref: ArrayLike<number>) => d.value(pi, logOf(pi), ref, logOf(ref));

describe("the registry", () => {
  it("parses every kind, canonicalises α, and refuses what is not a penalty", () => {
    expect(DIVERGENCE_KINDS.map((k) => k.kind)).toEqual(["reverse", "forward", "js", "alpha"]);
    expect(divergenceNamed("alpha:.25").name).toBe("alpha:0.25");
    for (const bad of ["alpha:0", "alpha:1", "alpha:1.5", "alpha:-0.5", "alpha:", "alpha:x", "alpha:0.5.1", "kl", "Reverse", ""]) {
      expect("problem" in parsePenalty(bad), bad).toBe(true);
    }
  });

  it("the TUI's d goes reverse → forward → js → alpha:0.5 → reverse", () => {
    const seen = [divergenceNamed("reverse")];
    for (let k = 0; k < 4; k++) seen.push(nextPenalty(seen[seen.length - 1]!));
    expect(seen.map((d) => d.name)).toEqual(["reverse", "forward", "js", "alpha:0.5", "reverse"]);
    expect(nextPenalty(divergenceNamed("alpha:0.3")).name).toBe("reverse");
  });
});

describe("values against their definitions", () => {
  it("on random instances, every entry to 1e-12", () => {
    const rand = seededRandom(11);
    for (let n = 0; n < 50; n++) {
      const { ref, theta } = randomInstance(rand, 2 + Math.floor(rand() * 20));
      const pi = Array.from(softmaxOf(theta));
      for (const d of ENTRIES) {
        const expected = definitionOf(d)(pi, ref);
        expect(Math.abs(valueAt(d, pi, ref) - expected), d.name).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
      }
    }
  });

  it("by hand: JS([1, 0], [½, ½]) = ¾ log(4/3), and D_½ = 4(1 − Σ√(π π_ref))", () => {
    // JS of [1, 0] and [½, ½]: m = [¾, ¼]; ½[1·log(4/3)] + ½[½ log(⅔) + ½ log 2] = ½ log(4/3) + ¼ log(4/3)
    const js = divergenceNamed("js");
    expect(valueAt(js, [1, 0], [0.5, 0.5])).toBeCloseTo(0.75 * Math.log(4 / 3), 15);
    // A = ½: f(u) = −4(√u − (u + 1)/2), so D = 4(1 − Σ √(π_i π_ref,i)) (the squared Hellinger distance, ×4·½)
    const half = divergenceNamed("alpha:0.5");
    const pi = [0.7, 0.2, 0.1];
    const ref = [0.2, 0.3, 0.5];
    expect(valueAt(half, pi, ref)).toBeCloseTo(4 * (1 - pi.reduce((s, p, i) => s + Math.sqrt(p * ref[i]!), 0)), 14);
  });

  it("a zero in π: forward KL is +Infinity, the others finite (α: π_ref/(1 − A)), never NaN", () => {
    const pi = [0, 0.5, 0.5];
    const ref = [0.2, 0.4, 0.4];
    expect(valueAt(divergenceNamed("forward"), pi, ref)).toBe(Infinity);
    expect(valueAt(divergenceNamed("reverse"), pi, ref)).toBeCloseTo(Math.log(0.5 / 0.4), 15);
    expect(valueAt(divergenceNamed("js"), pi, ref)).toBeCloseTo(DEFINITIONS.js!(pi, ref), 15);
    const A = 0.3;
    // f_A(0) = −A/(A(A − 1)) = 1/(1 − A); at u = 1.25: the definition
    const f = (u: number) => (Math.pow(u, 1 - A) - (1 - A) * u - A) / (A * (A - 1));
    expect(valueAt(divergenceNamed("alpha:0.3"), pi, ref)).toBeCloseTo(0.2 / (1 - A) + 0.8 * f(1.25), 14);
  });

  it("α → 0 is the reverse KL and α → 1 the forward KL (1e-6 at A = 1e-6 and 1 − 1e-6)", () => {
    const rand = seededRandom(5);
    for (let n = 0; n < 20; n++) {
      const { ref, theta } = randomInstance(rand, 2 + Math.floor(rand() * 12));
      const pi = Array.from(softmaxOf(theta));
      expect(Math.abs(valueAt(divergenceNamed("alpha:0.000001"), pi, ref) - DEFINITIONS.reverse!(pi, ref))).toBeLessThan(1e-6);
      expect(Math.abs(valueAt(divergenceNamed("alpha:0.999999"), pi, ref) - DEFINITIONS.forward!(pi, ref))).toBeLessThan(1e-6);
    }
  });
});

describe("gradients against finite differences", () => {
  it("the logit gradient of E_π[r] − β·D(softmax θ) and of −β·D alone, for every entry, to 1e-7", () => {
    const rand = seededRandom(3);
    for (let n = 0; n < 20; n++) {
      const V = 2 + Math.floor(rand() * 8);
      const { ref, theta, reward } = randomInstance(rand, V);
      const beta = 0.1 + rand();
      const pi = softmaxOf(theta);
      for (const d of ENTRIES) {
        const J = (t: number[], withReward: boolean) => {
          const q = Array.from(softmaxOf(t));
          return (withReward ? q.reduce((s, p, i) => s + p * reward[i]!, 0) : 0) - beta * definitionOf(d)(q, ref);
        };
        const meanReward = pi.reduce((s, p, i) => s + p * reward[i]!, 0);
        for (const withReward of [true, false]) {
          const out = new Float64Array(V);
          d.logitGradient(pi, logOf(pi), ref, logOf(ref), withReward ? reward : null, meanReward, beta, valueAt(d, pi, ref), out);
          const h = 1e-6;
          for (let i = 0; i < V; i++) {
            const plus = theta.slice();
            const minus = theta.slice();
            plus[i]! += h;
            minus[i]! -= h;
            const fd = (J(plus, withReward) - J(minus, withReward)) / (2 * h);
            expect(Math.abs(out[i]! - fd), `${d.name} ∂/∂θ${i}${withReward ? "" : " (penalty only)"}`).toBeLessThan(1e-7);
          }
        }
      }
    }
  });
});

describe("optima against a numeric maximisation", () => {
  it("every entry, random instances, to 1e-8", () => {
    const rand = seededRandom(23);
    for (let n = 0; n < 6; n++) {
      const V = 2 + Math.floor(rand() * 5);
      const { ref, reward } = randomInstance(rand, V);
      const beta = 0.2 + rand();
      for (const d of ENTRIES) {
        const expected = numericOptimum(definitionOf(d), ref, reward, beta);
        const pi = optimumOf(d, ref, logOf(ref), reward, beta);
        for (let i = 0; i < V; i++) expect(Math.abs(pi[i]! - expected[i]!), `${d.name} π*${i}`).toBeLessThan(1e-8);
      }
    }
  });

  it("α's optimum tends to the reverse one as A → 0 and the forward one as A → 1 (1e-6)", () => {
    const rand = seededRandom(29);
    for (let n = 0; n < 10; n++) {
      const V = 2 + Math.floor(rand() * 10);
      const { ref, reward } = randomInstance(rand, V);
      const beta = 0.1 + 2 * rand();
      const at = (name: string) => optimumOf(divergenceNamed(name), ref, logOf(ref), reward, beta);
      const [reverse, forward, nearZero, nearOne] = [at("reverse"), at("forward"), at("alpha:0.000001"), at("alpha:0.999999")];
      for (let i = 0; i < V; i++) {
        expect(Math.abs(nearZero[i]! - reverse[i]!)).toBeLessThan(1e-6);
        expect(Math.abs(nearOne[i]! - forward[i]!)).toBeLessThan(1e-6);
      }
    }
  });

  it("extreme β: tiny β approaches the argmax, huge β stays at π_ref, never NaN", () => {
    const ref = [0.5, 0.3, 0.2];
    const reward = [0, 1, 0.5];
    for (const d of ENTRIES) {
      const tiny = optimumOf(d, ref, logOf(ref), reward, 1e-12);
      expect(tiny[1], d.name).toBeGreaterThan(1 - 1e-6);
      const huge = optimumOf(d, ref, logOf(ref), reward, 1e12);
      for (let i = 0; i < 3; i++) expect(huge[i], d.name).toBeCloseTo(ref[i]!, 9);
      for (const v of [...tiny, ...huge]) expect(Number.isFinite(v), d.name).toBe(true);
    }
  });
});
