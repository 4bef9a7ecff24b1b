/**
 * The steppers a Simulation runs on, fastest first, all on one shared model state: in exact mode
 * the fast kernels (src/engine) where they are built and take the optimiser, then the plain
 * TypeScript stepper that takes every penalty; in sampled or expected mode that mode's stepper; in
 * fit mode the fit stepper on the restricted student.
 */
import { SoftmaxFamily } from "../core/families/softmax.js";
import { createStudent } from "../core/families/students.js";
import { createOptimizer, type Optimizer } from "../core/optimizers.js";
import type { Problem } from "../core/problem.js";
import type { Stepper } from "../core/stepper.js";
import { ExactStepper } from "../core/steppers/exact.js";
import { ExpectedStepper } from "../core/steppers/expected.js";
import { FitStepper } from "../core/steppers/fit.js";
import { type SampledConfig, SampledStepper } from "../core/steppers/sampled.js";
import { FastStepper } from "../engine/fast-stepper.js";
import type { SimConfig } from "./simulation.js";

/** fast: the native kernel or else WebAssembly; wasm: WebAssembly only; plain: TypeScript only. */
export type Engine = "fast" | "wasm" | "plain";

/** Which kernels each engine setting may use. */
const ENGINES: Record<Engine, { kernels: boolean; native: boolean }> = {
  fast: { kernels: true, native: true },
  wasm: { kernels: true, native: false },
  plain: { kernels: false, native: false },
};

/** The training modes besides exact, each its stepper on the softmax family. */
const TRAINING: Record<"sampled" | "expected", (family: SoftmaxFamily, optimizer: Optimizer, config: SampledConfig, random: () => () => number) => Stepper> = {
  sampled: (family, optimizer, config, random) => new SampledStepper(family, optimizer, config, random),
  expected: (family, optimizer, config) => new ExpectedStepper(family, optimizer, config),
};

export type TrainingMode = keyof typeof TRAINING;

export function createSteppers(problem: Problem, config: SimConfig): Stepper[] {
  if (config.student) {
    const student = createStudent(problem, config.student);
    return [new FitStepper(student, createOptimizer(config.optimizer, student.theta.length))];
  }
  const training = config.training;
  if (training) {
    const family = new SoftmaxFamily(problem);
    return [TRAINING[training.mode](family, createOptimizer(config.optimizer, problem.V), training.config, training.random)];
  }
  const engine = ENGINES[config.engine ?? "fast"];
  const fast = engine.kernels ? FastStepper.create(problem, config.optimizer, { native: engine.native }) : null;
  if (fast) return [fast, new ExactStepper(fast.family, fast.optimizer)];
  return [new ExactStepper(new SoftmaxFamily(problem), createOptimizer(config.optimizer, problem.V))];
}
