/** Types of contract.mjs (the fast kernels' layout, defined once). */
export declare const KERNEL_VERSION: number;
export declare const NATIVE_VERSION: number;
export declare const UNROLL: number;
export declare const GROUP: number;
export declare const LAYOUT: {
  PARAMS: number;
  INTS: number;
  MASKS: number;
  OUT: number;
  OUT_SLOT: number;
  MORE_CONSTANTS: number;
  CONTROL: number;
  ARRAYS: number;
};
export declare const F64_PARAMS: readonly ["invZ", "logZ", "mean", "beta", "M", "rate", "b1", "b2", "c1", "c2", "eps"];
export declare const ARRAYS: readonly ["theta", "e", "grad", "reward", "gold", "ref", "logRef", "am", "av"];
export declare const SUMS: readonly ["z", "r", "g", "s", "lr", "ref", "max"];
export declare const ROW: readonly ["reward", "gold", "reverseKL", "forwardKL", "entropy", "logZ", "maxTheta", "invZ"];
export declare const BIAS: readonly ["c1", "c2"];
export declare const BLOCK_LANE: readonly ["beta", "invZ", "logZ", "mean", "M", "dirty"];
export declare const BLOCK_GAP: number;
export declare const SHIFT_SLACK: number;
export declare const BATCH: number;
export declare const PARALLEL_MIN: number;
export declare function chunkSplit(V: number): number;
export declare const KERNEL_PENALTIES: ReadonlyArray<{
  name: string;
  kl: "reverseKL" | "forwardKL";
  mean: (reward: number, beta: number, reverseKL: number) => number;
}>;
export declare const KERNEL_OPTIMIZERS: readonly ["sgd", "adam"];
export declare function stepKind(penalty: number, optimizer: number): number;
export declare const STEP_FUNCTIONS: readonly string[];
/** The contract as a C header for native/kernel.c. */
export declare function cHeader(): string;
