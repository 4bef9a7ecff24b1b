#!/usr/bin/env node
// Builds the optional native kernel: src/engine/native/kernel.c → dist/engine/kernel.node, with the
// machine's C compiler and Node's own headers (no download, no node-gyp), and the kernel contract
// (src/engine/contract.mjs) written out as the header kernel-layout.h it includes. The kernel only
// makes large vocabularies faster: if anything is missing (no compiler, no headers, Windows), the
// build says so in one line and goes on, and klsim uses its WebAssembly kernel.
// Usage: node scripts/build-native.mjs [--out FILE.node] [--quiet] [--level x86-64-v3|x86-64-v4]
// (--level builds that x86-64 level only, not the clones picked at load time: for the tests)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cHeader } from "../src/engine/contract.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--out");
const out = at >= 0 ? resolve(process.argv[at + 1]) : resolve(root, "dist/engine/kernel.node");
const quiet = process.argv.includes("--quiet");
const levelAt = process.argv.indexOf("--level");
const level = levelAt >= 0 ? process.argv[levelAt + 1] : undefined;
const source = resolve(root, "src/engine/native/kernel.c");

function skip(reason) {
  rmSync(out, { force: true }); // never leave a kernel from an older source behind
  console.warn(`build-native: ${reason}; klsim will use its WebAssembly kernel`);
  process.exit(0);
}

if (process.platform === "win32") skip("not built on Windows");
if (process.env.KLSIM_NO_NATIVE) skip("KLSIM_NO_NATIVE is set");

// Node's headers: npm's nodedir, then next to this node binary, then the usual places
const headerDirs = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), ".."), "/usr", "/usr/local"]
  .filter(Boolean)
  .map((dir) => join(dir, "include", "node"));
const headers = headerDirs.find((dir) => existsSync(join(dir, "node_api.h")));
if (!headers) skip(`no node_api.h in ${headerDirs.join(", ")}`);

/** What `compiler --version` prints, or null if it does not run. */
function versionOf(compiler) {
  try {
    return execFileSync(compiler, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}
let compiler;
let version = null;
for (const name of [process.env.CC, "gcc", "cc", "clang"].filter(Boolean)) {
  version = versionOf(name);
  if (version !== null) {
    compiler = name;
    break;
  }
}
if (!compiler) skip("no C compiler (gcc, cc or clang)");
const isGcc = !/clang/i.test(version);
const flags = [
  "-std=gnu11",
  "-O2", // -O3 measured ~10% slower at V = 16 and no faster at 256 or 4096 (klsim bench)
  "-fPIC",
  "-shared",
  "-ffp-contract=off", // FMA only where the source writes it: the same bits on every x86-64 level
  "-fno-math-errno",
  "-fvisibility=hidden",
  "-Wall",
  "-Wno-psabi",
  "-pthread",
  `-I${headers}`,
];
// GCC picks an AVX-512, AVX2 or baseline clone at load time (target_clones); other x86 compilers
// get AVX2 + FMA, and the kernel declines on a CPU without them
if (process.arch === "x64" && !isGcc) flags.push("-mavx2", "-mfma");
if (process.platform === "darwin") flags.push("-undefined", "dynamic_lookup");
if (level) flags.push(`-DKLSIM_TARGET="arch=${level}"`, `-DKLSIM_ISA="${level === "x86-64-v4" ? "avx512" : "avx2"}"`);
const tmp = `${out}.${process.pid}.tmp`;
mkdirSync(dirname(out), { recursive: true });
const include = mkdtempSync(join(tmpdir(), "klsim-native-"));
writeFileSync(join(include, "kernel-layout.h"), cHeader());
try {
  execFileSync(compiler, [...flags, `-I${include}`, "-o", tmp, source, "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
} catch (error) {
  rmSync(tmp, { force: true });
  rmSync(include, { recursive: true, force: true });
  const detail = String(error.stderr ?? error.message)
    .trim()
    .split("\n")[0];
  skip(`${compiler} failed (${detail})`);
}
rmSync(include, { recursive: true, force: true });
renameSync(tmp, out);
if (!quiet) console.log(`wrote ${out} (${compiler})`);
