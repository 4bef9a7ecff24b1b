/**
 * Where the restricted students settle, against answers derived here independently:
 * - forward KL: the discretised Gaussian q_i ∝ exp(η₁i + η₂i²) is an exponential family in (i, i²),
 *   so ∇KL(p‖q) = 0 exactly when E_q[i] = E_p[i] and E_q[i²] = E_p[i²]; the test solves those moment
 *   equations by Newton's method on η (Jacobian = Cov_q(i, i²)) and the trained fit must agree to 1e-6;
 * - reverse KL: the fit sits on one mode of a symmetric two-mode teacher with that mode's own
 *   (discretised) mean and std, and KL(q‖p) ≈ log 2 (the other half of the mass is given up);
 * - α from 1 to 0: the best fit goes from the covering solution to the seeking one, σ shrinking and
 *   the mean moving onto the mode monotonically, and the optimal value min D_α moving continuously.
 *   For modes this far apart the fit itself does not move continuously: the covering optimum stays
 *   a local optimum for every α, and the best fit jumps once to the mode where the two branches'
 *   values cross (tested as such).
 */
import { describe, expect, it } from "vitest";
import type { Divergence } from "../../../src/core/divergence.js";
import { divergenceNamed } from "../../../src/core/divergences/registry.js";
import { GaussianStudent } from "../../../src/core/families/gaussian.js";
import { emptyMetricRow, METRIC } from "../../../src/core/metric-row.js";
import { Adam } from "../../../src/core/optimizers.js";
import { makeProblem, type Problem } from "../../../src/core/problem.js";
import { FitStepper } from "../../../src/core/steppers/fit.js";

const V = 41;
const CENTRE = 20;
const MODES = [12, 28];
const MODE_VARIANCE = 4;
const bump = (i: number, m: number) => Math.exp(-((i - m) ** 2) / (2 * MODE_VARIANCE));
const teacherWeights = Array.from({ length: V }, (_, i) => 0.5 * bump(i, MODES[0]!) + 0.5 * bump(i, MODES[1]!));
const teacher: Problem = makeProblem(teacherWeights, new Array(V).fill(0));

/** E[i] and E[i²] of a distribution over 0 … V − 1. */
function moments(p: ArrayLike<number>): [number, number] {
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < p.length; i++) {
    m1 += p[i]! * i;
    m2 += p[i]! * i * i;
  }
  return [m1, m2];
}

/** q_i ∝ exp(η₁i + η₂i²), written out. */
function natural(eta: [number, number]): number[] {
  const l = Array.from({ length: V }, (_, i) => eta[0] * i + eta[1] * i * i);
  const max = Math.max(...l);
  const e = l.map((x) => Math.exp(x - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** The forward-KL fit by the moment equations, Newton on η: η ← η − Cov_q⁻¹(E_q[T] − E_p[T]), T = (i, i²). */
function momentMatched(p: ArrayLike<number>): { mu: number; sigma: number } {
  const [t1, t2] = moments(p);
  const variance = t2 - t1 * t1;
  let eta: [number, number] = [t1 / variance, -1 / (2 * variance)]; // the continuous Gaussian's, a close start
  for (let k = 0; k < 50; k++) {
    const q = natural(eta);
    const [m1, m2] = moments(q);
    let m3 = 0;
    let m4 = 0;
    for (let i = 0; i < V; i++) {
      m3 += q[i]! * i ** 3;
      m4 += q[i]! * i ** 4;
    }
    const c11 = m2 - m1 * m1;
    const c12 = m3 - m1 * m2;
    const c22 = m4 - m2 * m2;
    const det = c11 * c22 - c12 * c12;
    const r1 = m1 - t1;
    const r2 = m2 - t2;
    eta = [eta[0] - (c22 * r1 - c12 * r2) / det, eta[1] - (c11 * r2 - c12 * r1) / det];
    if (Math.abs(r1) + Math.abs(r2) < 1e-14) break;
  }
  // η₁ = μ/σ², η₂ = −1/(2σ²)
  return { mu: -eta[0] / (2 * eta[1]), sigma: Math.sqrt(-1 / (2 * eta[1])) };
}

/** Trains a Gaussian student from (mu, sigma) under `penalty`: Adam with a step size cut tenfold twice, so that it settles. */
function trained(penalty: Divergence, mu: number, sigma: number, problem = teacher): { mu: number; sigma: number; value: number; gradient: number } {
  const student = new GaussianStudent(problem, mu, sigma);
  const row = emptyMetricRow();
  student.reset();
  for (const lr of [0.02, 0.002, 0.0002]) {
    const stepper = new FitStepper(student, new Adam({ kind: "adam", lr, beta1: 0.9, beta2: 0.999, eps: 1e-12 }, 2));
    stepper.refresh(penalty);
    for (let k = 0; k < 40; k++) stepper.advance(penalty, 1, 256);
    stepper.readCurrent(row);
  }
  student.gradient(penalty, 1);
  const [m, s] = student.parameters().map((p) => p.value) as [number, number];
  return { mu: m, sigma: s, value: row[METRIC.penalty_value]!, gradient: Math.hypot(student.grad[0]!, student.grad[1]!) };
}

describe("a Gaussian student on a symmetric two-mode teacher", () => {
  it("forward KL matches the teacher's mean and variance (the moment equations solved here by Newton)", () => {
    const expected = momentMatched(teacher.ref);
    // a sanity check of the solve itself: the symmetric teacher's mean is the centre
    expect(expected.mu).toBeCloseTo(CENTRE, 10);
    const got = trained(divergenceNamed("forward"), 17, 5);
    expect(Math.abs(got.mu - expected.mu)).toBeLessThan(1e-6);
    expect(Math.abs(got.sigma - expected.sigma)).toBeLessThan(1e-6);
    // and so the student's first two moments are the teacher's
    const q = natural([got.mu / got.sigma ** 2, -1 / (2 * got.sigma ** 2)]);
    const [p1, p2] = moments(teacher.ref);
    const [q1, q2] = moments(q);
    expect(Math.abs(q1 - p1)).toBeLessThan(1e-6);
    expect(Math.abs(q2 - p1 * p1 - (p2 - p1 * p1))).toBeLessThan(1e-6 * V);
    expect(Math.abs(q2 - p2)).toBeLessThan(1e-5);
  });

  it("reverse KL sits on the nearer mode with that mode's std, giving up the other half (KL ≈ log 2)", () => {
    const got = trained(divergenceNamed("reverse"), 15, 3);
    // the left mode alone on the grid: its discretised mean and std
    const mode = Array.from({ length: V }, (_, i) => bump(i, MODES[0]!));
    const z = mode.reduce((a, b) => a + b, 0);
    const [m1, m2] = moments(mode.map((x) => x / z));
    const modeStd = Math.sqrt(m2 - m1 * m1);
    expect(Math.abs(got.mu - m1)).toBeLessThan(0.01);
    expect(Math.abs(got.sigma - modeStd) / modeStd).toBeLessThan(0.01);
    expect(Math.abs(got.value - Math.LN2)).toBeLessThan(0.01);
    // the covering fit is far wider and centred
    const forward = momentMatched(teacher.ref);
    expect(forward.sigma).toBeGreaterThan(3 * got.sigma);
  });
});

describe("the α path from mass-covering (α → 1) to mode-seeking (α → 0)", () => {
  // The best of two starts (one covering, one near a mode) is the fit at each α: each start finds
  // its branch's local optimum, and the lower D_α wins.
  const alphas = [0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05];
  const path = alphas.map((a) => {
    const d = divergenceNamed(`alpha:${a}`);
    const covering = trained(d, CENTRE + 0.5, 6);
    const seeking = trained(d, MODES[0]! + 1, 2.5);
    return covering.value <= seeking.value ? covering : seeking;
  });

  it("each fit is a stationary point (the exact gradient vanishes there)", () => {
    for (const f of path) expect(f.gradient).toBeLessThan(1e-4);
  });

  it("near α = 1 it is the forward fit, near α = 0 the reverse fit", () => {
    const forward = momentMatched(teacher.ref);
    expect(Math.abs(path[0]!.sigma - forward.sigma) / forward.sigma).toBeLessThan(0.05);
    const reverse = trained(divergenceNamed("reverse"), 15, 3);
    expect(Math.abs(path[path.length - 1]!.mu - reverse.mu)).toBeLessThan(0.05);
    expect(Math.abs(path[path.length - 1]!.sigma - reverse.sigma) / reverse.sigma).toBeLessThan(0.05);
  });

  it("σ never grows and the mean never moves off the mode as α falls", () => {
    for (let k = 1; k < path.length; k++) {
      expect(path[k]!.sigma).toBeLessThanOrEqual(path[k - 1]!.sigma + 1e-9);
      expect(Math.abs(path[k]!.mu - CENTRE)).toBeGreaterThanOrEqual(Math.abs(path[k - 1]!.mu - CENTRE) - 1e-6);
    }
  });

  it("it leaves the covering branch once, for good: the argmin jumps where the two branches' values cross", () => {
    const onMode = path.map((f) => Math.abs(f.mu - MODES[0]!) < 0.5);
    const switches = onMode.filter((m, k) => k > 0 && m !== onMode[k - 1]).length;
    expect(switches).toBe(1);
    expect(onMode[0]).toBe(false);
    expect(onMode[onMode.length - 1]).toBe(true);
  });

  it("the optimal divergence min D_α changes continuously along the grid", () => {
    for (let k = 1; k < path.length; k++) expect(Math.abs(path[k]!.value - path[k - 1]!.value)).toBeLessThan(0.1);
  });
});
