/**
 * The native kernel for the tests, compiled from its source (src/engine/native/kernel.c) by the
 * build's own script into a temporary folder, as `npm run build` does: a stale dist/ never stands
 * in for the source. Null (with the reason) where this machine cannot build it: no C compiler or
 * Node headers, which the build then reports the same way.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeKernel } from "../../src/engine/native.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "klsim-native-"));
const require = createRequire(import.meta.url);

/** Builds (once per level) and loads the kernel; `level` builds one x86-64 level instead of the clones. */
export function buildNativeKernel(level?: "x86-64-v3" | "x86-64-v4"): { kernel: NativeKernel | null; reason: string } {
  const out = join(dir, `kernel${level ? "-" + level : ""}.node`);
  let log = "";
  if (!existsSync(out)) {
    const args = [join(root, "scripts/build-native.mjs"), "--out", out, "--quiet", ...(level ? ["--level", level] : [])];
    const result = spawnSync(process.execPath, args, { encoding: "utf8" });
    log = (result.stderr + result.stdout).trim();
  }
  if (!existsSync(out)) return { kernel: null, reason: log || "the build skipped the native kernel" };
  const kernel = require(out) as NativeKernel;
  return kernel.isa === "none" ? { kernel: null, reason: "this CPU has no FMA: the kernel declines" } : { kernel, reason: "" };
}
