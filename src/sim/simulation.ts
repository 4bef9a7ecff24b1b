/**
 * The Simulation: a model trained on a Problem by a stepper, with a controller moving β and a
 * bounded history for the charts. One step loop, whatever runs the steps: the steppers (src/core
 * stepper.ts: the plain TypeScript ones, the fast kernels of src/engine) report each step as a
 * metric row, and the Simulation records it, checks it and moves β. Views (TUI, CLI) only read it:
 * through `row` for streaming, `history` for charts and `snapshot()` for a frame.
 */
import { type Controller, type ControllerConfig, type ControllerKl, createController } from "../core/controllers.js";
import { type OptimumWork, rewardMaxOf } from "../core/distributions.js";
import type { Divergence } from "../core/divergence.js";
import type { PolicyFamily } from "../core/family.js";
import type { StudentParameter } from "../core/families/student.js";
import { emptyMetricRow, firstNonFinite, METRIC, METRIC_FIELDS, NON_FINITE_MEANING } from "../core/metric-row.js";
import { type FixedPoint, fixedPointOf } from "../core/fixed-points.js";
import { metricsOf, type PolicyMetrics } from "../core/metrics.js";
import type { OptimizerConfig } from "../core/optimizers.js";
import type { OptimumPasses } from "../core/optimum-passes.js";
import type { Problem } from "../core/problem.js";
import type { SampledConfig } from "../core/steppers/sampled.js";
import type { SamplingChange, Stepper } from "../core/stepper.js";
import { DivergenceError } from "../errors.js";
import { History } from "./history.js";
import { FIELD, RECORD_FIELDS, type RecordField, recordColumnsFor, writeRecord } from "./record.js";
import { InstabilityWatch } from "./instability.js";
import { createSteppers, type Engine, type Model, optimumPolicyOf, startsAtReference, type TrainingMode } from "./steppers.js";

/** Each KL an adaptive controller can steer, read from a metric row. */
const CONTROLLER_KL_OF: Record<ControllerKl, (row: Float64Array) => number> = {
  // what a real RLHF run sees: the sampled estimate where there is one, else the penalty itself
  sequence: (row) => (Number.isNaN(row[METRIC.kl_estimate]!) ? row[METRIC.penalty_value]! : row[METRIC.kl_estimate]!),
  // verl's token-mean KL: each sequence's mean per-token log-ratio, averaged over sequences (exact)
  "token-mean": (row) => row[METRIC.token_mean_kl]!,
};

export interface SimConfig {
  /** The penalty divergence D (an entry of src/core/divergences/registry.ts). */
  penalty: Divergence;
  /** Initial penalty coefficient β ≥ 0. */
  beta: number;
  /** How β moves during training. */
  controller: ControllerConfig;
  /** sgd or adam, with its learning rate. */
  optimizer: OptimizerConfig;
  /** The schedule controller's compiled β(t). */
  schedule?: (t: number) => number;
  /** Points kept for charts before decimation (even). */
  historyCapacity?: number;
  /** Sampled or expected mode: batch, estimator, where the KL enters, baseline and sampler, with a
   *  seeded generator factory (called at every reset, so a reset replays the same samples; expected
   *  mode draws nothing). Absent = exact mode. */
  training?: { mode: TrainingMode; config: SampledConfig; random: () => () => number };
  /** Exact mode's engine: `fast` (default) takes each step in the native kernel or, without it, the
   *  WebAssembly SIMD one (src/engine), where they take the penalty; `wasm` never uses the native
   *  kernel; `plain` always runs the TypeScript reference. */
  engine?: Engine;
  /** A model other than the softmax bandit (sim/steppers.ts MODELS); `problem` is then the bandit over its outcomes. */
  model?: Model;
}

/** The closed-form optimum for one (β, penalty): the dashed lines in the charts. */
export interface OptimumView {
  beta: number;
  penalty: Divergence;
  /** π*: overwritten by the optimum of the next β or penalty (copy what you keep). */
  policy: Float64Array;
  metrics: PolicyMetrics;
}

/**
 * The closed-form optimum at (β, penalty) and its metrics, as Simulation.optimum gives them: `work`
 * may lend the buffers and a kernel's exp (the same bits with or without the buffers); log π* is
 * taken from the form where it gives it, never as the log of a probability.
 */
export function optimumViewOf(problem: Problem, config: SimConfig, penalty: Divergence, beta: number, work: OptimumWork = {}): OptimumView {
  const lent: OptimumWork = { ...work, log: work.log ?? new Float64Array(problem.V), hasLog: false };
  const policy = optimumPolicyOf(problem, config, penalty, beta, lent);
  return { beta, penalty, policy, metrics: metricsOf(problem, policy, penalty, beta, lent.hasLog ? lent.log : undefined, lent.passes) };
}

/** The metrics of a record row (record.ts): what `run --json`, a sweep's row and the TUI's status report. */
export function metricsOfRecord(row: Float64Array): PolicyMetrics {
  return {
    reward: row[FIELD.reward]!,
    goldReward: Number.isNaN(row[FIELD.gold_reward]!) ? null : row[FIELD.gold_reward]!,
    forwardKL: row[FIELD.forward_kl]!,
    reverseKL: row[FIELD.reverse_kl]!,
    entropy: row[FIELD.entropy]!,
    penaltyValue: row[FIELD.penalty_value]!,
    objective: row[FIELD.objective]!,
  };
}

/** Sampled and expected mode: what the configuration really optimises and where it settles (core/fixed-points.ts). */
export interface FixedPointView {
  /** "reverse KL", "forward KL", "reverse − forward (unbounded)", "nothing", … */
  optimises: string;
  method: FixedPoint["method"];
  /** The fixed point's metrics under the current β and penalty, or null: there is none (training diverges). */
  metrics: PolicyMetrics | null;
  policy: Float64Array | null;
}

/** An immutable picture of the simulation for one frame. */
export interface SimSnapshot {
  /** Increases whenever anything visible changed. */
  version: number;
  step: number;
  beta: number;
  penalty: Divergence;
  controller: ControllerConfig;
  optimizer: OptimizerConfig;
  /** Metrics at the current step. */
  metrics: PolicyMetrics;
  /** Sampled mode: the KL estimate on the batch drawn at this step; null in exact mode. */
  klEstimate: number | null;
  /** π at the current step (a copy). */
  policy: Float64Array;
  optimum: OptimumView;
  /** Sampled and expected mode: the training settings and where they really settle; null in exact mode. */
  sampling: SampledConfig | null;
  fixedPoint: FixedPointView | null;
  /** Chart history, one copied column per RECORD_FIELDS entry, all `historyLength` long. */
  history: Float64Array[];
  historyLength: number;
  /** Set when a step produced a non-finite value; the simulation then refuses to step. */
  failure: string | null;
  /** Sequence models: the per-position KL profile (a copy), the mean length and the token-mean KL; null otherwise. */
  sequence: { profile: Float64Array; meanLength: number; tokenMeanKL: number; training: string | null } | null;
  /** Fit mode: the student's parameters at this step; null otherwise. */
  parameters: StudentParameter[] | null;
}

export class Simulation {
  readonly history: History;
  /** The current step's record, in RECORD_FIELDS order (NaN = null). Reused: copy what you keep. */
  readonly row = new Float64Array(RECORD_FIELDS.length);
  /** The record's columns for files (the sequence-only ones only for a sequence model). */
  readonly recordFields: readonly RecordField[];
  /** Steppers on one shared state, in order of preference: each step goes to the first that takes the penalty. */
  private readonly steppers: readonly Stepper[];
  private stepper: Stepper;
  /** The penalty `stepper` was chosen for. */
  private stepperPenalty: Divergence | null = null;
  /** The current step's metrics (core/metric-row.ts), as the stepper reported them. */
  private readonly metricRow = emptyMetricRow();
  /** Another step's metrics, read from the stepper's rows. */
  private readonly scratch = emptyMetricRow();
  /** Metric fields whose non-finite value stops the run. */
  private readonly checked: readonly number[];
  private readonly controller: Controller;
  private t = 0;
  private currentBeta: number;
  private currentPenalty: Divergence;
  private version = 0;
  private failure: string | null = null;
  private failedStep: number | null = null;
  private optimumCache: OptimumView | null = null;
  /** log π* of the optimum, where its form gives it exactly (core/optima.ts). */
  private optimumLog: Float64Array | null = null;
  /** max r, taken once for every optimum (OptimumWork.rewardMax). */
  private rewardMax: OptimumWork["rewardMax"] = undefined;
  private snapshotCache: SimSnapshot | null = null;
  /** Notices an objective stuck far below the reference policy's (instability.ts). */
  private readonly instability: InstabilityWatch | null;
  private fixedPointCache: { settings: SampledConfig; beta: number; penalty: Divergence; view: FixedPointView } | null = null;

  constructor(
    readonly problem: Problem,
    readonly config: SimConfig,
  ) {
    this.steppers = createSteppers(problem, config);
    this.instability = startsAtReference(config) ? new InstabilityWatch(problem) : null;
    this.stepper = this.steppers[0]!;
    this.checked = this.stepper.metrics;
    this.recordFields = recordColumnsFor(this.stepper.metrics);
    this.history = new History(config.historyCapacity ?? 4096);
    this.controller = createController(config.controller, config.schedule);
    this.currentPenalty = config.penalty;
    this.currentBeta = config.beta;
    this.reset();
  }

  /** Steps taken so far (the current record's `step`). */
  get currentStep(): number {
    return this.t;
  }
  get beta(): number {
    return this.currentBeta;
  }
  get penalty(): Divergence {
    return this.currentPenalty;
  }
  /** Work one step takes (token-evaluation units, core/stepper.ts): slices of steps are sized by it. */
  get costPerStep(): number {
    return this.stepper.costPerStep ?? this.problem.V;
  }

  /** How many steps make about `work` units (at least one): a slice between signal or key checks. */
  stepsFor(work: number): number {
    return Math.max(1, Math.floor(work / (this.costPerStep + 32)));
  }

  get failed(): string | null {
    return this.failure;
  }
  /** The step that produced a non-finite value (one past `currentStep`), or null. */
  get divergedAt(): number | null {
    return this.failedStep;
  }
  /** What runs the steps now: "native-avx512" (-avx2, -neon), "wasm-simd" or "typescript". */
  get kernel(): string {
    return this.stepper.kernel;
  }
  /** Whether a helper thread has taken part in the steps (large vocabularies). */
  get threaded(): boolean {
    return this.steppers.some((s) => s.threaded);
  }
  /** The model being trained (its parameters θ are `family.theta`). */
  get family(): PolicyFamily {
    return this.stepper.family;
  }
  /** The stepper's kernel passes over the vocabulary (optimum, metrics, distances), or undefined: the plain loops. */
  get passes(): OptimumPasses | undefined {
    return this.stepper.passes;
  }
  /** π over tokens at the current step (a view: copy what you keep). */
  get policy(): Float64Array {
    return this.stepper.policy();
  }

  /** Back to θ₀ at step 0 with the scenario's β and penalty. */
  reset(): void {
    this.t = 0;
    this.instability?.reset();
    this.failure = null;
    this.failedStep = null;
    this.currentPenalty = this.config.penalty;
    this.controller.reset();
    this.currentBeta = this.controller.initial(this.config.beta);
    this.history.clear();
    this.stepper = this.stepperFor(this.currentPenalty);
    this.stepper.reset(this.currentPenalty);
    this.stepper.readCurrent(this.metricRow);
    this.commit(this.currentBeta, undefined);
  }

  /**
   * Back to step 0 as a new Simulation at starting β `beta` would be (a sweep steps every β on one
   * simulation: its steppers and kernel memory are made once, not once per β).
   */
  restart(beta: number): void {
    (this as { config: SimConfig }).config = { ...this.config, beta };
    this.reset();
  }

  /**
   * Runs up to n steps; returns how many ran. Throws DivergenceError (after marking the simulation
   * failed) if a step produces a non-finite value; the steps before it are kept.
   */
  step(n = 1, onRow?: (row: Float64Array) => void): number {
    if (this.failure) return 0;
    const constant = this.controller.constant;
    // Nobody reads a step off the history's stride: decimate once to where it ends (none compacts then).
    if (!onRow && constant) this.history.coarsenFor(this.t + n);
    for (let k = 0; k < n; ) {
      const beta = this.currentBeta;
      const penalty = this.currentPenalty;
      const stepper = this.stepperFor(penalty);
      const kl = this.measuredKl(this.metricRow);
      const first = this.t;
      const done = stepper.advance(penalty, beta, constant ? Math.min(n - k, stepper.maxSteps) : 1);
      stepper.readRow(done - 1, this.scratch);
      const problem = stepper.failure() ?? this.problemWith(this.scratch, beta);
      const good = problem ? done - 1 : done; // rows 0 … good − 1 hold steps first + 1 … first + good
      this.recordRows(stepper, beta, first, good - 1, onRow);
      if (good > 0) {
        stepper.readRow(good - 1, this.metricRow);
        this.t = first + good;
      }
      if (problem) {
        if (good > 0) this.commit(beta, onRow); // the last good step is the current one
        this.fail(beta, problem);
      }
      if (!constant) this.currentBeta = Math.max(0, this.controller.next(this.t - 1, beta, kl, stepper.samplesPerStep));
      if (!Number.isFinite(this.currentBeta)) {
        this.t = first; // the step that gave it is not recorded
        this.fail(beta, "beta became non-finite");
      }
      this.commit(this.currentBeta, onRow);
      k += done;
      if (constant) this.watchStability(stepper, beta, first, done);
    }
    this.version++;
    return n;
  }

  /**
   * Rows 0 … count − 1 of the last advance (steps first + 1 … first + count), recorded with β: each
   * to `onRow` and the history, or — nobody reading them — only the history's points.
   */
  private recordRows(stepper: Stepper, beta: number, first: number, count: number, onRow: ((row: Float64Array) => void) | undefined): void {
    const scratch = this.scratch;
    if (onRow) {
      for (let j = 0; j < count; j++) {
        stepper.readRow(j, scratch);
        writeRecord(this.row, 0, 1, first + 1 + j, beta, scratch);
        this.history.push(first + 1 + j, this.row);
        onRow(this.row);
      }
      return;
    }
    for (let t = this.history.nextKept(first); t <= first + count; t = this.history.nextKept(t)) {
      stepper.readRow(t - first - 1, scratch);
      writeRecord(this.row, 0, 1, t, beta, scratch);
      this.history.push(t, this.row);
    }
  }

  /** The current step's record (metricRow at step t, with β) into `row`, the history and `onRow`. */
  private commit(beta: number, onRow: ((row: Float64Array) => void) | undefined): void {
    writeRecord(this.row, 0, 1, this.t, beta, this.metricRow);
    this.history.push(this.t, this.row);
    this.version++;
    onRow?.(this.row);
  }

  /** An objective stuck far below the reference policy's under a constant β: fail the run (instability.ts). */
  private watchStability(stepper: Stepper, beta: number, first: number, done: number): void {
    if (!this.instability) return;
    const objectiveOf = (row: Float64Array) => (beta === 0 ? row[METRIC.reward]! : row[METRIC.reward]! - beta * row[METRIC.penalty_value]!);
    const last = objectiveOf(this.metricRow);
    if (!(last < this.instability.floor)) {
      this.instability.observe(this.t, last);
      return;
    }
    if (!this.instability.watching) {
      // the last step is far below: find where this stretch began among the steps of the advance
      let start = done - 1;
      while (start > 0) {
        stepper.readRow(start - 1, this.scratch);
        if (!(objectiveOf(this.scratch) < this.instability.floor)) break;
        start--;
      }
      stepper.readRow(start, this.scratch);
      this.instability.observe(first + start + 1, objectiveOf(this.scratch));
    }
    const unstable = this.instability.observe(this.t, last);
    if (unstable) this.fail(beta, unstable);
  }

  /** A step's metric that is not finite (or an objective that overflows), as a message, or null. */
  private problemWith(row: Float64Array, beta: number): string | null {
    const field = firstNonFinite(row, this.checked);
    if (field >= 0) return NON_FINITE_MEANING[METRIC_FIELDS[field]!];
    const penalty = row[METRIC.penalty_value]!;
    if (!Number.isFinite(row[METRIC.reward]! - beta * (penalty < 0 ? 0 : penalty))) return "the objective became non-finite (beta × KL overflows)";
    return null;
  }

  /** The step after the current one produced a non-finite value: mark the simulation failed and throw. */
  private fail(beta: number, problemText: string): never {
    const failedStep = this.t + 1;
    // The failed step is never recorded: step, β and the row stay those of the last good step.
    this.currentBeta = beta;
    this.failedStep = failedStep;
    this.failure = `diverged at step ${failedStep}: ${problemText}`;
    this.version++;
    throw new DivergenceError(failedStep, problemText);
  }

  /** The KL the controller sees in a step's metric row (CONTROLLER_KL_OF: what a real RLHF run measures). */
  private measuredKl(row: Float64Array): number {
    const controller = this.config.controller;
    return CONTROLLER_KL_OF[(controller.kind === "adaptive" && controller.kl) || "sequence"](row);
  }

  /** The first stepper that takes this penalty (the last one, plain, takes every penalty). */
  private stepperFor(penalty: Divergence): Stepper {
    if (penalty === this.stepperPenalty) return this.stepper; // asked once per batch of steps: keep it cheap
    this.stepperPenalty = penalty;
    const next = this.steppers.find((s) => s.supports(penalty)) ?? this.steppers[this.steppers.length - 1]!;
    if (next !== this.stepper) {
      this.stepper.release();
      this.stepper = next;
      next.refresh(penalty);
    }
    return next;
  }

  /** Fit mode: the student's parameters now (μ, σ, mixture weights, w); null for an unrestricted policy. */
  get parameters(): StudentParameter[] | null {
    return this.stepper.parameters?.() ?? null;
  }

  /** Sampled and expected mode: the estimator, placement, baseline and sampler in force; null in exact mode. */
  get sampling(): SampledConfig | null {
    return this.stepper.settings ?? null;
  }

  /** Sampled and expected mode: new settings from the next step on (TUI `k`, `i`, `b`); the current step is re-estimated. */
  configureSampling(change: SamplingChange): void {
    if (!this.stepper.configure) throw new RangeError("only sampled and expected training have an estimator, a placement and a baseline");
    this.stepper.configure(change, this.currentPenalty);
    this.stepper.readCurrent(this.metricRow);
    this.refreshRow();
  }

  /** β ← value now (TUI `+`/`-`/`0`); the controller continues from it. */
  setBeta(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`beta must be a finite number ≥ 0, got ${value}`);
    this.currentBeta = this.controller.override(this.t, value);
    this.refreshRow();
  }

  /** The penalty from now on (TUI `d`); the current step's metrics are re-read under it. */
  setPenalty(penalty: Divergence): void {
    this.currentPenalty = penalty;
    const stepper = this.stepperFor(penalty);
    stepper.refresh(penalty);
    stepper.readCurrent(this.metricRow);
    this.refreshRow();
  }

  /** The closed-form optimum for the current β and penalty (cached until either changes). */
  optimum(): OptimumView {
    const cached = this.optimumCache;
    if (cached && cached.beta === this.currentBeta && cached.penalty === this.currentPenalty) return cached;
    // the last optimum's buffer is overwritten (a sweep takes one per β: 512 KB at V = 65 536)
    const out = cached?.policy.length === this.problem.V ? cached.policy : undefined;
    this.optimumLog ??= new Float64Array(this.problem.V);
    this.rewardMax ??= rewardMaxOf(this.problem.reward);
    const view = optimumViewOf(this.problem, this.config, this.currentPenalty, this.currentBeta, {
      exp: this.stepper.exp,
      passes: this.stepper.passes,
      out,
      log: this.optimumLog,
      rewardMax: this.rewardMax,
    });
    this.optimumCache = view;
    return view;
  }

  /** Sampled and expected mode: the configuration's fixed point for the current β and penalty (cached until any of them changes); null in exact mode. */
  fixedPoint(): FixedPointView | null {
    const settings = this.stepper.settings;
    if (!settings) return null;
    const cached = this.fixedPointCache;
    if (cached && cached.settings === settings && cached.beta === this.currentBeta && cached.penalty === this.currentPenalty) return cached.view;
    const found = fixedPointOf(this.problem, settings, this.currentPenalty, this.currentBeta);
    const view: FixedPointView = {
      optimises: found.optimises,
      method: found.method,
      policy: found.policy,
      metrics: found.policy ? metricsOf(this.problem, found.policy, this.currentPenalty, this.currentBeta) : null,
    };
    this.fixedPointCache = { settings, beta: this.currentBeta, penalty: this.currentPenalty, view };
    return view;
  }

  /** Metrics of the current policy from the running state (cheap; no pass over V). */
  metrics(): PolicyMetrics {
    return metricsOfRecord(this.row);
  }

  /** A frame's worth of state; the same object until something changes. Allocates O(V + history). */
  snapshot(): SimSnapshot {
    const cached = this.snapshotCache;
    if (cached && cached.version === this.version) return cached;
    const snap: SimSnapshot = {
      version: this.version,
      step: this.t,
      beta: this.currentBeta,
      penalty: this.currentPenalty,
      controller: this.controller.config,
      optimizer: this.config.optimizer,
      metrics: this.metrics(),
      klEstimate: Number.isNaN(this.row[FIELD.kl_estimate]!) ? null : this.row[FIELD.kl_estimate]!,
      policy: this.policy.slice(),
      optimum: this.optimum(),
      sampling: this.sampling,
      fixedPoint: this.fixedPoint(),
      history: RECORD_FIELDS.map((_, f) => this.history.column(f)),
      historyLength: this.history.length,
      failure: this.failure,
      sequence: this.sequenceView(),
      parameters: this.parameters,
    };
    this.snapshotCache = snap;
    return snap;
  }

  private sequenceView(): SimSnapshot["sequence"] {
    const profile = this.family.positionProfile?.();
    if (!profile) return null;
    const training = this.stepper.summary ?? null;
    return { profile: profile.slice(), meanLength: this.row[FIELD.mean_length]!, tokenMeanKL: this.row[FIELD.token_mean_kl]!, training };
  }

  /** β or the penalty changed without a step: the current row's objective changes with them. */
  private refreshRow(): void {
    writeRecord(this.row, 0, 1, this.t, this.currentBeta, this.metricRow);
    this.version++;
  }
}
