/** The Gao et al. (2022) fits recover the constants that generated synthetic data. */
import { describe, expect, it } from "vitest";
import { fitGao, GAO_FORMS } from "../../src/explore/gao-fit.js";

const ds = Array.from({ length: 25 }, (_, k) => 0.1 + 0.12 * k);

describe("Gao fit", () => {
  it("RL form: exact data d(α − β_g log d) gives α, β_g and R² = 1", () => {
    const rs = ds.map((d) => d * (0.8 - 0.35 * Math.log(d)));
    const fit = fitGao(GAO_FORMS.rl, ds, rs)!;
    expect(fit.alpha).toBeCloseTo(0.8, 12);
    expect(fit.betaG).toBeCloseTo(0.35, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it("best-of-n form: exact data d(α − β_g d), with d = 0 included", () => {
    const xs = [0, ...ds];
    const rs = xs.map((d) => d * (1.3 - 0.5 * d));
    const fit = fitGao(GAO_FORMS["best-of-n"], xs, rs)!;
    expect(fit.alpha).toBeCloseTo(1.3, 12);
    expect(fit.betaG).toBeCloseTo(0.5, 12);
    expect(fit.points).toBe(26);
  });

  it("noisy data: the least-squares solution (checked by a second method: gradient zero) and R² < 1", () => {
    // deterministic ±0.01 noise
    const rs = ds.map((d, k) => d * (0.8 - 0.35 * Math.log(d)) + (k % 2 ? 0.01 : -0.01));
    const fit = fitGao(GAO_FORMS.rl, ds, rs)!;
    expect(fit.alpha).toBeCloseTo(0.8, 1);
    expect(fit.betaG).toBeCloseTo(0.35, 1);
    // at the least-squares solution the residual is orthogonal to both features
    const residual = ds.map((d, k) => rs[k]! - fit.at(d));
    const dotD = residual.reduce((s, e, k) => s + e * ds[k]!, 0);
    const dotH = residual.reduce((s, e, k) => s + e * GAO_FORMS.rl.shape(ds[k]!), 0);
    expect(Math.abs(dotD)).toBeLessThan(1e-12);
    expect(Math.abs(dotH)).toBeLessThan(1e-12);
    expect(fit.r2).toBeLessThan(1);
    expect(fit.r2).toBeGreaterThan(0.99);
  });

  it("two points: the 2×2 solve by Cramer's rule by hand", () => {
    // d = 1: h = 0, so R(1) = α; d = e: h = −e, R(e) = e·α − e·β_g
    const fit = fitGao(GAO_FORMS.rl, [1, Math.E], [2, Math.E * (2 - 0.5)])!;
    expect(fit.alpha).toBeCloseTo(2, 13);
    expect(fit.betaG).toBeCloseTo(0.5, 13);
  });

  it("too few or degenerate points: null; non-finite points are skipped", () => {
    expect(fitGao(GAO_FORMS.rl, [1], [1])).toBeNull();
    expect(fitGao(GAO_FORMS.rl, [0, 0, 0], [0, 0, 0])).toBeNull();
    const fit = fitGao(GAO_FORMS["best-of-n"], [1, 2, Number.POSITIVE_INFINITY], [0.5, 0, 3])!;
    expect(fit.points).toBe(2);
  });
});
