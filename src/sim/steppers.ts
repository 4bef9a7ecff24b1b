/**
 * The steppers a Simulation runs on, fastest first, all on one shared model state: in exact mode
 * the fast kernels (src/engine) where they are built and take the optimiser, then the plain
 * TypeScript stepper that takes every penalty; in sampled mode the sampled stepper.
 */
import { SoftmaxFamily } from "../core/families/softmax.js";
import { createOptimizer } from "../core/optimizers.js";
import type { Problem } from "../core/problem.js";
import type { Stepper } from "../core/stepper.js";
import { ExactStepper } from "../core/steppers/exact.js";
import { SampledStepper } from "../core/steppers/sampled.js";
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

export function createSteppers(problem: Problem, config: SimConfig): Stepper[] {
  const sampled = config.sampled;
  if (sampled) {
    const family = new SoftmaxFamily(problem);
    return [new SampledStepper(family, createOptimizer(config.optimizer, problem.V), sampled.config, sampled.random)];
  }
  const engine = ENGINES[config.engine ?? "fast"];
  const fast = engine.kernels ? FastStepper.create(problem, config.optimizer, { native: engine.native }) : null;
  if (fast) return [fast, new ExactStepper(fast.family, fast.optimizer)];
  return [new ExactStepper(new SoftmaxFamily(problem), createOptimizer(config.optimizer, problem.V))];
}
