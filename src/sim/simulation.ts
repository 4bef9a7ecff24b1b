/**
 * The Simulation: a policy trained on a Problem, one exact step at a time. Views (TUI, CLI)
 * only read it: through `row` for streaming, `history` for charts and `snapshot()` for a frame.
 */
import { createController, type Controller, type ControllerConfig } from "../core/controllers.js";
import type { Penalty } from "../core/objective.js";
import { optimum } from "../core/optima.js";
import { createOptimizer, type Optimizer, type OptimizerConfig } from "../core/optimizers.js";
import { BATCH, FastExact, ROW, ROW_SLOTS } from "../core/fast/exact.js";
import { evaluatePolicy, exactGradient, PolicyState, type Problem } from "../core/policy.js";
import { SampledTrainer, type SampledConfig } from "../core/sampled.js";
import { metricsOf, type PolicyMetrics } from "../core/summary.js";
import { DivergenceError } from "../errors.js";
import { History } from "./history.js";
import { FIELD, RECORD_FIELDS, writeRecord } from "./record.js";

export interface SimConfig {
  /** Penalty direction: reverse = KL(π‖π_ref), forward = KL(π_ref‖π). */
  penalty: Penalty;
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
  /** Sampled mode: batch, estimator and where the KL enters, with a seeded generator factory
   *  (called at every reset, so a reset replays the same samples). Absent = exact mode. */
  sampled?: { config: SampledConfig; random: () => () => number };
  /** Exact mode's engine: `fast` (default) fuses each step into one pass of the native kernel or,
   *  without it, the WebAssembly SIMD one (src/core/fast); `wasm` never uses the native kernel;
   *  `plain` always runs the TypeScript reference. */
  engine?: "fast" | "wasm" | "plain";
}

/** The closed-form optimum for one (β, penalty): the dashed lines in the charts. */
export interface OptimumView {
  beta: number;
  penalty: Penalty;
  policy: Float64Array;
  metrics: PolicyMetrics;
}

/** An immutable picture of the simulation for one frame. */
export interface SimSnapshot {
  /** Increases whenever anything visible changed. */
  version: number;
  step: number;
  beta: number;
  penalty: Penalty;
  controller: ControllerConfig;
  optimizer: OptimizerConfig;
  /** Metrics at the current step. */
  metrics: PolicyMetrics;
  /** Sampled mode: the KL estimate on the batch drawn at this step; null in exact mode. */
  klEstimate: number | null;
  /** π at the current step (a copy). */
  policy: Float64Array;
  optimum: OptimumView;
  /** Chart history, one copied column per RECORD_FIELDS entry, all `historyLength` long. */
  history: Float64Array[];
  historyLength: number;
  /** Set when a step produced a non-finite value; the simulation then refuses to step. */
  failure: string | null;
}

export class Simulation {
  readonly state: PolicyState;
  readonly history: History;
  /** The current step's record, in RECORD_FIELDS order (NaN = null). Reused: copy what you keep. */
  readonly row = new Float64Array(RECORD_FIELDS.length);
  private readonly optimizer: Optimizer;
  private controller: Controller;
  private t = 0;
  private currentBeta: number;
  private currentPenalty: Penalty;
  private version = 0;
  private failure: string | null = null;
  private failedStep: number | null = null;
  private optimumCache: OptimumView | null = null;
  private snapshotCache: SimSnapshot | null = null;
  private trainer: SampledTrainer | null = null;
  /** The fused step (exact mode), or null for the plain TypeScript path. */
  private readonly fast: FastExact | null;

  constructor(
    readonly problem: Problem,
    readonly config: SimConfig,
  ) {
    this.fast = config.sampled || config.engine === "plain" ? null : FastExact.create(problem, config.optimizer, { native: config.engine !== "wasm" });
    this.state = this.fast ? this.fast.state : new PolicyState(problem.V);
    this.history = new History(config.historyCapacity ?? 4096);
    this.optimizer = createOptimizer(config.optimizer, problem.V);
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
  get penalty(): Penalty {
    return this.currentPenalty;
  }
  get failed(): string | null {
    return this.failure;
  }
  /** The step that produced a non-finite value (one past `currentStep`), or null. */
  get divergedAt(): number | null {
    return this.failedStep;
  }
  /** What runs the steps: "native-avx512" (-avx2, -neon), "wasm-simd" or "typescript". */
  get kernel(): string {
    return this.fast ? this.fast.kernel : "typescript";
  }
  /** Whether a helper thread has taken part in the steps (large vocabularies). */
  get threaded(): boolean {
    return this.fast?.threaded ?? false;
  }

  /** Back to θ = log π_ref at step 0 with the scenario's β and penalty. */
  reset(): void {
    this.t = 0;
    this.failure = null;
    this.failedStep = null;
    this.currentPenalty = this.config.penalty;
    this.controller.reset();
    this.optimizer.reset();
    this.fast?.reset();
    this.currentBeta = this.controller.initial(this.config.beta);
    this.state.resetTo(this.problem);
    const sampled = this.config.sampled;
    this.trainer = sampled ? new SampledTrainer(sampled.config, this.problem.V, sampled.random()) : null;
    this.history.clear();
    evaluatePolicy(this.problem, this.state);
    this.trainer?.prepare(this.problem, this.state, this.currentPenalty);
    this.record();
  }

  /**
   * Runs up to n steps; returns how many ran. Throws DivergenceError (after marking the
   * simulation failed) if a step produces a non-finite value; earlier steps are kept.
   */
  step(n = 1, onRow?: (row: Float64Array) => void): number {
    if (this.failure) return 0;
    if (this.fast) {
      // Exact mode on the WebAssembly kernel: a lean loop of its own (see fastSteps).
      this.fastSteps(this.fast, n, onRow);
      this.fast.sync(); // π normalised again
      this.version++;
      return n;
    }
    const { problem, state, optimizer, controller, trainer } = this;
    const samples = trainer ? trainer.config.batch : 1;
    for (let k = 0; k < n; k++) {
      const beta = this.currentBeta;
      let kl: number;
      if (trainer) {
        kl = trainer.klEstimate; // the controller sees what a real RLHF run sees: the estimate
        trainer.update(problem, state, optimizer, this.currentPenalty, beta);
      } else {
        exactGradient(problem, state, this.currentPenalty, beta);
        state.maxTheta = optimizer.step(state.theta, state.grad);
        kl = this.currentPenalty === "reverse" ? state.reverseKL : state.forwardKL;
      }
      this.t++;
      this.currentBeta = Math.max(0, controller.next(this.t - 1, beta, kl, samples));
      if (Number.isFinite(state.maxTheta)) {
        evaluatePolicy(problem, state);
        if (trainer) trainer.prepare(problem, state, this.currentPenalty);
      }
      this.commitStep(beta, onRow);
    }
    this.version++;
    return n;
  }

  /**
   * step()'s loop for exact mode on the fast kernel: the same steps as the plain loop, where one
   * fused WebAssembly pass replaces exactGradient + Optimizer.step + evaluatePolicy. A loop
   * alone in its function, so that the JIT's on-stack replacement of a long batch never meets code
   * it has not seen run (that would throw it back to the interpreter once per batch).
   */
  private fastSteps(fast: FastExact, n: number, onRow: ((row: Float64Array) => void) | undefined): void {
    if (fast.batchable && this.controller.config.kind === "fixed") {
      this.fastFixedSteps(fast, n, onRow);
      return;
    }
    const { state, controller } = this;
    for (let k = 0; k < n; k++) {
      const beta = this.currentBeta;
      const penalty = this.currentPenalty;
      const kl = penalty === "reverse" ? state.reverseKL : state.forwardKL;
      fast.step(penalty, beta); // ∇J, the optimiser, π and its metrics in one pass
      this.t++;
      this.currentBeta = Math.max(0, controller.next(this.t - 1, beta, kl, 1));
      this.commitStep(beta, onRow, fast);
    }
  }

  /**
   * fastSteps with a fixed β and SGD: the kernel runs the steps back to back (FastExact.run) and
   * leaves each step's metrics in a row, which are recorded here as step() records them. A step
   * the kernel hands back (its max θ jumped, or a value is not finite) is finished and checked
   * as in the loop above.
   */
  private fastFixedSteps(fast: FastExact, n: number, onRow: ((row: Float64Array) => void) | undefined): void {
    const beta = this.currentBeta; // a fixed controller keeps it
    const history = this.history;
    const rows = fast.rowData;
    const reverse = this.currentPenalty === "reverse";
    const gold = this.problem.gold !== null;
    if (!onRow) history.coarsenFor(this.t + n); // write only the points that stay (none compacts)
    for (let k = 0; k < n; ) {
      const want = Math.min(n - k, BATCH);
      const done = fast.run(this.currentPenalty, beta, want);
      const first = this.t; // rows 0 … done−1 hold steps first+1 … first+done
      if (onRow) {
        for (let j = 0; j < done; j++) {
          this.t++;
          fast.loadRow(j);
          this.commitStep(beta, onRow, fast);
        }
      } else if (done > 0) {
        // Nobody reads a step off the history's stride, and the kernel has checked that every value
        // is finite, so only the chart points before the batch's last step are visited (the stride
        // only doubles, so the next point is the next multiple of the current one): the JS work per
        // batch is a few points, not 256 steps. Their records go straight from the rows.
        const last = first + done;
        for (let t = first - (first % history.stride) + history.stride; t < last; t += history.stride - (t % history.stride)) {
          const at = history.slot(t);
          if (at < 0) continue;
          const b = (t - first - 1) * ROW_SLOTS;
          const goldReward = gold ? rows[b + ROW.gold]! : NaN;
          writeRecord(
            history.data,
            at,
            history.capacity,
            t,
            beta,
            reverse,
            rows[b + ROW.reward]!,
            goldReward,
            rows[b + ROW.forwardKL]!,
            rows[b + ROW.reverseKL]!,
            rows[b + ROW.entropy]!,
            NaN,
          );
        }
        // the batch's last step is recorded in full, as step() records it
        this.t = last;
        fast.loadRow(done - 1);
        this.commitStep(beta, onRow, fast);
      }
      k += done;
      if (done < want) {
        fast.finishPending();
        this.t++;
        this.commitStep(beta, onRow, fast);
        k++;
      }
    }
  }

  /** θ has moved to step t: fail the run on a non-finite value, else record the step and stream it. */
  private commitStep(beta: number, onRow: ((row: Float64Array) => void) | undefined, fast?: FastExact): void {
    const problemText = this.nonFinite();
    if (problemText) {
      fast?.sync();
      this.fail(beta, problemText);
    }
    this.record();
    if (onRow) onRow(this.row);
  }

  /** A step produced a non-finite value: mark the simulation failed and throw. */
  private fail(beta: number, problemText: string): never {
    const failedStep = this.t;
    // The failed step was never recorded: step, β and the row stay those of the last good step.
    this.t--;
    this.currentBeta = beta;
    this.failedStep = failedStep;
    this.failure = `diverged at step ${failedStep}: ${problemText}`;
    this.version++;
    throw new DivergenceError(failedStep, problemText);
  }

  /** β ← value now (TUI `+`/`-`/`0`); the controller continues from it. */
  setBeta(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`beta must be a finite number ≥ 0, got ${value}`);
    this.currentBeta = this.controller.override(this.t, value);
    this.refreshRow();
  }

  setPenalty(penalty: Penalty): void {
    this.currentPenalty = penalty;
    this.trainer?.prepare(this.problem, this.state, penalty); // the estimate depends on the direction
    this.refreshRow();
  }

  /** The closed-form optimum for the current β and penalty (cached until either changes). */
  optimum(): OptimumView {
    const cached = this.optimumCache;
    if (cached && cached.beta === this.currentBeta && cached.penalty === this.currentPenalty) return cached;
    const { ref, logRef, reward } = this.problem;
    const policy = optimum(this.currentPenalty, ref, logRef, reward, this.currentBeta);
    const view = {
      beta: this.currentBeta,
      penalty: this.currentPenalty,
      policy,
      metrics: metricsOf(this.problem, policy, this.currentPenalty, this.currentBeta),
    };
    this.optimumCache = view;
    return view;
  }

  /** Metrics of the current policy from the running state (cheap; no pass over V). */
  metrics(): PolicyMetrics {
    const row = this.row;
    return {
      reward: row[FIELD.reward]!,
      goldReward: Number.isNaN(row[FIELD.gold_reward]!) ? null : row[FIELD.gold_reward]!,
      forwardKL: row[FIELD.forward_kl]!,
      reverseKL: row[FIELD.reverse_kl]!,
      entropy: row[FIELD.entropy]!,
      objective: row[FIELD.objective]!,
    };
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
      optimizer: this.optimizer.config,
      metrics: this.metrics(),
      klEstimate: Number.isNaN(this.row[FIELD.kl_estimate]!) ? null : this.row[FIELD.kl_estimate]!,
      policy: this.state.pi.slice(),
      optimum: this.optimum(),
      history: RECORD_FIELDS.map((_, f) => this.history.column(f)),
      historyLength: this.history.length,
      failure: this.failure,
    };
    this.snapshotCache = snap;
    return snap;
  }

  private nonFinite(): string | null {
    const s = this.state;
    if (!Number.isFinite(s.maxTheta)) return "a logit became non-finite (the learning rate or reward scale is too large)";
    if (!Number.isFinite(s.reward)) return "the reward became non-finite";
    if (!Number.isFinite(s.reverseKL) || !Number.isFinite(s.forwardKL)) return "a KL divergence became non-finite";
    if (!Number.isFinite(s.entropy)) return "the entropy became non-finite";
    if (!Number.isFinite(this.currentBeta)) return "beta became non-finite";
    // The record's other numbers: β·KL can overflow with finite factors (β = 1e308, forward KL = 1e306).
    if (this.problem.gold && !Number.isFinite(s.goldReward)) return "the gold reward became non-finite";
    const kl = this.currentPenalty === "reverse" ? s.reverseKL : s.forwardKL;
    if (!Number.isFinite(s.reward - this.currentBeta * Math.max(0, kl))) return "the objective became non-finite (beta × KL overflows)";
    if (this.trainer && !Number.isFinite(this.trainer.klEstimate)) return "the KL estimate became non-finite";
    return null;
  }

  /** Fills `row` for the current step and offers it to the history. */
  private record(): void {
    this.fillRow();
    this.history.push(this.t, this.row);
    this.version++;
  }

  /** β or the penalty changed without a step: the current row's objective changes with them. */
  private refreshRow(): void {
    this.fillRow();
    this.version++;
  }

  private fillRow(): void {
    const s = this.state;
    // The estimate made on the batch drawn at θ_t (which the next update will use).
    const klEstimate = this.trainer ? this.trainer.klEstimate : NaN;
    writeRecord(
      this.row,
      0,
      1,
      this.t,
      this.currentBeta,
      this.currentPenalty === "reverse",
      s.reward,
      s.goldReward,
      s.forwardKL,
      s.reverseKL,
      s.entropy,
      klEstimate,
    );
  }
}
