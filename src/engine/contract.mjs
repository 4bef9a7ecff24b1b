// @ts-check
/**
 * The fast kernels' contract, defined once: the memory layout, the parameter block, the result slot
 * of a chunk, the row of metrics a batched run writes, the stopping rule and the versions. The
 * WebAssembly kernel's generator (kernel-wat.mjs) builds on it, fast-stepper.ts, wasm.ts and
 * native.ts read it, and scripts/build-native.mjs writes it out as the C header kernel-layout.h that
 * native/kernel.c includes (cHeader below). Change a number or a slot here and every side follows;
 * each kernel also reports its layout at load, and a stale build is refused.
 */

/** Bumped whenever the WebAssembly kernel's exports or layout change (wasm.ts refuses another). */
export const KERNEL_VERSION = 6;
/** Bumped whenever the native kernel's binding or layout change (native.ts refuses another). */
export const NATIVE_VERSION = 8;

/** f64x2 pairs interleaved per WebAssembly loop iteration; GROUP = 2·UNROLL tokens per group. */
export const UNROLL = 4;
export const GROUP = 2 * UNROLL;

/**
 * Byte offsets of the fixed areas of memory: exp's constants at 0 (and from MORE_CONSTANTS), the
 * parameter block at PARAMS (f64 slots, then the arrays' byte offsets as i32 slots from PARAMS +
 * INTS), the last group's lane masks at MASKS, two result slots at OUT (one per chunk of the
 * vocabulary, OUT_SLOT bytes apart), the helper's control words at CONTROL, the arrays from ARRAYS.
 */
export const LAYOUT = { PARAMS: 256, INTS: 128, MASKS: 512, OUT: 640, OUT_SLOT: 64, MORE_CONSTANTS: 768, CONTROL: 960, ARRAYS: 1024 };

/** The parameter block's f64 slots, in order. */
export const F64_PARAMS = ["invZ", "logZ", "mean", "beta", "M", "rate", "b1", "b2", "c1", "c2", "eps"];
/** The arrays in the kernel's memory, in this order, each padded to whole groups of tokens; their
 *  byte offsets fill the block's i32 slots in the same order. */
export const ARRAYS = ["theta", "e", "grad", "reward", "gold", "ref", "logRef", "am", "av"];
/** A chunk's result slot (f64): Σe, Σe·r, Σe·g, Σe·s, Σe·(s − log πref), Σπref·(log πref − s), max θ (s = θ − M). */
export const SUMS = ["z", "r", "g", "s", "lr", "ref", "max"];
/** A batched run's row per step (f64): the metrics after the step and the next step's shift. */
export const ROW = ["reward", "gold", "reverseKL", "forwardKL", "entropy", "logZ", "maxTheta", "invZ"];

/** A batched Adam run's table of bias corrections (f64), one entry per step, filled by the caller
 *  from the optimiser's own tick() (src/core/optimizers.ts): the kernels never compute β₁ᵗ. */
export const BIAS = ["c1", "c2"];

/** The native block kernel's scalars per run (f64, each an array over the block's K runs), then the
 *  run's last ROW: the block steps K runs of one problem together, a sweep's β (native/kernel.c block). */
export const BLOCK_LANE = ["beta", "invZ", "logZ", "mean", "M", "dirty"];
/** The block kernel keeps each block of 8 runs in a stretch of its own, this many f64 apart (a cache
 *  line), so that two threads' blocks never share a line whatever the arrays' alignment. */
export const BLOCK_GAP = 8;

/** The step's exp shift is the previous max θ; a step whose max moves further than this (nats) is
 *  handed back, so that Σe cannot lose range (its pass A is redone with the new max). */
export const SHIFT_SLACK = 32;
/** Steps per batched run at most (the rows area holds this many). */
export const BATCH = 256;
/** Vocabularies this large are cut in two chunks, and a helper thread may take the second. */
export const PARALLEL_MIN = 2048;
/** Where chunk 1 begins, in whole groups of tokens (chunk 0 is the first half of them; chunk 1 the
 *  rest and the partial last group); below PARALLEL_MIN, every whole group (one chunk).
 *  @param {number} V */
export const chunkSplit = (V) => (V >= PARALLEL_MIN ? Math.floor(Math.floor(V / GROUP) / 2) : Math.floor(V / GROUP));

/**
 * The penalties the kernels implement (index = the kernel's penalty code; the registry's entry of
 * that name, src/core/divergences): which KL of the row is the penalty's value, and ⟨π, f⟩, the
 * baseline of the next step's gradient, from the step's metrics (kernel-wat.mjs PENALTY_FORMULAS
 * has the gradients).
 * @type {ReadonlyArray<{ name: string, kl: "reverseKL" | "forwardKL", mean: (reward: number, beta: number, reverseKL: number) => number }>}
 */
export const KERNEL_PENALTIES = [
  { name: "reverse", kl: "reverseKL", mean: (reward, beta, reverseKL) => reward - beta * reverseKL }, // E_π[r] − β·KL(π‖π_ref)
  { name: "forward", kl: "forwardKL", mean: (reward) => reward }, // E_π[r]
];
/** The optimisers both kernels implement (each with a batched run); index = the optimiser code. */
export const KERNEL_OPTIMIZERS = ["sgd", "adam"];

/** The WebAssembly step function of (penalty, optimiser) codes, and its index among all of them. @param {number} penalty @param {number} optimizer */
export const stepKind = (penalty, optimizer) => penalty + KERNEL_PENALTIES.length * optimizer;
/** Every WebAssembly step function's export name, by stepKind. */
export const STEP_FUNCTIONS = KERNEL_OPTIMIZERS.flatMap((optimizer) => KERNEL_PENALTIES.map((penalty) => `step_${penalty.name}_${optimizer}`));

/** "logRef" → "LOG_REF", "M" → "M". @param {string} name */
const upper = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** The contract as a C header for native/kernel.c. */
export function cHeader() {
  /** @param {string} prefix @param {string[]} names */
  const enumOf = (prefix, names, last = "") => `enum { ${names.map((n) => prefix + upper(n)).join(", ")}${last ? `, ${last}` : ""} };`;
  return [
    "/* Generated by scripts/build-native.mjs from src/engine/contract.mjs: do not edit. */",
    "#ifndef KLSIM_KERNEL_LAYOUT_H",
    "#define KLSIM_KERNEL_LAYOUT_H",
    `#define NATIVE_VERSION ${NATIVE_VERSION}`,
    `enum { PARAMS = ${LAYOUT.PARAMS}, INTS = ${LAYOUT.PARAMS + LAYOUT.INTS}, MASKS = ${LAYOUT.MASKS}, OUT_SLOT = ${LAYOUT.OUT_SLOT}, GROUP = ${GROUP} };`,
    enumOf("P_", F64_PARAMS),
    enumOf("A_", ARRAYS),
    enumOf("S_", SUMS),
    enumOf("R_", ROW, "ROW_SLOTS"),
    enumOf("B_", BIAS, "BIAS_SLOTS"),
    enumOf("L_", BLOCK_LANE, "L_ROW, LANE_SLOTS = L_ROW + ROW_SLOTS"),
    `#define BLOCK_GAP ${BLOCK_GAP}`,
    ...KERNEL_PENALTIES.map((penalty, code) => `#define PENALTY_${upper(penalty.name)} ${code}`),
    ...KERNEL_OPTIMIZERS.map((optimizer, code) => `#define OPTIMIZER_${upper(optimizer)} ${code}`),
    `#define SHIFT_SLACK ${SHIFT_SLACK.toFixed(1)}`,
    "#endif",
    "",
  ].join("\n");
}
