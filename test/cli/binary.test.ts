/**
 * The built binary (dist/cli/klsim.cjs): it runs the CommonJS bundle compiled with the code cache
 * the build wrote, V8 takes that cache, and a cache that is not the bundle's own — garbage, cut short
 * — or none at all changes nothing but the start-up time. Skipped without a build.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { klsimFlavour, ROOT } from "./klsim.js";

const CLI = join(ROOT, "dist", "cli");
const built = klsimFlavour() === "dist" && existsSync(join(CLI, "klsim-bundle.cjs"));
const dir = mkdtempSync(join(tmpdir(), "klsim-binary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script with node (no TTY, no stdin); its status and output. */
function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether V8 took the cache at `cli`'s klsim.cjs, as the binary loads it. */
function cacheTaken(cli: string): boolean {
  const probe = `const { loadBundle } = require(${JSON.stringify(join(cli, "klsim.cjs"))}); process.stdout.write(String(loadBundle().script.cachedDataRejected === false));`;
  return node(["-e", probe]).stdout === "true";
}

/** A copy of the binary, its bundle and package.json (which `--version` reads) in a directory of its own, with `cache` as its code cache (or none). */
function copyWithCache(name: string, cache: Buffer | null): string {
  const cli = join(dir, name, "dist", "cli");
  mkdirSync(cli, { recursive: true });
  for (const file of ["klsim.cjs", "klsim-bundle.cjs"]) copyFileSync(join(CLI, file), join(cli, file));
  copyFileSync(join(ROOT, "package.json"), join(dir, name, "package.json"));
  if (cache) writeFileSync(join(cli, "klsim-bundle.cjs.cache"), cache);
  return cli;
}

describe.skipIf(!built)("the binary and its code cache", () => {
  it("V8 takes the cache the build wrote (else every start compiles the bundle)", () => {
    expect(existsSync(join(CLI, "klsim-bundle.cjs.cache"))).toBe(true);
    expect(cacheTaken(CLI)).toBe(true);
  });

  const version = `klsim ${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}\n`;
  const own = built ? readFileSync(join(CLI, "klsim-bundle.cjs.cache")) : Buffer.alloc(0);
  const CASES: Array<[string, Buffer | null, boolean]> = [
    ["its own cache", own, true],
    ["no cache", null, false],
    ["a cache of garbage", Buffer.from("not a code cache at all, just bytes ".repeat(64)), false],
    ["its cache cut short", own.subarray(0, Math.floor(own.length / 2)), false],
  ];
  for (const [name, cache, taken] of CASES) {
    it(`runs the same with ${name}`, () => {
      const cli = copyWithCache(name.replaceAll(" ", "-"), cache);
      expect(cacheTaken(cli)).toBe(taken);
      const result = node([join(cli, "klsim.cjs"), "--version"]);
      expect(result).toEqual({ status: 0, stdout: version, stderr: "" });
    });
  }
});
