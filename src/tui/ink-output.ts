/**
 * Puts OutputGrid (output-grid.ts) in place of ink's Output.get. ink builds a new Output for every
 * frame and calls get() once; the grid gives the same string faster. Only for ink 6, whose
 * Output this was written against and is tested against; any other ink keeps its own.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type InkOutput, OutputGrid } from "./output-grid.js";

interface OutputClass {
  prototype: { get(this: InkOutput): { output: string; height: number } };
}

/** ink's own Output class (ink/build/output.js, the module ink's renderer imports). */
export async function inkOutputClass(): Promise<{ Output: OutputClass; version: string }> {
  const entry = createRequire(import.meta.url).resolve("ink"); // …/ink/build/index.js
  const version = (JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string }).version;
  const module = (await import(pathToFileURL(join(dirname(entry), "output.js")).href)) as { default: OutputClass };
  return { Output: module.default, version };
}

/** Installs the grid for the rest of the process; false (and nothing changed) for an ink other than 6.x. */
export async function installOutputGrid(): Promise<boolean> {
  const { Output, version } = await inkOutputClass();
  if (!version.startsWith("6.") || typeof Output.prototype.get !== "function") return false;
  const grid = new OutputGrid();
  Output.prototype.get = function get(this: InkOutput) {
    return grid.compose(this);
  };
  return true;
}
