/** Types of kernel-wat.mjs (the WebAssembly kernel's source, used by the build and the tests). */
/** The kernel's WebAssembly text. */
export declare function kernelWat(): string;
/** The kernel's binary, compiled with wabt. */
export declare function compileKernel(): Promise<Uint8Array>;
