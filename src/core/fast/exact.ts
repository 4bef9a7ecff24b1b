/**
 * The fast exact-mode step: gradient, optimiser and softmax-with-metrics fused into one
 * WebAssembly SIMD pass over the vocabulary per step (kernel-wat.mjs). It computes what
 * exactGradient + Optimizer.step + evaluatePolicy compute (src/core/policy.ts, optimizers.ts: the
 * readable reference and the fallback), to rounding; test/core/fast*.test.ts holds it to 1e-12.
 *
 * The policy's buffers (θ, π, ∇J) live in the kernel's memory and are exposed as an ordinary
 * PolicyState whose arrays are views of it, so readers see no difference. Between steps of one
 * batch the π buffer holds e = exp(θ − M) and the kernel keeps invZ = 1/Σe; `sync()` normalises it
 * (π = e·invZ, the same product evaluatePolicy takes), after which invZ = 1. Any evaluated state —
 * from `sync()` or from a plain `evaluatePolicy` — is therefore a valid input to the next `step`.
 *
 * From PARALLEL_MIN tokens on, the vocabulary is cut in two chunks whose sums are added in a fixed
 * order; a helper thread (helper.ts) runs the second chunk when it can. The results are the same
 * whether or not it does, so they never depend on the machine's load or cores.
 */
import { availableParallelism, loadavg } from "node:os";
import type { Penalty } from "../objective.js";
import type { OptimizerConfig } from "../optimizers.js";
import { evaluatePolicy, PolicyState, type Problem } from "../policy.js";
import { Helper, workerThreads } from "./helper.js";
import { instantiateKernel, LAYOUT, type KernelInstance, type RunFunction, type StepFunction } from "./wasm.js";

/** The fused step's exp shift is the previous max θ; if the max moves further than this (nats) in
 *  one step, Σe could lose range, so the step's pass A is redone with the new max (plain TS). */
const SHIFT_SLACK = 32;

/** Vocabularies this large are split in two chunks, and a helper thread may take the second. */
export const PARALLEL_MIN = 2048;

/**
 * A helper only pays when a second core is free, which on a shared machine comes and goes. So the
 * steps are timed: PROBE steps with the helper, PROBE without, then the faster way for the next
 * `rest` steps — PERIOD after the helper won, doubling (up to MAX_REST) each time it lost. A step
 * with the helper that takes over three times a probed step without it (the helper was descheduled)
 * ends the helper's turn early.
 */
const PROBE = 16;
const PERIOD = 1024;
const MAX_REST = 64 * PERIOD;

/** The arrays in the kernel's memory, in this order, each padded to whole groups of tokens. */
const ARRAYS = ["theta", "e", "grad", "reward", "gold", "ref", "logRef", "am", "av"] as const;
type ArrayName = (typeof ARRAYS)[number];
/** Slots of the parameter block (kernel-wat.mjs F64_PARAMS / I32_PARAMS). */
const F = { invZ: 0, logZ: 1, mean: 2, beta: 3, M: 4, rate: 5, b1: 6, b2: 7, c1: 8, c2: 9, eps: 10 } as const;
const INTS = 128;
/** Step functions by index (the helper's KIND): reverse/forward × SGD/Adam. */
export const KINDS = ["step_reverse_sgd", "step_forward_sgd", "step_reverse_adam", "step_forward_adam"] as const;
/** Steps per run() call at most, and the f64 slots of a row (kernel-wat.mjs ROW). */
export const BATCH = 256;
const ROW = { reward: 0, gold: 1, reverseKL: 2, forwardKL: 3, entropy: 4, logZ: 5, maxTheta: 6, invZ: 7 } as const;
const ROW_SLOTS = 8;

export interface FastOptions {
  /** Let a helper thread take half of a large vocabulary (default: see defaultThreads). "always":
   *  the helper runs every second chunk and the main thread waits for it (for tests). */
  threads?: boolean | "always";
}

export class FastExact {
  /** θ, π and ∇J are views of the kernel's memory. */
  readonly state: PolicyState;
  private readonly instance: KernelInstance;
  private readonly params: Float64Array;
  private readonly outs: Float64Array;
  private readonly moments: Float64Array;
  private readonly stepFunctions: StepFunction[];
  private readonly runFunctions: Record<Penalty, RunFunction>;
  /** The metrics of each step of the last run(), ROW_SLOTS per step. */
  private readonly rows: Float64Array;
  private readonly rowsOffset: number;
  /** Chunk 0 is groups [0, split), chunk 1 is [split, groups) and the tail; split = groups without chunks. */
  private readonly groups: number;
  private readonly split: number;
  private readonly tail: number;
  private readonly chunked: boolean;
  private readonly control: Int32Array;
  private helper: Helper | null = null;
  private helperWanted: boolean;
  /** Tests: the helper runs chunk 1 of every step (the main thread waits for it). */
  private readonly helperAlways: boolean;
  /** 1/Σe of the π buffer's contents (1 once normalised). */
  private invZ = 1;
  /** Adam's step count. */
  private t = 0;
  /** The schedule of helper use (see PROBE): steps left in the current stage, the stage, the rest
   *  length, the probes' total times (ms) and the last step's start. */
  private stageLeft = 0;
  private stage: "probe-helper" | "probe-alone" | "helper" | "alone" = "alone";
  private rest = PERIOD;
  private helperMs = 0;
  private aloneMs = 0;
  private stepStart = 0;

  /** A fast stepper for `problem`, or null when the WebAssembly kernel is unavailable. */
  static create(problem: Problem, optimizer: OptimizerConfig, options: FastOptions = {}): FastExact | null {
    const V = problem.V;
    const padded = Math.ceil(V / LAYOUT.GROUP) * LAYOUT.GROUP;
    const instance = instantiateKernel(LAYOUT.ARRAYS + ARRAYS.length * padded * 8 + BATCH * ROW_SLOTS * 8);
    return instance ? new FastExact(problem, optimizer, instance, options) : null;
  }

  private constructor(
    readonly problem: Problem,
    /** Read at every step, like the Optimizer that shares it. */
    readonly optimizer: OptimizerConfig,
    instance: KernelInstance,
    options: FastOptions,
  ) {
    const V = problem.V;
    const group = LAYOUT.GROUP;
    const padded = Math.ceil(V / group) * group;
    const bytes = padded * 8;
    const offset = (name: ArrayName) => LAYOUT.ARRAYS + ARRAYS.indexOf(name) * bytes;
    const buffer = instance.buffer; // fixed size: the views stay valid
    const view = (name: ArrayName, length = V) => new Float64Array(buffer, offset(name), length);
    this.instance = instance;
    this.state = new PolicyState(V, { theta: view("theta"), pi: view("e"), grad: view("grad") });
    view("reward").set(problem.reward);
    view("gold").set(problem.gold ?? problem.reward);
    view("ref").set(problem.ref);
    view("logRef").set(problem.logRef);
    this.moments = new Float64Array(buffer, offset("am"), 2 * padded); // m then v
    this.params = new Float64Array(buffer, LAYOUT.PARAMS, INTS / 8);
    const ints = new Int32Array(buffer, LAYOUT.PARAMS + INTS, ARRAYS.length);
    ARRAYS.forEach((name, k) => (ints[k] = offset(name)));
    // the last group's lane masks: all ones for a real token, zero for a pad lane
    const masks = new BigInt64Array(buffer, LAYOUT.MASKS, group);
    this.groups = Math.floor(V / group);
    for (let lane = 0; lane < group; lane++) masks[lane] = this.groups * group + lane < V ? -1n : 0n;
    this.tail = V % group === 0 ? 0 : 1;
    this.chunked = V >= PARALLEL_MIN;
    this.split = this.chunked ? Math.floor(this.groups / 2) : this.groups;
    this.outs = new Float64Array(buffer, LAYOUT.OUT, (2 * LAYOUT.OUT_SLOT) / 8);
    this.control = new Int32Array(buffer, LAYOUT.CONTROL, 16);
    this.stepFunctions = KINDS.map((name) => instance.kernel[name]);
    this.runFunctions = { reverse: instance.kernel.run_reverse_sgd, forward: instance.kernel.run_forward_sgd };
    this.rowsOffset = LAYOUT.ARRAYS + ARRAYS.length * bytes;
    this.rows = new Float64Array(buffer, this.rowsOffset, BATCH * ROW_SLOTS);
    this.helperWanted = this.chunked && (options.threads ?? defaultThreads()) !== false;
    this.helperAlways = options.threads === "always";
  }

  /** Adam's moments and step count back to zero (θ and π are reset by the owner). */
  reset(): void {
    this.moments.fill(0);
    this.t = 0;
    this.invZ = 1;
  }

  /**
   * One exact step from the current evaluated state: θ ← θ + update(∇J), then π and the metrics
   * of the new θ (π left unnormalised until `sync`). Leaves a non-finite max θ in
   * `state.maxTheta` for the caller to report, as the plain path does.
   */
  step(penalty: Penalty, beta: number): void {
    const M = this.setParams(penalty, beta);
    const kind = (penalty === "reverse" ? 0 : 1) + (this.optimizer.kind === "adam" ? 2 : 0);
    const run = this.stepFunctions[kind]!;
    const out0 = LAYOUT.OUT;
    const out = this.outs;
    if (!this.chunked) {
      run(0, this.groups, this.tail, out0);
    } else {
      const out1 = out0 + LAYOUT.OUT_SLOT;
      const helper = this.helperForStep();
      const gen = helper ? helper.offer(kind, this.split, this.groups - this.split, this.tail, out1) : 0;
      run(0, this.split, 0, out0);
      if (!helper || (!this.helperAlways && helper.takeBack(gen))) run(this.split, this.groups - this.split, this.tail, out1);
      else helper.await(gen);
      if (this.helper) this.timeStep(helper !== null);
      // chunk 0's sums + chunk 1's, always in this order
      for (let j = 0; j < 6; j++) out[j] = out[j]! + out[8 + j]!;
      out[6] = Math.max(out[6]!, out[14]!);
    }
    this.finish(M);
  }

  /** Whether run() can be used: SGD on a vocabulary of one chunk. */
  get batchable(): boolean {
    return !this.chunked && this.optimizer.kind === "sgd";
  }

  /**
   * Up to n SGD steps at a fixed β inside the kernel (batchable only), the metrics of each in a
   * row (see `loadRow`). Returns the rows written: fewer than n when a step needs the finish that
   * `step` gives in JavaScript (its max θ jumped, or something is not finite); that step's θ is
   * applied and `finishPending` completes it.
   */
  run(penalty: Penalty, beta: number, n: number): number {
    this.setParams(penalty, beta);
    const done = this.runFunctions[penalty](Math.min(n, BATCH), this.rowsOffset, this.groups, this.tail, LAYOUT.OUT);
    this.invZ = this.params[F.invZ]!;
    if (done > 0) {
      const s = this.state;
      const base = (done - 1) * ROW_SLOTS;
      s.logZ = this.rows[base + ROW.logZ]!;
      s.maxTheta = this.rows[base + ROW.maxTheta]!;
      this.loadRow(done - 1);
    }
    return done;
  }

  /** The state's metrics ← those of row j of the last run(). */
  loadRow(j: number): void {
    const s = this.state;
    const rows = this.rows;
    const base = j * ROW_SLOTS;
    s.reward = rows[base + ROW.reward]!;
    s.goldReward = this.problem.gold ? rows[base + ROW.gold]! : NaN;
    s.reverseKL = rows[base + ROW.reverseKL]!;
    s.forwardKL = rows[base + ROW.forwardKL]!;
    s.entropy = rows[base + ROW.entropy]!;
  }

  /** Completes the step that stopped a run() (see `run`); call after the rows are read. */
  finishPending(): void {
    this.finish(this.params[F.M]!);
  }

  /** Writes the step's parameters; returns the exp shift M (the current max θ). */
  private setParams(penalty: Penalty, beta: number): number {
    const s = this.state;
    const p = this.params;
    const opt = this.optimizer;
    const M = s.maxTheta;
    p[F.invZ] = this.invZ;
    p[F.logZ] = s.logZ;
    // ⟨π, f⟩ of the reverse gradient (see exactGradient); E_π[r] for the forward one
    p[F.mean] = penalty === "reverse" ? s.reward - beta * s.reverseKL : s.reward;
    p[F.beta] = beta;
    p[F.M] = M;
    p[F.rate] = opt.lr;
    if (opt.kind === "adam") {
      this.t++;
      p[F.b1] = opt.beta1;
      p[F.b2] = opt.beta2;
      p[F.eps] = opt.eps;
      p[F.c1] = 1 / (1 - Math.pow(opt.beta1, this.t)); // bias corrections, as Adam.step
      p[F.c2] = 1 / (1 - Math.pow(opt.beta2, this.t));
    }
    return M;
  }

  /** The state's metrics from the kernel's sums (slot 0 of OUT), as evaluatePolicy finishes them. */
  private finish(M: number): void {
    const s = this.state;
    const out = this.outs;
    const max = out[6]!;
    s.maxTheta = max;
    if (!(Math.abs(max - M) <= SHIFT_SLACK)) {
      // θ is no longer finite (the caller reports it), or its max moved so far that the shift M
      // may have lost range: redo pass A with the new max (rare; it leaves π normalised).
      if (Number.isFinite(max)) evaluatePolicy(this.problem, s);
      this.invZ = 1;
      return;
    }
    // shift M instead of max θ: log π = θ − logZ either way
    const z = out[0]!;
    const invZ = 1 / z;
    const logZ = Math.log(z);
    s.logZ = M + logZ;
    s.reward = out[1]! * invZ;
    s.goldReward = this.problem.gold ? out[2]! * invZ : NaN;
    s.reverseKL = out[4]! * invZ - logZ;
    s.forwardKL = out[5]! + logZ;
    s.entropy = logZ - out[3]! * invZ;
    this.invZ = invZ;
  }

  /** π ← e·invZ: the π buffer holds the normalised policy again. Call after a batch of steps. */
  sync(): void {
    const invZ = this.invZ;
    if (invZ === 1) return;
    const pi = this.state.pi;
    for (let i = 0; i < pi.length; i++) pi[i] = pi[i]! * invZ;
    this.invZ = 1;
  }

  /** Whether a helper thread is taking part (it starts at the first step of a large vocabulary). */
  get threaded(): boolean {
    return this.helper !== null && this.helper.alive;
  }

  /** The helper to use for this step, or null: started on first use, then on the PROBE schedule. */
  private helperForStep(): Helper | null {
    if (!this.helper) {
      if (!this.helperWanted) return null;
      this.helperWanted = false;
      try {
        this.helper = new Helper(this.instance, this.control, KINDS);
      } catch {
        return null;
      }
    }
    if (!this.helper.alive) return null;
    if (this.helperAlways) return this.helper;
    if (this.stageLeft === 0) this.nextStage();
    this.stageLeft--;
    this.stepStart = performance.now();
    return this.stage === "probe-helper" || this.stage === "helper" ? this.helper : null;
  }

  /** Books the step's time to its stage; ends a helper stage that went badly. */
  private timeStep(withHelper: boolean): void {
    const ms = performance.now() - this.stepStart;
    if (this.stage === "probe-helper") this.helperMs += ms;
    else if (this.stage === "probe-alone") this.aloneMs += ms;
    else if (withHelper && ms > (3 * this.aloneMs) / PROBE) {
      this.stage = "alone"; // descheduled helper: alone for the rest of this turn
      this.rest = Math.min(2 * this.rest, MAX_REST);
    }
  }

  private nextStage(): void {
    switch (this.stage) {
      case "probe-helper":
        this.stage = "probe-alone";
        this.stageLeft = PROBE;
        return;
      case "probe-alone": {
        const helps = this.helperMs < 0.9 * this.aloneMs;
        this.rest = helps ? PERIOD : Math.min(2 * this.rest, MAX_REST);
        this.stage = helps ? "helper" : "alone";
        this.stageLeft = this.rest;
        return;
      }
      default:
        this.stage = "probe-helper";
        this.stageLeft = PROBE;
        this.helperMs = 0;
        this.aloneMs = 0;
    }
  }
}

/** A helper thread by default only on the main thread (not in sweep's workers), and only when a
 *  core is idle: with every core busy it would just take turns with this one. KLSIM_THREADS=1
 *  never starts one, KLSIM_THREADS=2 starts one whatever the load (the timing still decides). */
function defaultThreads(): boolean {
  const setting = process.env.KLSIM_THREADS;
  if (setting === "1") return false;
  const cores = availableParallelism();
  if (cores < 2 || !workerThreads().isMainThread) return false;
  return setting === "2" || loadavg()[0]! <= cores - 1;
}
