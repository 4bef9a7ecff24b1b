/**
 * The steppers a Simulation runs on, fastest first, all on one shared model state: in exact mode
 * the fast kernels (src/engine) where they are built and take the optimiser, then the plain
 * TypeScript stepper that takes every penalty; in sampled or expected mode that mode's stepper; in
 * fit mode the fit stepper on the restricted student.
 */
import type { Divergence } from "../core/divergence.js";
import type { OptimumWork } from "../core/distributions.js";
import { SequenceFamily } from "../core/families/sequence.js";
import { SoftmaxFamily } from "../core/families/softmax.js";
import { createStudent, type StudentConfig } from "../core/families/students.js";
import { optimumOf } from "../core/optima.js";
import { createOptimizer, type Optimizer } from "../core/optimizers.js";
import type { Problem } from "../core/problem.js";
import { sequenceOptimumPolicy } from "../core/sequence/optimum-policy.js";
import type { SequenceProblem } from "../core/sequence/problem.js";
import type { SequenceTrainingConfig } from "../core/sequence/training.js";
import { type SequenceTrainingMode, SequenceTrainingStepper } from "../core/steppers/sequence-training.js";
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

/**
 * A model other than the softmax bandit (DESIGN §1 families): the Simulation's `problem` is then the
 * bandit over the model's outcomes (for a sequence model: its complete sequences), and the model's
 * entry in MODELS makes the steppers and the optimum.
 */
export interface SequenceModel {
  name: "sequence";
  problem: SequenceProblem;
  /** Sampled or expected mode; absent = exact. */
  training?: { mode: SequenceTrainingMode; config: SequenceTrainingConfig; random: () => () => number };
}

/** Fit mode (DESIGN §3): a restricted student fitted to π_ref, the teacher; π* is the teacher itself (r = 0). */
export interface StudentModel {
  name: "student";
  student: StudentConfig;
}

export type Model = SequenceModel | StudentModel;

interface ModelEntry<M extends Model> {
  steppers(model: M, problem: Problem, config: SimConfig): Stepper[];
  /** π* over the outcomes for a penalty and β. */
  optimum(model: M, problem: Problem, penalty: Divergence, beta: number): Float64Array;
  /** Whether the model starts at π_ref and can represent it (the instability watch's premise: sim/instability.ts). */
  startsAtReference: boolean;
  /** Whether training can reach π* at all (a restricted student cannot reach the teacher): a sweep's `converged` is moot otherwise. */
  reachesOptimum: boolean;
  /** Whether a run of it draws from a seeded random stream (then a sweep cannot restart one simulation per β). */
  draws(model: M): boolean;
}

const MODELS: { [K in Model["name"]]: ModelEntry<Extract<Model, { name: K }>> } = {
  sequence: {
    steppers(model, problem, config) {
      const family = new SequenceFamily(model.problem, problem);
      const optimizer = createOptimizer(config.optimizer, family.theta.length);
      const training = model.training;
      if (!training) return [new ExactStepper(family, optimizer)];
      return [new SequenceTrainingStepper(family, optimizer, training.mode, training.config, training.random)];
    },
    optimum: (model, problem, penalty, beta) => sequenceOptimumPolicy(model.problem, problem, penalty, beta),
    startsAtReference: true,
    reachesOptimum: true,
    draws: (model) => model.training !== undefined, // sampled mode draws; expected mode's stream is unused but per run too
  },
  student: {
    steppers(model, problem, config) {
      const student = createStudent(problem, model.student);
      return [new FitStepper(student, createOptimizer(config.optimizer, student.theta.length))];
    },
    // the unrestricted optimum of −β·D(q, teacher) is the teacher; the bandit's closed form gives it
    optimum: (_model, problem, penalty, beta) => optimumOf(penalty, problem.ref, problem.logRef, problem.reward, beta),
    // a restricted student starts from its own bump and may never reach the teacher's J = 0
    startsAtReference: false,
    reachesOptimum: false,
    draws: () => false, // exact gradients
  },
};

/** A model's entry (TypeScript cannot correlate MODELS[model.name] with the model's own type by itself). */
const entryOf = <M extends Model>(model: M): ModelEntry<M> => MODELS[model.name] as unknown as ModelEntry<M>;

/** Whether the Simulation's model starts at π_ref and can represent it (the softmax bandit does). */
export function startsAtReference(config: SimConfig): boolean {
  const model = config.model;
  return model ? entryOf(model).startsAtReference : true;
}

/** Whether training under this configuration can reach π* (the softmax bandit can). */
export function reachesOptimum(config: SimConfig): boolean {
  const model = config.model;
  return model ? entryOf(model).reachesOptimum : true;
}

/** Whether a run under this configuration draws from a seeded stream: a training mode, or a model that says so. */
export function drawsSamples(config: SimConfig): boolean {
  const model = config.model;
  return model ? entryOf(model).draws(model) : config.training !== undefined;
}

/** π* over the outcomes of the Simulation's problem: the model's rule, or the bandit's closed form. */
export function optimumPolicyOf(problem: Problem, config: SimConfig, penalty: Divergence, beta: number, work?: OptimumWork): Float64Array {
  const model = config.model;
  if (model) return entryOf(model).optimum(model, problem, penalty, beta);
  return optimumOf(penalty, problem.ref, problem.logRef, problem.reward, beta, work);
}

/** Whether the configuration's engine may take its steps in the native kernel (ENGINES). */
export function mayUseNative(config: SimConfig): boolean {
  const engine = ENGINES[config.engine ?? "fast"];
  return engine.kernels && engine.native;
}

export function createSteppers(problem: Problem, config: SimConfig): Stepper[] {
  const model = config.model;
  if (model) return entryOf(model).steppers(model, problem, config);
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
