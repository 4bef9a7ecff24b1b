#!/usr/bin/env node
// Writes dist/cli/klsim-bundle.cjs.cache, V8's code cache of the binary's bundle, which
// dist/cli/klsim.cjs compiles the bundle with. It loads the bundle as the binary does, runs a few
// commands in this process (a run; sweeps through the native block kernel and one β at a time; their
// output to a temporary directory) so that the functions a command calls are compiled too, then
// saves what V8 holds. A cache only makes klsim start sooner: if anything fails here there is none,
// and the binary compiles the bundle as usual.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const binary = createRequire(import.meta.url)(resolve(root, "dist/cli/klsim.cjs"));

/** Gives up on the cache, in one line. */
function skip(reason) {
  rmSync(binary.CACHE, { force: true });
  console.warn(`code-cache: ${reason}; klsim will compile its bundle at each start`);
  process.exit(0);
}

rmSync(binary.CACHE, { force: true }); // compile from the source, not from an older cache
const loaded = binary.loadBundle();
if (!loaded) skip("no dist/cli/klsim-bundle.cjs (esbuild is not installed)");
/** The commands run before the cache is taken, their output in `out`. */
const warmUp = (out) => [
  ["run", "basic", "--steps", "300", "--quiet", "--out", join(out, "run.csv")],
  ["run", "basic", "--steps", "300", "--quiet", "--every", "10", "--out", join(out, "run.json")],
  ["sweep", "basic", "--beta", "0.01:10:16:log", "--steps", "200", "--quiet", "--out", join(out, "sweep.json")],
  ["sweep", "large-vocab", "--beta", "0.1,1", "--steps", "3", "--quiet", "--out", join(out, "sweep.csv")],
];
let out = null;
let failure = null;
try {
  out = mkdtempSync(join(tmpdir(), "klsim-code-cache-"));
  for (const argv of warmUp(out)) {
    const code = await loaded.bundle.main(argv);
    if (code !== 0) {
      failure = `klsim ${argv.join(" ")} exited with ${code}`;
      break;
    }
  }
  if (failure === null) writeFileSync(binary.CACHE, loaded.script.createCachedData());
} catch (error) {
  failure = String(error); // no temporary directory, an output that could not be written, …
} finally {
  if (out !== null) rmSync(out, { recursive: true, force: true });
}
if (failure !== null) skip(failure);
console.log(`wrote ${binary.CACHE}`);
process.exit(0); // a sweep's threads must not hold the build
