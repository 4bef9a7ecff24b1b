#!/usr/bin/env node
// Copies the plain JavaScript modules that the compiled code imports at run time into dist/ (tsc
// emits only TypeScript): src/engine/contract.mjs, the fast kernels' contract, which the build
// scripts and the kernel generator import as it is.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
for (const module of ["engine/contract.mjs"]) {
  const target = resolve(root, "dist", module);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(resolve(root, "src", module), target);
}
