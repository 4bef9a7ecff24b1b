/**
 * The native kernel's passes of the reverse-KL optimum and of its metrics (src/engine/native.ts
 * nativePasses) against the plain loops (src/core/optimum-passes.ts): the same bits, Object.is,
 * element by element and sum by sum, on random problems of every length mod 8 and on the edges
 * (π_ref with zeros, β so small that π* underflows, ties, signed zeros, NaN), on every x86-64 level
 * this machine builds. The plain loops' values are themselves held to closed forms in
 * test/core (optima, metrics); here the claim is only that the fast path changes no bit.
 */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { dot } from "../../src/core/distributions.js";
import { metricsOf } from "../../src/core/metrics.js";
import { reverseOptimum } from "../../src/core/optima.js";
import { PLAIN_PASSES } from "../../src/core/optimum-passes.js";
import { makeProblem } from "../../src/core/problem.js";
import { nativeExp, nativePasses } from "../../src/engine/native.js";
import { buildNativeKernel } from "../helpers/native.js";
import { seededRandom } from "../helpers/random.js";

const builds = [
  { name: "the load-time clones", ...buildNativeKernel() },
  ...(process.arch === "x64" ? [{ name: "x86-64-v3 (AVX2)", ...buildNativeKernel("x86-64-v3") }] : []),
];

function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) expect(actual[i], `${what}[${i}]`).toBe(expected[i]);
}

/** π_ref (some zeros where `zeros`) and rewards (some tied at the top where `ties`) of length V. */
function randomArrays(V: number, seed: number, zeros: boolean, ties: boolean): { ref: number[]; reward: number[] } {
  const rand = seededRandom(seed);
  const ref = Array.from({ length: V }, () => (zeros && rand() < 0.2 ? 0 : 0.01 + rand()));
  if (!ref.some((q) => q > 0)) ref[0] = 1;
  const reward = Array.from({ length: V }, () => (ties && rand() < 0.3 ? 1 : 2 * rand() - 1));
  return { ref, reward };
}

for (const build of builds) {
  describe.skipIf(!build.kernel)(`the native optimum passes, ${build.name}${build.kernel ? "" : ` (skipped: ${build.reason})`}`, () => {
    const passes = build.kernel ? nativePasses(build.kernel) : PLAIN_PASSES;
    const exp = build.kernel ? nativeExp(build.kernel) : undefined;
    const reverse = divergenceNamed("reverse");

    it("give π*, log π* and the metrics the plain loops' bits, at every length mod 8 and β from 1e-300 to 1e6", () => {
      let cases = 0;
      for (const V of [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 100, 257, 1000, 2053]) {
        for (const [zeros, ties] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as const) {
          const { ref, reward } = randomArrays(V, V * 13 + (zeros ? 1 : 0) + (ties ? 2 : 0), zeros, ties);
          const problem = makeProblem(ref, reward, null);
          for (const beta of [1e-300, 1e-12, 1e-3, 0.05, 0.7, 3, 1e6]) {
            const plainLog = new Float64Array(V);
            const fastLog = new Float64Array(V);
            const plainWork = { exp, log: plainLog, hasLog: false };
            const fastWork = { exp, passes, log: fastLog, hasLog: false };
            const plain = reverseOptimum(problem.ref, problem.logRef, problem.reward, beta, plainWork);
            const fast = reverseOptimum(problem.ref, problem.logRef, problem.reward, beta, fastWork);
            const what = `V ${V} zeros ${zeros} ties ${ties} β ${beta}`;
            sameBits(fast, plain, `${what} π*`);
            expect(fastWork.hasLog, what).toBe(plainWork.hasLog);
            if (plainWork.hasLog) sameBits(fastLog, plainLog, `${what} log π*`);
            const logPi = plainWork.hasLog ? plainLog : undefined;
            const a = metricsOf(problem, fast, reverse, beta, fastWork.hasLog ? fastLog : undefined, passes);
            const b = metricsOf(problem, plain, reverse, beta, logPi);
            for (const key of ["reward", "forwardKL", "reverseKL", "entropy", "penaltyValue", "objective"] as const)
              expect(Object.is(a[key], b[key]), `${what} ${key}: ${a[key]} vs ${b[key]}`).toBe(true);
            cases++;
          }
        }
      }
      expect(cases).toBe(14 * 4 * 7);
    });

    it("takes the max as Math.max does: +0 over −0 in any position, NaN if any", () => {
      for (const V of [3, 8, 11, 24]) {
        for (let at = 0; at < V; at++) {
          // all logits −0 (log π_ref = −0, r − rMax = −0 − 0), but +0 at `at`: Math.max gives +0
          const logRef = new Float64Array(V).fill(-0);
          const reward = new Float64Array(V).fill(-0);
          reward[at] = 0;
          for (const [lr, r] of [
            [logRef, reward],
            [logRef, new Float64Array(V).fill(-0)],
          ] as const) {
            const plainOut = new Float64Array(V);
            const fastOut = new Float64Array(V);
            const plainLog = new Float64Array(V);
            const fastLog = new Float64Array(V);
            const m = PLAIN_PASSES.tilt(lr, r, 0, 1, plainOut, plainLog);
            expect(Object.is(passes.tilt(lr, r, 0, 1, fastOut, fastLog), m), `V ${V} at ${at}`).toBe(true);
            sameBits(fastOut, plainOut, "shifted logits");
            sameBits(fastLog, plainLog, "log");
          }
          const withNaN = new Float64Array(V).fill(0.5);
          withNaN[at] = Number.NaN;
          expect(passes.tilt(withNaN, new Float64Array(V), 0, 1, new Float64Array(V), null)).toBeNaN();
        }
      }
    });

    it("sums the divergences' terms and E_π[r] as the plain loops: zeros in π and π_ref, +Infinity, NaN", () => {
      const rand = seededRandom(7);
      for (const V of [1, 5, 8, 13, 64, 301]) {
        for (let trial = 0; trial < 20; trial++) {
          const pi = Float64Array.from({ length: V }, () => (rand() < 0.25 ? 0 : rand()));
          const ref = Float64Array.from({ length: V }, () => (rand() < 0.25 ? 0 : rand()));
          const logPi = Float64Array.from(pi, (p) => (p === 0 ? -Infinity : Math.log(p) + (rand() - 0.5) * 1e-3));
          const logRef = Float64Array.from(ref, Math.log);
          const reward = Float64Array.from({ length: V }, () => 4 * rand() - 2);
          if (trial === 19) pi[V - 1] = Number.NaN;
          const plain = new Float64Array(4);
          const fast = new Float64Array(4);
          PLAIN_PASSES.divergences(pi, logPi, ref, logRef, reward, plain);
          passes.divergences(pi, logPi, ref, logRef, reward, fast);
          sameBits(fast, plain, `V ${V} trial ${trial}`);
          // the reward's sum is dot's, bit for bit (the metrics took it from dot before)
          expect(Object.is(fast[3], dot(pi, reward)), `V ${V} trial ${trial} E_π[r]`).toBe(true);
        }
      }
      // independently: π = π_ref = (½, ½) with exact logs gives 0, 0 and log 2
      const half = Float64Array.of(0.5, 0.5);
      const logHalf = Float64Array.of(Math.log(0.5), Math.log(0.5));
      const sums = new Float64Array(4);
      passes.divergences(half, logHalf, half, logHalf, Float64Array.of(1, 3), sums);
      expect(Array.from(sums)).toEqual([0, 0, Math.LN2, 2]);
      // π puts 0 where π_ref has mass: the forward KL is +Infinity; E_π[r] is the reward of the one token
      passes.divergences(Float64Array.of(1, 0), Float64Array.of(0, -Infinity), half, logHalf, Float64Array.of(-0.25, 7), sums);
      expect(sums[1]).toBe(Infinity);
      expect(sums[0]).toBeCloseTo(Math.LN2, 15);
      expect(sums[3]).toBe(-0.25);
    });

    it("takes TV(p, q) = ½Σ|p − q| as the plain loop does, at every length mod 8: zeros, signed zeros, NaN, a longer q", () => {
      const rand = seededRandom(19);
      for (const V of [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 257, 1000, 4099]) {
        for (let trial = 0; trial < 6; trial++) {
          const p = Float64Array.from({ length: V }, () => (rand() < 0.2 ? (rand() < 0.5 ? 0 : -0) : rand() / V));
          const q = Float64Array.from({ length: V + (trial % 2) * 3 }, () => (rand() < 0.2 ? 0 : rand() / V));
          if (trial === 5) p[V - 1] = Number.NaN;
          const plain = PLAIN_PASSES.totalVariation(p, q);
          const fast = passes.totalVariation(p, q);
          expect(Object.is(fast, plain), `V ${V} trial ${trial}: ${fast} vs ${plain}`).toBe(true);
        }
      }
      // independently: one-hot against one-hot 1 apart, and mass 1/8 moved from the last token to the first
      const hot = (V: number, j: number) => Float64Array.from({ length: V }, (_, i) => (i === j ? 1 : 0));
      for (const V of [3, 8, 13]) expect(passes.totalVariation(hot(V, 0), hot(V, V - 1))).toBe(1);
      const a = new Float64Array(11).fill(1 / 16);
      a[0] = 1 - 10 / 16;
      const b = Float64Array.from(a);
      b[0] = a[0]! + 0.125;
      b[10] = a[10]! - 0.0625;
      b[9] = a[9]! - 0.0625;
      expect(passes.totalVariation(a, b)).toBe(0.125);
    });

    it("refuses arrays shorter than the vocabulary and wrong argument counts, with a TypeError", () => {
      const k = build.kernel!;
      const x = new Float64Array(16);
      const short = new Float64Array(15);
      expect(() => k.tilt(x, short, x, x, 0, 1)).toThrow(TypeError);
      expect(() => k.normalize(x, short, 1, 0)).toThrow(TypeError);
      expect(() => k.divergences(x, x, short, x, x, new Float64Array(4))).toThrow(TypeError);
      expect(() => k.divergences(x, x, x, x, short, new Float64Array(4))).toThrow(TypeError);
      expect(() => k.divergences(x, x, x, x, x, new Float64Array(3))).toThrow(/4 numbers/);
      expect(() => k.totalVariation(x, short)).toThrow(TypeError);
      expect(() => (k.totalVariation as unknown as (...a: unknown[]) => number)(x)).toThrow(/2 arguments/);
      expect(() => (k.tilt as unknown as (...a: unknown[]) => number)(x, x, x, x, 0)).toThrow(/6 arguments/);
      // an empty log is "not written", not "too short"
      expect(() => k.normalize(x, new Float64Array(0), 1, 0)).not.toThrow();
    });

    it("takes arrays that are not Float64Arrays through the plain loops", () => {
      const { ref, reward } = randomArrays(10, 3, false, false);
      const logRef = ref.map(Math.log);
      const a = new Float64Array(10);
      const b = new Float64Array(10);
      expect(
        Object.is(passes.tilt(logRef, reward, Math.max(...reward), 0.3, a, null), PLAIN_PASSES.tilt(logRef, reward, Math.max(...reward), 0.3, b, null)),
      ).toBe(true);
      sameBits(a, b, "shifted logits");
    });
  });
}
