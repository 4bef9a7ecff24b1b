/**
 * The fast exact-mode stepper for the softmax family: gradient, optimiser and softmax-with-metrics
 * fused into one pass over the vocabulary per step, in the native kernel (native.ts: AVX-512/AVX2
 * registers with FMA) or the WebAssembly SIMD one (kernel-wat.mjs), SGD and Adam in both. It computes
 * what the plain ExactStepper computes with the SoftmaxFamily (src/core/steppers/exact.ts,
 * src/core/families/softmax.ts, src/core/optimizers.ts: the readable reference), to rounding;
 * test/engine/fast.test.ts holds it to 1e-12. The kernels take the penalties of contract.mjs
 * KERNEL_PENALTIES; the Simulation gives every other penalty to the plain stepper, which works on the
 * same state (this stepper's `family` and `optimizer`), so a run can switch between them.
 *
 * The family's buffers (θ, π, ∇J) and Adam's moments live in the kernel's memory. Between steps the
 * π buffer holds e = exp(θ − M) and the stepper keeps invZ = 1/Σe; `policy()` and `release()` (when
 * the plain stepper takes over) normalise π again
 * (π = e·invZ, the same product evaluatePolicy takes), so any evaluated state — this stepper's or
 * the plain one's — is a valid start for the next step.
 *
 * From PARALLEL_MIN tokens on, the vocabulary is cut in two chunks whose sums are added in a fixed
 * order; a helper thread (the native kernel's own, or a worker: helper.ts) runs the second chunk
 * when it can. The results are the same whether or not it does, so they never depend on the
 * machine's load or cores.
 */
import type { Divergence } from "../core/divergence.js";
import { evaluatePolicy, SoftmaxFamily } from "../core/families/softmax.js";
import { emptyMetricRow, METRIC } from "../core/metric-row.js";
import { createOptimizer, type Adam, type Optimizer, type OptimizerConfig } from "../core/optimizers.js";
import type { Problem } from "../core/problem.js";
import type { Stepper } from "../core/stepper.js";
import {
  ARRAYS,
  BATCH,
  BIAS,
  chunkSplit,
  F64_PARAMS,
  GROUP,
  KERNEL_OPTIMIZERS,
  KERNEL_PENALTIES,
  LAYOUT,
  PARALLEL_MIN,
  ROW,
  SHIFT_SLACK,
  STEP_FUNCTIONS,
  stepKind,
  SUMS,
} from "./contract.mjs";
import { Helper } from "./helper.js";
import { fastKernelName, nativeExp, nativeKernel, nativePasses, ROW_SLOTS, type NativeKernel } from "./native.js";
import type { VectorExp } from "../core/distributions.js";
import { type OptimumPasses, PLAIN_PASSES } from "../core/optimum-passes.js";
import { HelperSchedule } from "./schedule.js";
import { defaultThreads } from "./threads.js";
import { instantiateKernel, kernelMemory, type KernelInstance, type RunFunction, type StepFunction } from "./wasm.js";

type ArrayName = (typeof ARRAYS)[number];
/** Slot indices of the parameter block, the result slot and a row (contract.mjs). */
const P = Object.fromEntries(F64_PARAMS.map((name, i) => [name, i])) as Record<(typeof F64_PARAMS)[number], number>;
const S = Object.fromEntries(SUMS.map((name, i) => [name, i])) as Record<(typeof SUMS)[number], number>;
export const R = Object.fromEntries(ROW.map((name, i) => [name, i])) as Record<(typeof ROW)[number], number>;
export { BATCH, PARALLEL_MIN, ROW_SLOTS };

/** The kernels' penalty code of an entry (its index in KERNEL_PENALTIES), or −1: the kernels declare what they take. */
export function kernelPenalty(penalty: Divergence): number {
  return KERNEL_PENALTIES.findIndex((p) => p.name === penalty.name);
}

/** The row slot holding the penalty's value, by kernel penalty code. */
export const PENALTY_SLOT = KERNEL_PENALTIES.map((p) => R[p.kl]);

/** out ← the metric row (METRIC order) of a kernel row (contract.mjs ROW) at rows[base …]; NaN for what a kernel does not compute. */
export function metricsOfKernelRow(rows: Float64Array, base: number, hasGold: boolean, penaltySlot: number, out: Float64Array): void {
  out[METRIC.reward] = rows[base + R.reward]!;
  out[METRIC.gold_reward] = hasGold ? rows[base + R.gold]! : Number.NaN;
  out[METRIC.forward_kl] = rows[base + R.forwardKL]!;
  out[METRIC.reverse_kl] = rows[base + R.reverseKL]!;
  out[METRIC.entropy] = rows[base + R.entropy]!;
  out[METRIC.penalty_value] = rows[base + penaltySlot]!;
  out[METRIC.kl_estimate] = Number.NaN;
  out[METRIC.mean_length] = Number.NaN;
  out[METRIC.token_mean_kl] = Number.NaN;
}

/** Counts n steps on Adam (its tick(): the plain path's bias corrections) and writes each step's corrections to `bias` (contract.mjs BIAS). */
export function tickInto(adam: Adam, n: number, bias: Float64Array): void {
  for (let k = 0; k < n; k++) {
    adam.tick();
    bias[k * BIAS.length] = adam.c1;
    bias[k * BIAS.length + 1] = adam.c2;
  }
}

export interface FastOptions {
  /** Let a helper thread take half of a large vocabulary (default: threads.ts defaultThreads). "always":
   *  the helper runs every second chunk and the main thread waits for it (for tests). */
  threads?: boolean | "always";
  /** Use the native kernel when it is built (default true). */
  native?: boolean;
}

export class FastStepper implements Stepper {
  /** The model whose state the kernels step (θ, π and ∇J are views of the kernel's memory). */
  readonly family: SoftmaxFamily;
  /** The optimiser whose state the kernels share (Adam's moments in the kernel's memory). */
  readonly optimizer: Optimizer;
  readonly samplesPerStep = 1;
  readonly maxSteps = BATCH;
  readonly metrics: readonly number[];
  /** The WebAssembly kernel; null when the native kernel takes every step: then it is never compiled. */
  private readonly instance: KernelInstance | null;
  private readonly params: Float64Array;
  private readonly outs: Float64Array;
  private readonly stepFunctions: StepFunction[];
  /** The batched runs, by stepKind (run_<penalty>_<optimizer>). */
  private readonly runFunctions: RunFunction[];
  /** The optimiser's kernel code (contract.mjs KERNEL_OPTIMIZERS). */
  private readonly optimizerCode: number;
  /** The optimiser when it is Adam: a batched run takes its bias corrections from `bias`. */
  private readonly adam: Adam | null;
  /** Adam's bias corrections for each step of a batched run (contract.mjs BIAS), and their byte offset. */
  private readonly bias: Float64Array;
  private readonly biasOffset: number;
  /** The metrics of each step of the last advance(), ROW_SLOTS per step (contract.mjs ROW). */
  private readonly rows: Float64Array;
  private readonly rowsOffset: number;
  /** The last advance's penalty, its kernel code and the row slot of its value. */
  private penalty: Divergence | null = null;
  private code = 0;
  private penaltySlot: number = R.reverseKL;
  private readonly current = emptyMetricRow();
  /** Chunk 0 is groups [0, split), chunk 1 is [split, groups) and the tail; split = groups without chunks. */
  private readonly groups: number;
  private readonly split: number;
  private readonly tail: number;
  private readonly chunked: boolean;
  private readonly control: Int32Array;
  private helper: Helper | null = null;
  private helperWanted: boolean;
  /** Tests: the helper runs chunk 1 of every step (the main thread waits for it, whatever the load). */
  private readonly helperAlways: boolean;
  /** The native kernel, its view of the memory, and whether its helper thread may run. */
  private readonly native: NativeKernel | null;
  /** The native kernel's exp, for the closed-form optimum (Stepper.exp). */
  readonly exp: VectorExp | undefined;
  /** The native kernel's other passes of the optimum and its metrics (Stepper.passes). */
  readonly passes: OptimumPasses | undefined;
  private readonly bytes: Uint8Array;
  private readonly nativeHelper: boolean;
  /** Chunks the native kernel's helper thread has run for this stepper (its own count is per thread). */
  private nativeChunks = 0;
  /** When a helper (either kind) takes part. */
  private readonly schedule = new HelperSchedule();
  /** 1/Σe of the π buffer's contents (1 once normalised). */
  private invZ = 1;
  /** The start of the current step on the worker helper's schedule. */
  private stepStart = 0;

  /** A fast stepper for `problem`, or null when no kernel takes this optimiser here. */
  static create(problem: Problem, optimizer: OptimizerConfig, options: FastOptions = {}): FastStepper | null {
    if (!(KERNEL_OPTIMIZERS as readonly string[]).includes(optimizer.kind)) return null;
    const V = problem.V;
    const padded = Math.ceil(V / GROUP) * GROUP;
    const bytes = LAYOUT.ARRAYS + ARRAYS.length * padded * 8 + BATCH * (ROW_SLOTS + BIAS.length) * 8;
    const native = options.native === false ? null : nativeKernel();
    const instance = native ? null : instantiateKernel(bytes);
    const memory = native ? kernelMemory(bytes) : instance;
    return memory ? new FastStepper(problem, optimizer, memory.buffer, instance, native, options) : null;
  }

  private constructor(
    readonly problem: Problem,
    optimizerConfig: OptimizerConfig,
    buffer: SharedArrayBuffer,
    instance: KernelInstance | null,
    native: NativeKernel | null,
    options: FastOptions,
  ) {
    const V = problem.V;
    const padded = Math.ceil(V / GROUP) * GROUP;
    const bytes = padded * 8;
    const offset = (name: ArrayName) => LAYOUT.ARRAYS + ARRAYS.indexOf(name) * bytes;
    // the buffer has a fixed size: the views stay valid
    const view = (name: ArrayName, length = V) => new Float64Array(buffer, offset(name), length);
    this.instance = instance;
    this.family = new SoftmaxFamily(problem, { theta: view("theta"), pi: view("e"), grad: view("grad") });
    this.optimizer = createOptimizer(optimizerConfig, V, { m: view("am"), v: view("av") });
    this.optimizerCode = (KERNEL_OPTIMIZERS as readonly string[]).indexOf(optimizerConfig.kind);
    this.adam = optimizerConfig.kind === "adam" ? (this.optimizer as Adam) : null;
    this.metrics = this.family.metrics;
    view("reward").set(problem.reward);
    view("gold").set(problem.gold ?? problem.reward);
    view("ref").set(problem.ref);
    view("logRef").set(problem.logRef);
    this.params = new Float64Array(buffer, LAYOUT.PARAMS, LAYOUT.INTS / 8);
    const ints = new Int32Array(buffer, LAYOUT.PARAMS + LAYOUT.INTS, ARRAYS.length);
    ARRAYS.forEach((name, k) => {
      ints[k] = offset(name);
    });
    // the last group's lane masks: all ones for a real token, zero for a pad lane
    const masks = new BigInt64Array(buffer, LAYOUT.MASKS, GROUP);
    this.groups = Math.floor(V / GROUP);
    for (let lane = 0; lane < GROUP; lane++) masks[lane] = this.groups * GROUP + lane < V ? -1n : 0n;
    this.tail = V % GROUP === 0 ? 0 : 1;
    this.chunked = V >= PARALLEL_MIN;
    this.split = chunkSplit(V);
    this.outs = new Float64Array(buffer, LAYOUT.OUT, (2 * LAYOUT.OUT_SLOT) / 8);
    this.control = new Int32Array(buffer, LAYOUT.CONTROL, 16);
    this.stepFunctions = instance ? STEP_FUNCTIONS.map((name) => instance.kernel[name as `step_${string}`]!) : [];
    this.runFunctions = instance ? STEP_FUNCTIONS.map((name) => instance.kernel[name.replace(/^step_/, "run_") as `run_${string}`]!) : [];
    this.rowsOffset = LAYOUT.ARRAYS + ARRAYS.length * bytes;
    this.rows = new Float64Array(buffer, this.rowsOffset, BATCH * ROW_SLOTS);
    this.biasOffset = this.rowsOffset + BATCH * ROW_SLOTS * 8;
    this.bias = new Float64Array(buffer, this.biasOffset, BATCH * BIAS.length);
    this.native = native;
    this.exp = native ? nativeExp(native) : undefined;
    this.passes = native ? nativePasses(native) : undefined;
    this.bytes = new Uint8Array(buffer);
    const threads = this.chunked && (options.threads ?? defaultThreads()) !== false;
    this.nativeHelper = threads && this.native?.threads === true;
    this.helperWanted = threads && this.native === null;
    this.helperAlways = options.threads === "always";
  }

  /** The kernel that runs the steps: "native-avx512" (or -avx2, -neon), "wasm-simd". */
  get kernel(): string {
    return fastKernelName(this.native);
  }

  /** Whether a helper thread has taken part (it starts at the first step of a large vocabulary). */
  get threaded(): boolean {
    return this.helperChunks > 0;
  }

  /** Chunks of the vocabulary a helper thread has run for this stepper. */
  get helperChunks(): number {
    return this.native ? this.nativeChunks : (this.helper?.jobs ?? 0);
  }

  /** Steps a batched kernel run handed back to be finished here (its max θ jumped far, or a value was not finite). */
  handedBack = 0;

  supports(penalty: Divergence): boolean {
    return kernelPenalty(penalty) >= 0;
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.family.reset();
    this.invZ = 1;
    this.family.evaluate(penalty, this.current);
  }

  /** The state is evaluated: by this stepper's last step (π may still wait for `sync`), or normalised by the plain stepper's. */
  refresh(penalty: Divergence): void {
    this.family.fillRow(penalty, this.current);
  }

  advance(penalty: Divergence, beta: number, n: number): number {
    if (penalty !== this.penalty) {
      this.penalty = penalty;
      this.code = kernelPenalty(penalty);
      this.penaltySlot = PENALTY_SLOT[this.code]!;
    }
    const code = this.code;
    const done = this.batchable ? this.runSteps(code, beta, n) : this.singleSteps(code, beta, n);
    this.readRow(done - 1, this.current);
    return done;
  }

  readRow(j: number, out: Float64Array): void {
    metricsOfKernelRow(this.rows, j * ROW_SLOTS, this.problem.gold !== null, this.penaltySlot, out);
  }

  readCurrent(out: Float64Array): void {
    out.set(this.current);
  }

  failure(): string | null {
    return this.family.failure();
  }

  /** π normalised again, for the plain stepper that takes over the state. */
  release(): void {
    this.sync();
  }

  policy(): Float64Array {
    this.sync();
    return this.family.tokenProbabilities();
  }

  /** Whether the batched run can be used: on one chunk of vocabulary unless the native kernel is there. */
  private get batchable(): boolean {
    return this.native !== null || !this.chunked;
  }

  /**
   * Up to n steps at a fixed β inside the kernel, a row each. A step the kernel hands back (its
   * max θ jumped, or a value is not finite) is finished here and given a row too; a non-finite one
   * ends the steps.
   */
  private runSteps(code: number, beta: number, n: number): number {
    let done = 0;
    while (done < n) {
      this.setParams(code, beta, false);
      const want = n - done;
      const t0 = this.tickAhead(want);
      const ran = this.native
        ? this.runNative(code, want, done)
        : this.runFunctions[stepKind(code, this.optimizerCode)]!(
            want,
            this.rowsOffset + done * ROW_SLOTS * 8,
            this.groups,
            this.tail,
            LAYOUT.OUT,
            this.biasOffset,
          );
      this.invZ = this.params[P.invZ]!;
      if (ran > 0) this.loadRow(done + ran - 1);
      done += ran;
      if (ran === want) break;
      this.tickBack(t0, ran + 1); // the handed-back step was taken (θ and the moments updated)
      // the kernel handed this step back: finish it here
      this.handedBack++;
      this.finish(this.params[P.M]!);
      this.writeRow(done);
      done++;
      if (!this.rowFinite(done - 1, beta)) break;
    }
    return done;
  }

  /** n steps one kernel call each (the WebAssembly kernel over two chunks); a non-finite one ends them. */
  private singleSteps(code: number, beta: number, n: number): number {
    for (let k = 0; k < n; k++) {
      this.step(code, beta);
      this.writeRow(k);
      if (!this.rowFinite(k, beta)) return k + 1;
    }
    return n;
  }

  /** Whether row j's metrics, θ and objective are all finite (the kernels' own stopping rule). */
  private rowFinite(j: number, beta: number): boolean {
    const rows = this.rows;
    const b = j * ROW_SLOTS;
    const kl = rows[b + this.penaltySlot]!;
    return (
      Number.isFinite(rows[b + R.maxTheta]!) &&
      Number.isFinite(rows[b + R.reward]!) &&
      Number.isFinite(rows[b + R.gold]!) &&
      Number.isFinite(rows[b + R.reverseKL]!) &&
      Number.isFinite(rows[b + R.forwardKL]!) &&
      Number.isFinite(rows[b + R.entropy]!) &&
      Number.isFinite(rows[b + R.reward]! - beta * (kl < 0 ? 0 : kl))
    );
  }

  /** Row j ← the state's metrics (the kernel's run writes its own rows; this is for the steps finished here). */
  private writeRow(j: number): void {
    const s = this.family.state;
    const rows = this.rows;
    const b = j * ROW_SLOTS;
    rows[b + R.reward] = s.reward;
    rows[b + R.gold] = this.problem.gold ? s.goldReward : s.reward;
    rows[b + R.reverseKL] = s.reverseKL;
    rows[b + R.forwardKL] = s.forwardKL;
    rows[b + R.entropy] = s.entropy;
    rows[b + R.logZ] = s.logZ;
    rows[b + R.maxTheta] = s.maxTheta;
    rows[b + R.invZ] = this.invZ;
  }

  /**
   * One exact step from the current evaluated state: θ ← θ + update(∇J), then π and the metrics
   * of the new θ (π left unnormalised until `sync`). Leaves a non-finite max θ in
   * `state.maxTheta` for the caller to report, as the plain path does.
   */
  private step(code: number, beta: number): void {
    const M = this.setParams(code, beta);
    const kind = stepKind(code, this.optimizerCode);
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
      else helper.await(gen, this.helperAlways);
      if (this.helper && !this.helperAlways) this.schedule.book(1, performance.now() - this.stepStart, helper !== null);
      // chunk 0's sums + chunk 1's, always in this order
      const slot = LAYOUT.OUT_SLOT / 8;
      for (let j = 0; j < S.max; j++) out[j] = out[j]! + out[slot + j]!;
      out[S.max] = Math.max(out[S.max]!, out[slot + S.max]!);
    }
    this.finish(M);
  }

  /**
   * Adam: counts the next `n` steps on the optimiser (its tick(): the plain path's bias corrections)
   * and writes their corrections to the bias table for a batched run; returns the step count before.
   */
  private tickAhead(n: number): number {
    const adam = this.adam;
    if (!adam) return 0;
    const t0 = adam.t;
    tickInto(adam, n, this.bias);
    return t0;
  }

  /** Adam: the run stopped after `taken` of the steps tickAhead counted from t0; the optimiser's count follows. */
  private tickBack(t0: number, taken: number): void {
    const adam = this.adam;
    if (!adam) return;
    adam.t = t0 + taken;
    adam.c1 = this.bias[(taken - 1) * BIAS.length]!;
    adam.c2 = this.bias[(taken - 1) * BIAS.length + 1]!;
  }

  /** The native kernel's batched steps, in turns of the helper's schedule, rows from row `at`; returns the rows written. */
  private runNative(code: number, want: number, at: number): number {
    const native = this.native!;
    const gold = this.problem.gold ? 1 : 0;
    const opt = this.optimizerCode;
    const rows = this.rowsOffset + at * ROW_SLOTS * 8;
    const bias = this.biasOffset;
    const { bytes, groups, split, tail } = this;
    if (!this.nativeHelper) return native.run(bytes, code, gold, opt, want, rows, bias, groups, split, tail, LAYOUT.OUT, 0);
    if (this.helperAlways) return this.countingHelper(() => native.run(bytes, code, gold, opt, want, rows, bias, groups, split, tail, LAYOUT.OUT, 2));
    let done = 0;
    while (done < want) {
      const helper = this.schedule.useHelper();
      const steps = Math.min(want - done, this.schedule.stepsLeft);
      const t0 = performance.now();
      const at = rows + done * ROW_SLOTS * 8;
      const biasAt = bias + done * BIAS.length * 8;
      const run = (h: number) => native.run(bytes, code, gold, opt, steps, at, biasAt, groups, split, tail, LAYOUT.OUT, h);
      const ran = helper ? this.countingHelper(() => run(1)) : run(0);
      this.schedule.book(Math.max(ran, 1), performance.now() - t0, helper);
      done += ran;
      if (ran < steps) break; // a step to finish in JavaScript
    }
    return done;
  }

  /** A native run with the helper, its chunks counted for this stepper. */
  private countingHelper(run: () => number): number {
    const before = this.native!.helperJobs();
    const ran = run();
    this.nativeChunks += this.native!.helperJobs() - before;
    return ran;
  }

  /** The state ← row j of a kernel run: its metrics and the next step's shift. */
  private loadRow(j: number): void {
    const s = this.family.state;
    const rows = this.rows;
    const b = j * ROW_SLOTS;
    s.reward = rows[b + R.reward]!;
    s.goldReward = this.problem.gold ? rows[b + R.gold]! : Number.NaN;
    s.reverseKL = rows[b + R.reverseKL]!;
    s.forwardKL = rows[b + R.forwardKL]!;
    s.entropy = rows[b + R.entropy]!;
    s.logZ = rows[b + R.logZ]!;
    this.family.updated(rows[b + R.maxTheta]!);
  }

  /** Writes the step's parameters (`tick`: count an Adam step, whose corrections a single step reads here); returns the exp shift M (the current max θ). */
  private setParams(code: number, beta: number, tick = true): number {
    const s = this.family.state;
    const p = this.params;
    const optimizer = this.optimizer;
    const M = s.maxTheta;
    p[P.invZ] = this.invZ;
    p[P.logZ] = s.logZ;
    // ⟨π, f⟩ of the reverse gradient (see kernel-wat.mjs PENALTY_FORMULAS); E_π[r] for the forward one
    p[P.mean] = KERNEL_PENALTIES[code]!.mean(s.reward, beta, s.reverseKL);
    p[P.beta] = beta;
    p[P.M] = M;
    p[P.rate] = optimizer.config.lr;
    if (optimizer.config.kind === "adam") {
      const adam = optimizer as Adam;
      if (tick) adam.tick(); // the step count and bias corrections are the optimiser's, shared with the plain path
      p[P.b1] = adam.config.beta1;
      p[P.b2] = adam.config.beta2;
      p[P.eps] = adam.config.eps;
      p[P.c1] = adam.c1;
      p[P.c2] = adam.c2;
    }
    return M;
  }

  /** The state's metrics from the kernel's sums (slot 0 of OUT), as evaluatePolicy finishes them. */
  private finish(M: number): void {
    const s = this.family.state;
    const out = this.outs;
    const max = out[S.max]!;
    this.family.updated(max);
    if (!(Math.abs(max - M) <= SHIFT_SLACK)) {
      // θ is no longer finite (the caller reports it), or its max moved so far that the shift M
      // may have lost range: redo pass A with the new max (rare; it leaves π normalised).
      if (Number.isFinite(max)) evaluatePolicy(this.problem, s);
      this.invZ = 1;
      return;
    }
    // shift M instead of max θ: log π = θ − logZ either way
    const z = out[S.z]!;
    const invZ = 1 / z;
    const logZ = Math.log(z);
    s.logZ = M + logZ;
    s.reward = out[S.r]! * invZ;
    s.goldReward = this.problem.gold ? out[S.g]! * invZ : Number.NaN;
    s.reverseKL = out[S.lr]! * invZ - logZ;
    s.forwardKL = out[S.ref]! + logZ;
    s.entropy = logZ - out[S.s]! * invZ;
    this.invZ = invZ;
  }

  /** π ← e·invZ: the π buffer holds the normalised policy again. */
  private sync(): void {
    const invZ = this.invZ;
    if (invZ === 1) return;
    // π ← e·invZ, one product a token: the native kernel's pass where there is one (the same bits;
    // a sweep reads π once a β: ~60 → ~10 µs at V = 65 536)
    (this.passes ?? PLAIN_PASSES).normalize(this.family.state.pi, invZ, null, 0);
    this.invZ = 1;
  }

  /** The worker helper to use for this step, or null: started on first use, then on the schedule. */
  private helperForStep(): Helper | null {
    if (!this.helper) {
      if (!this.helperWanted) return null;
      this.helperWanted = false;
      try {
        this.helper = new Helper(this.instance!, this.control, STEP_FUNCTIONS);
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
