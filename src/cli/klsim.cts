#!/usr/bin/env node
/**
 * The `klsim` binary (package.json "bin"). CommonJS, so that Node starts it without its ES-module
 * loader, and it runs klsim-bundle.cjs — the command line with everything `run` and `sweep` need,
 * bundled from start.ts by scripts/bundle-run.mjs — compiled with the V8 code cache that the build
 * wrote beside it after running a few commands (scripts/code-cache.mjs): a command then starts
 * without parsing and compiling ~0.4 MB of JavaScript, the functions it calls included. V8 refuses a
 * cache made by another V8 version or with other flags, or for another source (by its length); the
 * bundle then compiles as usual and runs the same. Without a bundle (a build without esbuild) this
 * runs main.js, tsc's ES module.
 */
import fs = require("node:fs");
import nodeModule = require("node:module");
import path = require("node:path");
import url = require("node:url");
import vm = require("node:vm");

const BUNDLE = path.join(__dirname, "klsim-bundle.cjs");
const BUNDLE_URL = url.pathToFileURL(BUNDLE).href;
/** BUNDLE's code cache (V8's format), written by scripts/code-cache.mjs. */
const CACHE = `${BUNDLE}.cache`;

/** What the bundle exports (start.ts). */
interface Bundle {
  start(argv: string[]): void;
  main(argv: string[]): Promise<number>;
}

/**
 * `import(specifier)` seen from the bundle's file. A vm.Script can only import with an experimental
 * flag, so the build rewrites the bundle's dynamic imports (the lazily loaded commands, mathjs,
 * seedrandom) to call this, which imports from this file, in the bundle's directory.
 */
function importFromBundle(specifier: string): Promise<unknown> {
  return import(specifier.startsWith(".") ? new URL(specifier, BUNDLE_URL).href : specifier);
}

/** Compiles the bundle (with its code cache when V8 takes it) and runs its top level; null without a bundle. */
function loadBundle(): { bundle: Bundle; script: vm.Script } | null {
  let source: string;
  try {
    source = fs.readFileSync(BUNDLE, "utf8");
  } catch {
    return null;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(CACHE);
  } catch {
    cachedData = undefined;
  }
  // the parameters of Node's own CommonJS wrapper, then what the build put in place of import.meta.url and import()
  const wrapped = `(function (exports, require, module, __filename, __dirname, __klsimUrl, __klsimImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: BUNDLE, cachedData });
  const module_ = { exports: {} as Bundle };
  script.runInThisContext()(module_.exports, nodeModule.createRequire(BUNDLE), module_, BUNDLE, __dirname, BUNDLE_URL, importFromBundle);
  return { bundle: module_.exports, script };
}

// for scripts/code-cache.mjs
export = { CACHE, loadBundle };

if (require.main === module) {
  const loaded = loadBundle();
  if (loaded) loaded.bundle.start(process.argv.slice(2));
  else void import("./main.js");
}
