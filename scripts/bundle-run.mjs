#!/usr/bin/env node
// Bundles tsc's output so that a command loads a few modules instead of sixty (Node's module loaders
// pay a file lookup, read and compile per module):
// - dist/cli/klsim-bundle.cjs, the binary's code (dist/cli/klsim.cjs runs it): start.js with the
//   dispatcher, `run` and `sweep` in one CommonJS file, which klsim.cjs compiles with V8's code cache
//   (scripts/code-cache.mjs). CommonJS, because Node 20 takes a code cache only for a vm.Script, and
//   an ES-module entry loads Node's ES-module loader too (measured: ~9 ms of a 200-β sweep's start).
//   Its dynamic imports (the other commands, mathjs, seedrandom) become calls of __klsimImport, which
//   klsim.cjs provides: a vm.Script cannot import() without an experimental flag.
// - ES-module bundles of run.js (which tui.js imports), sweep.js (frontier.js and best-of-n.js
//   import it) and sweep-worker.js (each sweep worker thread loads one module).
// Packages stay external; each bundle has its own copy of dist/errors.js, whose classes recognise
// one another's errors (src/errors.ts). Without esbuild (a development dependency) the build keeps
// tsc's unbundled files, and klsim.cjs runs main.js.
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
/** The files bundled so far, each to `file`.bundle until all are done. */
const bundled = [];

/** What every bundle is built with. */
const COMMON = {
  bundle: true,
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  // whitespace and syntax only (names stay): a sweep parsed ~0.5 MB of bundles at start-up, and
  // minified it started ~25 ms sooner (measured, 200-β sweep of 1 step: 0.245 -> 0.22 s)
  minifyWhitespace: true,
  minifySyntax: true,
};

/**
 * Bundles `file` with everything it imports to `file`.bundle, an ES module. Every bundle reads tsc's
 * own modules: all go in place only at the end, since a bundle that read another already bundled in
 * place held a second copy of every module they share (measured: the sweep's bundle was 327 KB, 135
 * KB of them a second fast-stepper, helper, kernel, …).
 */
async function bundle(file) {
  await esbuild.build({
    ...COMMON,
    entryPoints: [file],
    outfile: `${file}.bundle`,
    format: "esm",
    banner: { js: "// Bundled by scripts/bundle-run.mjs from tsc's output; the sources are in src/cli and its imports." },
  });
  bundled.push(file);
}

// run.js stands alone for tui.js, which imports it
await bundle(entry);
// a sweep's worker threads load one module each, and so do frontier.js and best-of-n.js for the sweep
await bundle(resolve(root, "dist/cli/sweep.js"));
await bundle(resolve(root, "dist/cli/sweep-worker.js"));

/**
 * The binary's CommonJS bundle of start.js: the dispatcher with `run` and `sweep` inlined, every other
 * command a dynamic import of its own module (loaded only when it runs). import.meta.url becomes the
 * bundle's URL and each remaining import() a call of __klsimImport, both parameters of the wrapper
 * that klsim.cjs compiles the bundle in.
 */
async function bundleBinary() {
  const cli = resolve(root, "dist/cli/cli.js");
  const inlined = new Set([entry, resolve(root, "dist/cli/sweep.js")]);
  const outfile = resolve(root, "dist/cli/klsim-bundle.cjs");
  const result = await esbuild.build({
    ...COMMON,
    entryPoints: [resolve(root, "dist/cli/start.js")],
    outfile,
    format: "cjs",
    define: { "import.meta.url": "__klsimUrl" },
    banner: { js: "// Bundled by scripts/bundle-run.mjs from tsc's output, for dist/cli/klsim.cjs; the sources are in src/." },
    metafile: true,
    write: false,
    plugins: [
      {
        name: "lazy-commands",
        setup(build) {
          build.onResolve({ filter: /\.js$/ }, (args) => {
            const path = resolve(args.resolveDir, args.path);
            if (args.kind !== "dynamic-import" || args.importer !== cli || inlined.has(path)) return undefined;
            return { path: `./${relative(dirname(outfile), path)}`, external: true };
          });
        },
      },
    ],
  });
  let text = result.outputFiles[0].text;
  // every import() esbuild left is of an external module; each becomes __klsimImport(…), and none may remain
  const dynamic = Object.values(result.metafile.outputs)[0].imports.filter((i) => i.kind === "dynamic-import" && i.external);
  for (const { path } of dynamic) text = text.replaceAll(`import(${JSON.stringify(path)})`, `__klsimImport(${JSON.stringify(path)})`);
  const left = /(?<![.\w$])import\s*\(/.exec(text); // not a method such as math.import(…)
  if (left) throw new Error(`bundle-run: an import() the rewrite missed in klsim-bundle.cjs: ${text.slice(left.index, left.index + 60)}`);
  rmSync(`${outfile}.cache`, { force: true }); // a cache of the previous bundle (scripts/code-cache.mjs writes the new one)
  writeFileSync(outfile, text);
  console.log(`bundled ${outfile}`);
}
await bundleBinary();

for (const file of bundled) {
  renameSync(`${file}.bundle`, file);
  console.log(`bundled ${file}`);
}
