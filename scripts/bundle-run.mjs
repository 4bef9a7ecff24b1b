#!/usr/bin/env node
// Bundles dist/cli/main.js (the binary) and dist/cli/run.js (tsc's output) each with what it
// imports, so that `klsim run` loads two modules (main.js and errors.js) instead of thirty: Node's
// ES-module loader pays a file lookup, read and compile per module (measured on the reference
// machine: bundling run.js saved ~13 ms of CPU, folding the dispatcher into main.js ~5 ms more).
// Packages stay external (mathjs and seedrandom are imported lazily, only when needed), and so does
// dist/errors.js, whose classes cli.js tests with instanceof. tui.js imports run.js too and simply
// gets the bundle. Without esbuild (a development dependency) the build keeps the unbundled file.
import { existsSync, renameSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = resolve(root, "dist/cli/run.js");
if (!existsSync(entry)) {
  console.error(`bundle-run: ${entry} does not exist (run tsc first)`);
  process.exit(1);
}
let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.warn("bundle-run: esbuild is not installed; dist/cli stays unbundled");
  process.exit(0);
}
const errors = resolve(root, "dist/errors.js");
/** The files bundled so far, each to `file`.bundle until all are done. */
const bundled = [];

/**
 * Bundles `file` to `file`.bundle; the dynamic imports that `lazy(importer, path)` picks stay
 * separate files. Every bundle reads tsc's own modules: all go in place only at the end, since a
 * bundle that read another already bundled in place held a second copy of every module they share
 * (measured: the sweep's bundle was 327 KB, 135 KB of them a second fast-stepper, helper, kernel, …).
 */
async function bundle(file, lazy) {
  const importPath = (path) => relative(dirname(file), path).replace(/^(?!\.)/, "./");
  await esbuild.build({
    entryPoints: [file],
    outfile: `${file}.bundle`,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    // whitespace and syntax only (names stay): a sweep parses ~0.5 MB of bundles at start-up, and
    // minified it starts ~25 ms sooner (measured, 200-β sweep of 1 step: 0.245 -> 0.22 s)
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: "// Bundled by scripts/bundle-run.mjs from tsc's output; the sources are in src/cli and its imports." },
    plugins: [
      {
        name: "shared-errors-and-lazy-commands",
        setup(build) {
          build.onResolve({ filter: /\.js$/ }, (args) => {
            const path = resolve(args.resolveDir, args.path);
            // one InputError/DivergenceError class for every module, bundled or not (cli.js tests instanceof)
            if (path === errors) return { path: importPath(errors), external: true };
            if (args.kind === "dynamic-import" && lazy(args.importer, path)) return { path: importPath(path), external: true };
            return undefined;
          });
        },
      },
    ],
  });
  bundled.push(file);
}

// run.js stands alone for tui.js, which imports it; main.js takes the dispatcher, the argument
// parser and the whole run path into one module (the run command's import is inlined).
await bundle(entry, () => false);
// the other commands (tui, sweep, bench, …) stay lazy: loaded only when they run
const cli = resolve(root, "dist/cli/cli.js");
await bundle(resolve(root, "dist/cli/main.js"), (importer, path) => importer === cli && path !== entry);
// a sweep's process and each of its worker threads load one module each (the sweep path is ~60
// modules unbundled: measured, a 200-β sweep of 1 step spent ~100 ms of its 270 in the ES-module loader)
await bundle(resolve(root, "dist/cli/sweep.js"), () => false);
await bundle(resolve(root, "dist/cli/sweep-worker.js"), () => false);
for (const file of bundled) {
  renameSync(`${file}.bundle`, file);
  console.log(`bundled ${file}`);
}
