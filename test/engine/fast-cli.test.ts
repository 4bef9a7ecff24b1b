/**
 * The fast path from the command line: `klsim run` starts without the UI stack or mathjs (a
 * module-resolution hook records everything the process loads), and `klsim bench` reports what
 * it promises. No timing assertions: the machines are shared.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { finished, klsim, klsimNodeArgs, ROOT } from "../cli/klsim.js";

const dir = mkdtempSync(join(tmpdir(), "klsim-fast-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs klsim with hooks that append every module it loads to a file: an ES-module resolve hook
 * (every URL) and a CommonJS one (every file Module._load resolves: the built binary is CommonJS and
 * requires Node's built-ins); returns them.
 */
async function loadedModules(args: string[]): Promise<{ urls: string[]; stdout: string; code: number | null }> {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(trace, "");
  const hook = join(dir, "resolve-hook.mjs");
  writeFileSync(
    hook,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.KLSIM_TRACE_FILE, result.url + "\\n");
  return result;
}
`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const requireHook = join(dir, "require-hook.cjs");
  writeFileSync(
    requireHook,
    `const Module = require("node:module");
const { appendFileSync } = require("node:fs");
const load = Module._load;
Module._load = function (request, parent, isMain) {
  let resolved = request;
  try { resolved = Module._resolveFilename(request, parent, isMain); } catch {}
  appendFileSync(process.env.KLSIM_TRACE_FILE, resolved + "\\n");
  return load.apply(this, arguments);
};
`,
  );
  const nodeArgs = klsimNodeArgs();
  // the hooks go last among the --imports so that they see every resolution
  const argv = [...nodeArgs.slice(0, -1), "--require", requireHook, "--import", pathToFileURL(register).href, nodeArgs[nodeArgs.length - 1]!, ...args];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, CI: "true", KLSIM_TRACE_FILE: trace },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = await finished(child, 120_000);
  return { urls: readFileSync(trace, "utf8").split("\n").filter(Boolean), stdout: result.stdout, code: result.code };
}

describe("klsim run starts light", () => {
  it("never loads ink, react or mathjs for a scenario without expressions", async () => {
    const { urls, stdout, code } = await loadedModules(["run", "basic", "--steps", "50", "--every", "1", "--json", "--quiet"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).steps).toBe(50);
    // the hooks saw klsim's own modules (the built binary bundles the run command, the sources do not)
    expect(urls.some((url) => /\/src\/cli\/run\.ts$|\/dist\/cli\/klsim\.cjs$/.test(url))).toBe(true);
    expect(urls.filter((url) => /\/node_modules\/(ink|react|react-reconciler|mathjs)\//.test(url))).toEqual([]);
    expect(urls.filter((url) => /\/src\/tui\/|\/dist\/tui\//.test(url))).toEqual([]);
  });
});

describe("klsim bench", () => {
  it("reports steps/s, ns per token-step and peak RSS per vocabulary size, and the memory check", async () => {
    const result = await klsim([
      "bench",
      "--vocab",
      "5,16",
      "--steps",
      "300",
      "--repeat",
      "1",
      "--long",
      "5000",
      "--engine",
      "both",
      "--frames",
      "basic",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      results: Array<{ vocab: number; engine: string; kernel: string; steps: number; steps_per_s: number; ns_per_token_step: number; peak_rss_mb: number }>;
      long: { steps: number; history_points: number; peak_rss_mb: number };
      frames: { scenario: string; history_steps: number; frames: number; mean_ms: number; fps: number };
    };
    expect(report.results.map((r) => [r.vocab, r.engine])).toEqual([
      [5, "fast"],
      [5, "plain"],
      [16, "fast"],
      [16, "plain"],
    ]);
    for (const r of report.results) {
      expect(r.steps).toBe(300);
      expect(r.steps_per_s).toBeGreaterThan(0);
      expect(r.ns_per_token_step).toBeGreaterThan(0);
      expect(r.peak_rss_mb).toBeGreaterThan(1);
      if (r.engine === "plain") expect(r.kernel).toBe("typescript");
    }
    expect(report.long.steps).toBe(5000);
    expect(report.long.history_points).toBeLessThanOrEqual(4096);
    expect(report.frames).toMatchObject({ scenario: "basic", history_steps: 100_000, frames: 60 });
    expect(report.frames.mean_ms).toBeGreaterThan(0);
  });

  it("--sweep times whole sweeps and a peer's on the same scenarios, and their final metrics agree", async () => {
    // the peer: an independent batched loop over every β (test/helpers/sweep-peer.mjs), on the scenario file bench writes
    const peer = `${process.execPath} ${join(ROOT, "test/helpers/sweep-peer.mjs")} {scenario} {steps} {betas}`;
    // the three the issue compares with numpy (the peer takes seconds at V = 65 536: its run is the next test's)
    const result = await klsim(["bench", "--sweep", "--vocab", "16,256,4096", "--steps", "30", "--repeat", "1", "--peer", peer, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      sweeps: Array<{ vocab: number; betas: number; steps: number; klsim_s: number; peer_s: number; ratio: number; max_difference: number }>;
    };
    expect(report.sweeps.map((s) => [s.vocab, s.betas, s.steps])).toEqual([
      [16, 200, 30],
      [256, 200, 30],
      [4096, 20, 30],
    ]);
    for (const s of report.sweeps) {
      expect(s.klsim_s).toBeGreaterThan(0);
      expect(s.peer_s).toBeGreaterThan(0);
      expect(s.max_difference).toBeLessThan(1e-9);
    }
  }, 120_000);

  it("--sweep runs all four sweeps by default, and --vocab picks among them", async () => {
    const result = await klsim(["bench", "--sweep", "--vocab", "65536", "--steps", "2", "--repeat", "1", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { sweeps: Array<{ vocab: number; betas: number; steps: number; klsim_s: number; peer_s: null }> };
    expect(report.sweeps.map((s) => [s.vocab, s.betas, s.steps, s.peer_s])).toEqual([[65_536, 200, 2, null]]);
    expect(report.sweeps[0]!.klsim_s).toBeGreaterThan(0);
    const help = await klsim(["bench", "--help"]);
    expect(help.stdout).toMatch(/65536 × 20/);
    const wrong = await klsim(["bench", "--sweep", "--vocab", "16,100"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe("--vocab: with --sweep, one of 16, 256, 4096, 65536; got 100");
  }, 120_000);

  it("refuses --peer without --sweep", async () => {
    const result = await klsim(["bench", "--peer", "python3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--peer: needs --sweep/);
  });

  it("refuses a bad --vocab with one line and exit code 2", async () => {
    const result = await klsim(["bench", "--vocab", "16,1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--vocab/);
  });
});
