/** Types of kernel-wat.mjs (the kernel's source, used by the build and the tests). */
export declare const VERSION: number;
export declare const UNROLL: number;
export declare const GROUP: number;
export declare const LAYOUT: { PARAMS: number; MASKS: number; OUT: number; CONTROL: number; ARRAYS: number };
export declare const OUT_SLOT: number;
export declare const ROW: readonly string[];
export declare const F64_PARAMS: readonly string[];
export declare const I32_PARAMS: readonly string[];
export declare const INTS: number;
/** The kernel's WebAssembly text. */
export declare function kernelWat(): string;
/** The kernel's binary, compiled with wabt. */
export declare function compileKernel(): Promise<Uint8Array>;
