/** metricsOf's one-pass KLs and entropy are the definitions' values (information.ts), to the bit, zeros in π included. */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { entropy, klDivergence } from "../../src/core/information.js";
import { metricsOf } from "../../src/core/metrics.js";
import { makeProblem } from "../../src/core/problem.js";
import { seededRandom } from "../helpers/random.js";

describe("metricsOf", () => {
  it("gives KL(π‖π_ref), KL(π_ref‖π) and H(π) with the same bits as klDivergence and entropy", () => {
    const rand = seededRandom(18);
    for (let trial = 0; trial < 2000; trial++) {
      const V = 2 + Math.floor(rand() * 300);
      const problem = makeProblem(
        Array.from({ length: V }, () => Math.exp(8 * rand() - 4)),
        Array.from({ length: V }, () => rand()),
      );
      // every third policy has zeros (forward KL +Infinity), and some mass down to e^−30
      const raw = Array.from({ length: V }, (_, i) => (trial % 3 === 0 && i % 4 === 0 ? 0 : Math.exp(30 * rand() - 15)));
      const z = raw.reduce((a, b) => a + b, 0);
      const pi = Float64Array.from(raw, (x) => x / z);
      const m = metricsOf(problem, pi, divergenceNamed("reverse"), 0.3);
      expect([m.reverseKL, m.forwardKL, m.entropy]).toEqual([klDivergence(pi, problem.ref), klDivergence(problem.ref, pi), entropy(pi)]);
      if (trial % 3 === 0) expect(m.forwardKL).toBe(Infinity);
    }
  });
});
