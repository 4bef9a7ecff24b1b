#!/usr/bin/env node
// Builds the WebAssembly kernel: src/engine/kernel-wat.mjs writes its text (WAT), wabt (a
// build-time dependency) compiles it to dist/engine/kernel.wasm, where dist/engine/wasm.js
// loads it. Usage: node scripts/build-wasm.mjs [--out FILE.wasm] [--wat FILE.wat]
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileKernel, kernelWat } from "../src/engine/kernel-wat.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const flag = (name) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? resolve(process.argv[at + 1]) : undefined;
};
const out = flag("--out") ?? resolve(root, "dist/engine/kernel.wasm");
const watOut = flag("--wat");

const buffer = await compileKernel();
new WebAssembly.Module(buffer); // fail the build here rather than at run time
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, buffer);
if (watOut) writeFileSync(watOut, kernelWat());
console.log(`wrote ${out} (${buffer.length} bytes)`);
