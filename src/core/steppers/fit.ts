/**
 * Fit mode's stepper: a restricted student (families/students.ts) trained by the exact gradient of
 * −β·D(student, teacher) with sgd or adam. The teacher is the problem's π_ref and r = 0, so the
 * exact stepper's step is the fit's step; this one also names the student, for views of its parameters.
 */
import type { StudentFamily, StudentParameter } from "../families/student.js";
import type { Optimizer } from "../optimizers.js";
import { ExactStepper } from "./exact.js";

export class FitStepper extends ExactStepper {
  constructor(
    readonly student: StudentFamily,
    optimizer: Optimizer,
  ) {
    super(student, optimizer);
  }

  /** The student's parameters now (μ, σ, mixture weights, w). */
  parameters(): StudentParameter[] {
    return this.student.parameters();
  }
}
