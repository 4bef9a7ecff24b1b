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
 * SGD steps go to the native kernel when it is built (native.ts: the same steps on the same memory
 * in AVX-512/AVX2 registers with FMA); Adam, and every step without it, to the WebAssembly one.
 *
 * From PARALLEL_MIN tokens on, the vocabulary is cut in two chunks whose sums are added in a fixed
 * order; a helper thread (the native kernel's own, or a worker: helper.ts) runs the second chunk
 * when it can. The results are the same whether or not it does, so they never depend on the
 * machine's load or cores.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import type { Penalty } from "../objective.js";
import type { OptimizerConfig } from "../optimizers.js";
import { evaluatePolicy, PolicyState, type Problem } from "../policy.js";
import { Helper, workerThreads } from "./helper.js";
import { fastKernelName, nativeKernel, ROW_SLOTS, type NativeKernel } from "./native.js";
import { HelperSchedule } from "./schedule.js";
import { instantiateKernel, kernelMemory, LAYOUT, type KernelInstance, type RunFunction, type StepFunction } from "./wasm.js";

/** The fused step's exp shift is the previous max θ; if the max moves further than this (nats) in
 *  one step, Σe could lose range, so the step's pass A is redone with the new max (plain TS). */
const SHIFT_SLACK = 32;

/** Vocabularies this large are split in two chunks, and a helper thread may take the second. */
export const PARALLEL_MIN = 2048;

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
export const ROW = { reward: 0, gold: 1, reverseKL: 2, forwardKL: 3, entropy: 4, logZ: 5, maxTheta: 6, invZ: 7 } as const;
export { ROW_SLOTS };

export interface FastOptions {
  /** Let a helper thread take half of a large vocabulary (default: see defaultThreads). "always":
   *  the helper runs every second chunk and the main thread waits for it (for tests). */
  threads?: boolean | "always";
  /** Use the native kernel for SGD steps when it is built (default true). */
  native?: boolean;
}

export class FastExact {
  /** θ, π and ∇J are views of the kernel's memory. */
  readonly state: PolicyState;
  /** The WebAssembly kernel; null when the native kernel takes every step (SGD): then it is never compiled. */
  private readonly instance: KernelInstance | null;
  private readonly params: Float64Array;
  private readonly outs: Float64Array;
  private readonly moments: Float64Array;
  private readonly stepFunctions: StepFunction[];
  private readonly runFunctions: Record<Penalty, RunFunction> | null;
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
  /** The native kernel (SGD steps), its view of the memory, and whether its helper thread may run. */
  private readonly native: NativeKernel | null;
  private readonly bytes: Uint8Array;
  private readonly nativeHelper: boolean;
  /** The native helper's job count when this stepper was made (the count is per thread, not per stepper). */
  private readonly nativeJobsBefore: number;
  /** When a helper (either kind) takes part. */
  private readonly schedule = new HelperSchedule();
  /** 1/Σe of the π buffer's contents (1 once normalised). */
  private invZ = 1;
  /** Adam's step count. */
  private t = 0;
  /** The start of the current step on the worker helper's schedule. */
  private stepStart = 0;

  /** A fast stepper for `problem`, or null when neither kernel is available. */
  static create(problem: Problem, optimizer: OptimizerConfig, options: FastOptions = {}): FastExact | null {
    const V = problem.V;
    const padded = Math.ceil(V / LAYOUT.GROUP) * LAYOUT.GROUP;
    const bytes = LAYOUT.ARRAYS + ARRAYS.length * padded * 8 + BATCH * ROW_SLOTS * 8;
    const native = options.native === false || optimizer.kind !== "sgd" ? null : nativeKernel();
    const instance = native ? null : instantiateKernel(bytes);
    const memory = native ? kernelMemory(bytes) : instance;
    return memory ? new FastExact(problem, optimizer, memory.buffer, instance, native, options) : null;
  }

  private constructor(
    readonly problem: Problem,
    /** Read at every step, like the Optimizer that shares it. */
    readonly optimizer: OptimizerConfig,
    buffer: SharedArrayBuffer,
    instance: KernelInstance | null,
    native: NativeKernel | null,
    options: FastOptions,
  ) {
    const V = problem.V;
    const group = LAYOUT.GROUP;
    const padded = Math.ceil(V / group) * group;
    const bytes = padded * 8;
    const offset = (name: ArrayName) => LAYOUT.ARRAYS + ARRAYS.indexOf(name) * bytes;
    // the buffer has a fixed size: the views stay valid
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
    this.stepFunctions = instance ? KINDS.map((name) => instance.kernel[name]) : [];
    this.runFunctions = instance ? { reverse: instance.kernel.run_reverse_sgd, forward: instance.kernel.run_forward_sgd } : null;
    this.rowsOffset = LAYOUT.ARRAYS + ARRAYS.length * bytes;
    this.rows = new Float64Array(buffer, this.rowsOffset, BATCH * ROW_SLOTS);
    this.native = native;
    this.bytes = new Uint8Array(buffer);
    const threads = this.chunked && (options.threads ?? defaultThreads()) !== false;
    this.nativeHelper = threads && this.native?.threads === true;
    this.nativeJobsBefore = native?.helperJobs() ?? 0;
    this.helperWanted = threads && this.native === null;
    this.helperAlways = options.threads === "always";
  }

  /** The kernel that runs the steps: "native-avx512" (or -avx2, -neon), "wasm-simd". */
  get kernel(): string {
    return fastKernelName(this.native);
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
    if (this.native) {
      if (this.run(penalty, beta, 1) === 0) this.finishPending();
      return;
    }
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
      if (this.helper && !this.helperAlways) this.schedule.book(1, performance.now() - this.stepStart, helper !== null);
      // chunk 0's sums + chunk 1's, always in this order
      for (let j = 0; j < 6; j++) out[j] = out[j]! + out[8 + j]!;
      out[6] = Math.max(out[6]!, out[14]!);
    }
    this.finish(M);
  }

  /** Whether run() can be used: SGD, on one chunk of vocabulary unless the native kernel is there. */
  get batchable(): boolean {
    return this.optimizer.kind === "sgd" && (this.native !== null || !this.chunked);
  }

  /**
   * Up to n SGD steps at a fixed β inside the kernel (batchable only), the metrics of each in a
   * row (see `loadRow`). Returns the rows written: fewer than n when a step needs the finish that
   * `step` gives in JavaScript (its max θ jumped, or something is not finite); that step's θ is
   * applied and `finishPending` completes it.
   */
  run(penalty: Penalty, beta: number, n: number): number {
    this.setParams(penalty, beta);
    const want = Math.min(n, BATCH);
    const done = this.native ? this.runNative(penalty, want) : this.runFunctions![penalty](want, this.rowsOffset, this.groups, this.tail, LAYOUT.OUT);
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

  /** run() on the native kernel, in turns of the helper's schedule; returns the rows written. */
  private runNative(penalty: Penalty, want: number): number {
    const native = this.native!;
    const forward = penalty === "forward" ? 1 : 0;
    const gold = this.problem.gold ? 1 : 0;
    if (!this.nativeHelper || this.helperAlways) {
      return native.run(this.bytes, forward, gold, want, this.rowsOffset, this.groups, this.split, this.tail, LAYOUT.OUT, this.helperAlways ? 1 : 0);
    }
    let done = 0;
    while (done < want) {
      const helper = this.schedule.useHelper();
      const steps = Math.min(want - done, this.schedule.stepsLeft);
      const t0 = performance.now();
      const rows = native.run(
        this.bytes,
        forward,
        gold,
        steps,
        this.rowsOffset + done * ROW_SLOTS * 8,
        this.groups,
        this.split,
        this.tail,
        LAYOUT.OUT,
        helper ? 1 : 0,
      );
      this.schedule.book(Math.max(rows, 1), performance.now() - t0, helper);
      done += rows;
      if (rows < steps) break; // a step to finish in JavaScript
    }
    return done;
  }

  /** The metrics of each step of the last run(): ROW_SLOTS per step, in ROW order (the gold slot
   *  holds the reward's when there is no gold reward). Reused by the next run(). */
  get rowData(): Float64Array {
    return this.rows;
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
    if (this.native) return this.native.helperJobs() > this.nativeJobsBefore;
    return this.helper?.alive === true;
  }

  /** The worker helper to use for this step, or null: started on first use, then on the schedule. */
  private helperForStep(): Helper | null {
    if (!this.helper) {
      if (!this.helperWanted) return null;
      this.helperWanted = false;
      try {
        this.helper = new Helper(this.instance!, this.control, KINDS);
      } catch {
        return null;
      }
    }
    if (!this.helper.alive) return null;
    if (this.helperAlways) return this.helper;
    this.stepStart = performance.now();
    return this.schedule.useHelper() ? this.helper : null;
  }
}

/** A helper thread by default only on the main thread (not in sweep's workers), and only when a
 *  core is idle: with every core busy it would just take turns with this one. Idle means the
 *  1-minute load average leaves a core, or (Linux) no more than cores − 1 tasks are runnable right
 *  now, this one included: the average lags, and a run started just after another program (a
 *  numpy loop, the previous run) would otherwise go without the helper for a minute. The timing
 *  still decides whether it pays. KLSIM_THREADS=1 never starts one, KLSIM_THREADS=2 starts one
 *  whatever the load. */
function defaultThreads(): boolean {
  const setting = process.env.KLSIM_THREADS;
  if (setting === "1") return false;
  const cores = availableParallelism();
  if (cores < 2 || !workerThreads().isMainThread) return false;
  return setting === "2" || loadavg()[0]! <= cores - 1 || runnableNow() <= cores - 1;
}

/** Tasks runnable at this instant (Linux), or Infinity if unknown. */
function runnableNow(): number {
  try {
    return runnableIn(readFileSync("/proc/loadavg", "latin1"));
  } catch {
    return Infinity; // not Linux
  }
}

/** The running count of /proc/loadavg's fourth field ("0.89 1.01 1.08 1/85 16151" → 1), or Infinity. */
export function runnableIn(loadavgText: string): number {
  const running = /^\S+ \S+ \S+ (\d+)\/\d+ /.exec(loadavgText)?.[1];
  return running === undefined ? Infinity : Number(running);
}
