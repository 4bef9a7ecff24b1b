import { describe, expect, it } from "vitest";
import { logSumExp, softmaxOf, distributionProblem } from "../../src/core/distributions.js";
import { crossEntropy, entropy, inBase, jensenShannon, klDivergence, klFromLogs, totalVariation } from "../../src/core/information.js";

const p = [0.5, 0.3, 0.2];
const q = [0.6, 0.2, 0.2];

describe("divergences, hand-checked", () => {
  it("KL(p‖q) and KL(q‖p) for p = (.5,.3,.2), q = (.6,.2,.2)", () => {
    // KL(p‖q) = .5 ln(5/6) + .3 ln(3/2) + .2 ln 1 = −0.0911607784 + 0.1216395324 = 0.0304787540
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(5 / 6) + 0.3 * Math.log(3 / 2), 12);
    expect(Math.abs(klDivergence(p, q) - 0.030478754)).toBeLessThan(1e-9);
    // KL(q‖p) = .6 ln(6/5) + .2 ln(2/3) = 0.1093929341 − 0.0810930216 = 0.0282999125
    expect(Math.abs(klDivergence(q, p) - 0.0282999125)).toBeLessThan(1e-9);
  });

  it("entropy, cross-entropy and Jensen–Shannon of the same pair", () => {
    // H(p) = −(.5 ln .5 + .3 ln .3 + .2 ln .2) = 0.3465735903 + 0.3611918412 + 0.3218875825
    expect(Math.abs(entropy(p) - 1.029653014)).toBeLessThan(1e-9);
    // H(p, q) = H(p) + KL(p‖q)
    expect(Math.abs(crossEntropy(p, q) - (1.029653014 + 0.030478754))).toBeLessThan(1e-9);
    // m = (.55, .25, .2): JS = ½[.5 ln(.5/.55) + .3 ln(.3/.25)] + ½[.6 ln(.6/.55) + .2 ln(.2/.25)]
    const js = 0.5 * (0.5 * Math.log(0.5 / 0.55) + 0.3 * Math.log(0.3 / 0.25)) + 0.5 * (0.6 * Math.log(0.6 / 0.55) + 0.2 * Math.log(0.2 / 0.25));
    expect(Math.abs(jensenShannon(p, q) - js)).toBeLessThan(1e-12);
    expect(Math.abs(js - 0.0073097)).toBeLessThan(1e-7); // by hand: ½(0.0070414) + ½(0.0075781)
  });

  it("zeros: 0·log 0 = 0, and mass where the other side has none is +Infinity (never NaN)", () => {
    expect(klDivergence([0.5, 0.5, 0], [1, 0, 0])).toBe(Infinity);
    expect(klDivergence([1, 0, 0], [0.5, 0.5, 0])).toBeCloseTo(Math.LN2, 15);
    expect(crossEntropy([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(entropy([1, 0, 0])).toBe(0);
    // Disjoint supports: JS = ln 2 exactly, its maximum.
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.LN2, 15);
  });

  it("bits: KL((1,0)‖(½,½)) = 1 bit", () => {
    expect(inBase(klDivergence([1, 0], [0.5, 0.5]), "2")).toBeCloseTo(1, 15);
  });

  it("klFromLogs agrees with the probability form", () => {
    const logp = p.map(Math.log);
    const logq = q.map(Math.log);
    expect(klFromLogs(logp, logq)).toBeCloseTo(klDivergence(p, q), 15);
  });
});

describe("total variation ½Σ|p − q|, hand-checked at every length mod 4", () => {
  it("one-hot against one-hot is 1 (apart) or 0 (same); uniform against one-hot is 1 − 1/n", () => {
    for (let n = 1; n <= 13; n++) {
      for (let k = 0; k < n; k++) {
        const hot = (j: number) => Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
        expect(totalVariation(hot(k), hot(k))).toBe(0);
        if (n > 1) expect(totalVariation(hot(k), hot((k + 1) % n))).toBe(1);
        // dyadic n: every term exact, so the value is exact whatever the order of the additions
        const uniform = new Float64Array(n).fill(1 / n);
        if ((n & (n - 1)) === 0) expect(totalVariation(uniform, hot(k))).toBe(1 - 1 / n);
        else expect(totalVariation(uniform, hot(k))).toBeCloseTo(1 - 1 / n, 15);
      }
    }
  });

  it("moves mass m from the last token to the first: TV = m, the tail included", () => {
    for (const n of [5, 6, 7, 8, 9]) {
      const p = new Float64Array(n).fill(0.125);
      p[0] = 1 - 0.125 * (n - 1);
      const q = Float64Array.from(p);
      q[0] = p[0]! + 0.0625;
      q[n - 1] = p[n - 1]! - 0.0625;
      expect(totalVariation(p, q)).toBe(0.0625);
      expect(totalVariation(q, p)).toBe(0.0625);
    }
  });
});

describe("distributions", () => {
  it("logsumexp is stable at ±1000 (naive exp overflows/underflows)", () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp([-1000, -1000])).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp([0, Math.log(3)])).toBeCloseTo(Math.log(4), 15);
  });

  it("softmax of (0, ln 3) is (¼, ¾) and survives logits of 1e6", () => {
    const s = softmaxOf([0, Math.log(3)]);
    expect(s[0]).toBeCloseTo(0.25, 15);
    expect(s[1]).toBeCloseTo(0.75, 15);
    const big = softmaxOf([1e6, 1e6 - Math.log(3)]);
    expect(big[0]).toBeCloseTo(0.75, 9); // 1e6 − ln 3 itself carries ~1e-10 rounding
  });

  it("checks that a distribution sums to 1 within 1e-9·V", () => {
    expect(distributionProblem([0.4, 0.4, 0.2, 0.1])).toBe("probabilities sum to 1.1, expected 1");
    expect(distributionProblem([0.5, 0.5 + 1e-10])).toBeUndefined();
    expect(distributionProblem([0.5, 0.5 + 1e-8])).toMatch(/sum to/);
    expect(distributionProblem([1.5, -0.5])).toMatch(/entry 1 is negative/);
    expect(distributionProblem([1, 0], true)).toMatch(/strictly positive/);
    expect(distributionProblem([NaN, 1])).toMatch(/entry 0 is NaN/);
  });
});
