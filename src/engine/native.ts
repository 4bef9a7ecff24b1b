/**
 * Loads the optional native kernel (native/kernel.c, compiled by scripts/build-native.mjs to
 * kernel.node next to the built native.js): the WebAssembly kernel's batched SGD and Adam steps on the same
 * memory, in AVX-512/AVX2/NEON registers with FMA, and a helper thread of its own for large
 * vocabularies. Anything missing (no C compiler at install, a CPU without FMA, another platform,
 * KLSIM_ENGINE=wasm or plain) gives null, and fast-stepper.ts uses the WebAssembly kernel alone.
 */
import { createRequire } from "node:module";
import type { VectorExp } from "../core/distributions.js";
import { type OptimumPasses, PLAIN_PASSES } from "../core/optimum-passes.js";
import { GROUP, LAYOUT, NATIVE_VERSION, ROW } from "./contract.mjs";

/** The binding (see js_run in native/kernel.c). */
export interface NativeKernel {
  /** n steps at a fixed β on the kernel memory: WebAssembly's run_<penalty>_<optimizer>, chunked at `split`. */
  run(
    memory: Uint8Array,
    forward: number,
    gold: number,
    optimizer: number,
    n: number,
    rows: number,
    bias: number,
    groups: number,
    split: number,
    tail: number,
    out: number,
    helper: number,
  ): number;
  /** The steps' exp on its own (length a multiple of 8) → Σ out: the closed-form optimum's softmax, and the tests. */
  exp(x: Float64Array, out: Float64Array): number;
  /**
   * n steps of K runs (K a multiple of 8, maybe 0) of one problem at their fixed β, 8 runs to a
   * vector (block-runs.ts), then of `solo` runs one by one, each as the single kernel runs it:
   * lanes (contract.mjs BLOCK_LANE then ROW, each over the K + solo runs), tokens (θ, e, m, v, each
   * V×K, run-minor), problem (reward, gold, ref, log πref), Adam's bias table; kind = adam·4 +
   * forward·2 + gold; threads 2 lets a second thread take half the blocks and every other solo run;
   * split: the first token of chunk 1 (contract.mjs chunkSplit × GROUP), or V for one chunk;
   * soloTokens: θ, e (m, v) of each solo run, V each. Returns the threads that ran.
   */
  block(
    lanes: Float64Array,
    tokens: Float64Array,
    problem: Float64Array,
    bias: Float64Array,
    V: number,
    K: number,
    n: number,
    kind: number,
    rate: number,
    b1: number,
    b2: number,
    eps: number,
    floor: number,
    threads: number,
    split: number,
    solo: number,
    soloTokens: Float64Array,
  ): number;
  /** The reverse optimum's logits shifted by their max (optimum-passes.ts tilt; `log` empty: not written) → the max. */
  tilt(logRef: Float64Array, reward: Float64Array, out: Float64Array, log: Float64Array, rMax: number, beta: number): number;
  /** out ← out·invZ, log ← log + negLogZ (`log` empty: not written). */
  normalize(out: Float64Array, log: Float64Array, invZ: number, negLogZ: number): void;
  /** sums[0..3] ← the terms of KL(π‖π_ref), KL(π_ref‖π), H(π) and E_π[r] summed with log π given (optimum-passes.ts divergences). */
  divergences(pi: Float64Array, logPi: Float64Array, ref: Float64Array, logRef: Float64Array, reward: Float64Array, sums: Float64Array): void;
  /** ½Σ|p − q| over p's length, q at least as long (optimum-passes.ts totalVariation). */
  totalVariation(p: Float64Array, q: Float64Array): number;
  /** Chunks the helper thread has run so far (this thread's instance), for the tests. */
  helperJobs(): number;
  /** The registers the kernel runs in: "avx512", "avx2", "neon", "generic" or "none" (declined). */
  isa: string;
  version: number;
  /** Whether this build has the helper thread (Linux). */
  threads: boolean;
  /** The memory layout the build expects (checked at load). */
  PARAMS: number;
  MASKS: number;
  OUT_SLOT: number;
  GROUP: number;
  ROW_SLOTS: number;
}

/** The f64 slots of a row of run() (contract.mjs ROW). */
export const ROW_SLOTS = ROW.length;

let cached: NativeKernel | null | undefined;

/** The native kernel, or null when it is unavailable or switched off. */
export function nativeKernel(): NativeKernel | null {
  if (cached !== undefined) return cached;
  cached = null;
  const engine = process.env.KLSIM_ENGINE;
  if (engine === "plain" || engine === "wasm") return cached;
  const require = createRequire(import.meta.url);
  // next to this file (dist/engine), or seen from dist/cli when bundled there (scripts/bundle-run.mjs)
  for (const path of ["./kernel.node", "../engine/kernel.node"]) {
    try {
      const kernel = require(path) as NativeKernel;
      if (kernel.version === NATIVE_VERSION && kernel.isa !== "none" && sameLayout(kernel)) cached = kernel;
      break;
    } catch {
      // not built here, or built for another platform: try the next place, then do without
    }
  }
  return cached;
}

function sameLayout(kernel: NativeKernel): boolean {
  const { PARAMS, MASKS, OUT_SLOT } = LAYOUT;
  return kernel.PARAMS === PARAMS && kernel.MASKS === MASKS && kernel.OUT_SLOT === OUT_SLOT && kernel.GROUP === GROUP && kernel.ROW_SLOTS === ROW_SLOTS;
}

/** The kernel's exp as a VectorExp (core/distributions.ts): its groups of 8 in the kernel, a last partial group by Math.exp. */
export function nativeExp(kernel: NativeKernel): VectorExp {
  return (x, out) => {
    const whole = x.length - (x.length % GROUP);
    let total = whole > 0 ? kernel.exp(x.subarray(0, whole), out.subarray(0, whole)) : 0;
    for (let i = whole; i < x.length; i++) total += out[i] = Math.exp(x[i]!);
    return total;
  };
}

const NO_LOG = new Float64Array(0);

/** The optimum's passes in the kernel (the plain loops' bits), for Float64Arrays; anything else takes the plain loops. */
export function nativePasses(kernel: NativeKernel): OptimumPasses {
  return {
    tilt: (logRef, reward, rMax, beta, out, log) =>
      logRef instanceof Float64Array && reward instanceof Float64Array
        ? kernel.tilt(logRef, reward, out, log ?? NO_LOG, rMax, beta)
        : PLAIN_PASSES.tilt(logRef, reward, rMax, beta, out, log),
    normalize: (out, invZ, log, negLogZ) => kernel.normalize(out, log ?? NO_LOG, invZ, negLogZ),
    divergences: (pi, logPi, ref, logRef, reward, sums) =>
      pi instanceof Float64Array &&
      logPi instanceof Float64Array &&
      ref instanceof Float64Array &&
      logRef instanceof Float64Array &&
      reward instanceof Float64Array
        ? kernel.divergences(pi, logPi, ref, logRef, reward, sums)
        : PLAIN_PASSES.divergences(pi, logPi, ref, logRef, reward, sums),
    totalVariation: (p, q) =>
      p instanceof Float64Array && q instanceof Float64Array && q.length >= p.length ? kernel.totalVariation(p, q) : PLAIN_PASSES.totalVariation(p, q),
  };
}

/** What a FastExact with this native kernel (or none: WebAssembly) reports it runs on. */
export function fastKernelName(native: NativeKernel | null): string {
  return native ? `native-${native.isa}` : "wasm-simd";
}

/** Tests: use `kernel` (or none) from now on. */
export function setNativeKernel(kernel: NativeKernel | null): void {
  cached = kernel;
}
