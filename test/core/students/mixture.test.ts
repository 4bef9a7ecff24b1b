/**
 * The contrast that makes the Gaussian's fits meaningful: a teacher that lies inside the student's
 * family is fitted exactly by every divergence. Two normalised bumps at 12 and 28 (σ = 2, weights
 * 0.3 and 0.7) are a K = 2 mixture student's own distribution, so forward and reverse KL both go
 * to 0 and recover those parameters (up to the order of the components).
 */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../../src/core/divergences/registry.js";
import { MixtureStudent } from "../../../src/core/families/mixture.js";
import { emptyMetricRow, METRIC } from "../../../src/core/metric-row.js";
import { Adam } from "../../../src/core/optimizers.js";
import { makeProblem } from "../../../src/core/problem.js";
import { FitStepper } from "../../../src/core/steppers/fit.js";

const V = 41;
const bump = (m: number) => {
  const w = Array.from({ length: V }, (_, i) => Math.exp(-((i - m) ** 2) / 8));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
};
const left = bump(12);
const right = bump(28);
const teacher = makeProblem(
  left.map((p, i) => 0.3 * p + 0.7 * right[i]!),
  new Array(V).fill(0),
);

describe("a mixture student on a teacher inside its family", () => {
  for (const name of ["forward", "reverse"]) {
    it(`${name} KL reaches 0 and recovers the teacher's weights, means and widths`, () => {
      const penalty = divergenceNamed(name);
      const student = new MixtureStudent(teacher, [0.5, 0.5], [9, 25], [3, 3]);
      const row = emptyMetricRow();
      student.reset();
      for (const lr of [0.05, 0.005, 0.0005]) {
        const stepper = new FitStepper(student, new Adam({ kind: "adam", lr, beta1: 0.9, beta2: 0.999, eps: 1e-12 }, 6));
        stepper.refresh(penalty);
        for (let k = 0; k < 40; k++) stepper.advance(penalty, 1, 256);
        stepper.readCurrent(row);
      }
      expect(row[METRIC.forward_kl]).toBeLessThan(1e-8);
      expect(row[METRIC.reverse_kl]).toBeLessThan(1e-8);
      const p = Object.fromEntries(student.parameters().map((q) => [q.name, q.value]));
      expect(p.weight_1).toBeCloseTo(0.3, 4);
      expect(p.mu_1).toBeCloseTo(12, 3);
      expect(p.sigma_1).toBeCloseTo(2, 3);
      expect(p.weight_2).toBeCloseTo(0.7, 4);
      expect(p.mu_2).toBeCloseTo(28, 3);
      expect(p.sigma_2).toBeCloseTo(2, 3);
    });
  }
});
