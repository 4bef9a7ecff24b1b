#!/usr/bin/env node
// Bundles dist/cli/run.js (tsc's output) with everything it imports into that one file, so that
// `klsim run` loads two dozen fewer modules at start-up (about 13 ms of CPU on the reference
// machine: Node's ES-module loader pays a file lookup, read and compile per module).
// Packages stay external (mathjs and seedrandom are imported lazily, only when needed), and so does
// dist/errors.js, whose classes cli.js tests with instanceof. tui.js imports run.js too and simply
// gets the bundle. Without esbuild (a development dependency) the build keeps the unbundled file.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
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
  console.warn("bundle-run: esbuild is not installed; dist/cli/run.js stays unbundled");
  process.exit(0);
}
const errors = resolve(root, "dist/errors.js");
await esbuild.build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  banner: { js: "// Bundled by scripts/bundle-run.mjs from tsc's output; the sources are src/cli/run.ts and its imports." },
  plugins: [
    {
      name: "shared-errors",
      setup(build) {
        // one InputError/DivergenceError class for cli.js and the bundle alike
        build.onResolve({ filter: /errors\.js$/ }, (args) =>
          resolve(args.resolveDir, args.path) === errors ? { path: "../errors.js", external: true } : undefined,
        );
      },
    },
  ],
});
console.log(`bundled ${entry}`);
