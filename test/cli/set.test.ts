/**
 * `--set` through the real binary, on every command that takes a scenario: it reaches the run (the
 * numbers are the closed forms computed here), reaches sweep's worker threads, and a bad setting
 * gives exit 2, one line naming it, and leaves an existing --out file as it was.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { badInputProblem, klsim } from "./klsim.js";

const work = mkdtempSync(join(tmpdir(), "klsim-set-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** basic (π_ref uniform over 4, r = [1, 0, 0, 0]), reverse KL: π*_good = e^(1/β) / (e^(1/β) + 3). */
function reverseGood(beta: number): number {
  return Math.exp(1 / beta) / (Math.exp(1 / beta) + 3);
}

/** basic, forward KL: π*_i = β·¼/(λ − r_i) with Σπ* = 1 ⇒ λ² − (1 + β)λ + ¾β = 0, λ > 1. */
function forwardGood(beta: number): number {
  const lambda = (1 + beta + Math.sqrt((1 + beta) ** 2 - 3 * beta)) / 2;
  return beta / 4 / (lambda - 1);
}

describe("--set reaches every command", () => {
  it("optimum: --set beta and the kl_coef alias", async () => {
    for (const setting of ["beta=0.25", "kl_coef=0.25"]) {
      const result = await klsim(["optimum", "basic", "--set", setting, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).policy[0]).toBeCloseTo(reverseGood(0.25), 12);
    }
  });

  it("run: --set penalty=forward converges to the forward optimum; --set=KEY=VALUE works too", async () => {
    const result = await klsim(["run", "basic", "--set=penalty=forward", "--set", "steps=4000", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect([json.penalty, json.steps]).toEqual(["forward", 4000]);
    expect(json.policy[0]).toBeCloseTo(forwardGood(0.5), 6);
  });

  it("run: a named flag and --set of the same field: the later one wins", async () => {
    const a = JSON.parse((await klsim(["run", "basic", "--steps", "7", "--set", "steps=9", "--json"])).stdout);
    const b = JSON.parse((await klsim(["run", "basic", "--set", "steps=9", "--steps", "7", "--json"])).stdout);
    expect([a.steps, b.steps]).toEqual([9, 7]);
  });

  it("sweep: the settings reach the worker threads", async () => {
    const result = await klsim(["sweep", "basic", "--beta", "0.5,1", "--set", "penalty=forward", "--set", "steps=3000", "--jobs", "2", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, number>>;
    expect(rows.map((r) => r.steps)).toEqual([3000, 3000]);
    rows.forEach((row, k) => {
      const beta = [0.5, 1][k]!;
      // reward = π_good for basic's r = [1, 0, 0, 0]
      expect(row.opt_reward).toBeCloseTo(forwardGood(beta), 12);
      expect(row.reward).toBeCloseTo(forwardGood(beta), 5);
    });
  });

  it("tui without a terminal: the static report shows the setting", async () => {
    const result = await klsim(["tui", "basic", "--set", "kl_coef=0.25", "--set", "steps=30"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/after 30 steps · β 0\.25 \(fixed\)/);
  });

  it("target_kl on a fixed controller makes it adaptive (β moves)", async () => {
    const result = await klsim(["run", "basic", "--set", "target_kl=0.01", "--set", "kl_horizon=10", "--steps", "50", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    // KL rises above the 0.01 target within a few steps, so β grows from 0.5
    expect(JSON.parse(result.stdout).beta).toBeGreaterThan(0.5);
  });
});

const PREVIOUS = "a previous run's file\n";

describe("a bad setting: exit 2, one line naming it, nothing written", () => {
  it.each([
    ["run", ["basic", "--set", "sampling.estimatr=k3"], '--set sampling.estimatr: unknown scenario field (did you mean "sampling.estimator"?)'],
    ["run", ["sampled-ppo", "--set", "sampling.batch=0"], "--set sampling.batch: must be ≥ 1, got 0"],
    ["run", ["basic", "--set", "kl_coef=-1"], "--set kl_coef: must be ≥ 0, got -1"],
    ["run", ["basic", "--set", "beta"], "--set: expected KEY=VALUE (e.g. sampling.estimator=k3), got 'beta'"],
    ["run", ["basic", "--set"], "--set: needs a value (KEY=VALUE)"],
    ["run", ["basic", "--steps", "0"], "--steps: must be ≥ 1, got 0"],
    ["run", ["basic", "--set", "steps=0"], "--set steps: must be ≥ 1, got 0"],
    [
      "optimum",
      ["basic", "--set", "penalty=backward"],
      '--set penalty: expected one of "reverse", "forward", "js", "alpha:A (0 < A < 1)", got the string "backward"',
    ],
    ["sweep", ["basic", "--beta", "0.1", "--set", "optimizer.lr=0"], "--set optimizer.lr: must be > 0, got 0"],
    [
      "tui",
      ["basic", "--set", "mode=exactly"],
      '--set mode: expected one of "exact", "sampled", "expected", "fit", got the string "exactly" (did you mean "exact"?)',
    ],
  ])("klsim %s %j", async (command, args, line) => {
    const dir = mkdtempSync(join(work, "bad-"));
    const out = join(dir, "previous.csv");
    writeFileSync(out, PREVIOUS);
    const withOut = command === "run" || command === "sweep" ? [args[0]!, "--out", out, ...args.slice(1)] : args;
    const result = await klsim([command, ...withOut]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr.startsWith(line), result.stderr).toBe(true);
    expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
    expect(readdirSync(dir)).toEqual(["previous.csv"]);
  });
});
