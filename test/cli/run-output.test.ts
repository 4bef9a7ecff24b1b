/**
 * What `klsim run` and `klsim optimum` print: the JSON keys of DESIGN.md §4, each value checked
 * against a computation made here from the printed policy (the KLs, the closed-form optimum), and
 * `--out -`, whose NDJSON must be byte-for-byte the file `--out x.ndjson` writes.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { badInputProblem, klsim, klsimNodeArgs, linesOf, ROOT } from "./klsim.js";

const work = mkdtempSync(join(tmpdir(), "klsim-run-output-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SUMMARY_KEYS = [
  "policy",
  "reward",
  "gold_reward",
  "forward_kl",
  "reverse_kl",
  "entropy",
  "objective",
  "beta",
  "steps",
  "penalty",
  "penalty_value",
  "kl_estimate",
];

/** KL(p‖q) = Σ p log(p/q), written out here rather than taken from src. */
function kl(p: number[], q: number[]): number {
  return p.reduce((s, pi, i) => (pi > 0 ? s + pi * Math.log(pi / q[i]!) : s), 0);
}

const BASIC = { ref: [0.25, 0.25, 0.25, 0.25], reward: [1, 0, 0, 0], tokens: ["good", "ok", "meh", "bad"] };

describe("run --json", () => {
  it("has DESIGN.md §4's keys; penalty_value, the optimum and the rest agree with computations made here", async () => {
    const result = await klsim(["run", "basic", "--steps", "300", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual([...SUMMARY_KEYS, "optimum", "tokens", "scenario"]);
    expect(Object.keys(json.optimum)).toEqual(SUMMARY_KEYS);
    expect([json.penalty, json.steps, json.beta, json.scenario, json.kl_estimate]).toEqual(["reverse", 300, 0.5, "basic", null]);
    expect(json.tokens).toEqual(BASIC.tokens);
    const pi = json.policy as number[];
    // reverse penalty: D = KL(π‖π_ref), and the summary's own reverse_kl agrees
    expect(json.penalty_value).toBeCloseTo(kl(pi, BASIC.ref), 14);
    expect(json.penalty_value).toBeCloseTo(json.reverse_kl, 14);
    expect(json.forward_kl).toBeCloseTo(kl(BASIC.ref, pi), 14);
    expect(json.objective).toBeCloseTo(pi[0]! - 0.5 * kl(pi, BASIC.ref), 14);
    // the optimum at the final β: π* ∝ π_ref·exp(r/β)
    const w = BASIC.reward.map((r, i) => BASIC.ref[i]! * Math.exp(r / 0.5));
    const z = w.reduce((a, b) => a + b, 0);
    const opt = json.optimum;
    opt.policy.forEach((p: number, i: number) => expect(p).toBeCloseTo(w[i]! / z, 14));
    expect([opt.steps, opt.beta, opt.penalty, opt.kl_estimate]).toEqual([null, 0.5, "reverse", null]);
    expect(opt.penalty_value).toBeCloseTo(kl(opt.policy, BASIC.ref), 14);
    expect(opt.reward).toBeCloseTo(w[0]! / z, 14);
  });

  it("with the forward penalty, penalty_value is KL(π_ref‖π)", async () => {
    const json = JSON.parse((await klsim(["run", "basic", "--steps", "50", "--penalty", "forward", "--json"])).stdout);
    expect(json.penalty).toBe("forward");
    expect(json.penalty_value).toBeCloseTo(kl(BASIC.ref, json.policy), 14);
    expect(json.optimum.penalty_value).toBeCloseTo(kl(BASIC.ref, json.optimum.policy), 14);
  });

  it("sampled mode: kl_estimate is the last record's, as the NDJSON file of the same run has it", async () => {
    const file = join(work, "ppo.ndjson");
    const result = await klsim(["run", "sampled-ppo", "--steps", "40", "--every", "1", "--out", file, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    const rows = linesOf(readFileSync(file, "utf8")).map((line) => JSON.parse(line));
    const last = rows[rows.length - 1];
    expect(last.step).toBe(40);
    expect(typeof json.kl_estimate).toBe("number");
    expect(json.kl_estimate).toBe(last.kl_estimate);
    expect(json.beta).toBe(last.beta); // the adaptive controller's β after step 40
    expect(json.optimum.beta).toBe(last.beta);
  });
});

describe("optimum --json", () => {
  it("the summary keys (no nested optimum), tokens and scenario", async () => {
    const json = JSON.parse((await klsim(["optimum", "mode-seeking", "--json"])).stdout);
    expect(Object.keys(json)).toEqual([...SUMMARY_KEYS, "tokens", "scenario"]);
    expect(json.scenario).toBe("mode-seeking");
    const ref = [0.08, 0.3, 0.08, 0.02, 0.02, 0.1, 0.3, 0.1];
    expect(json.penalty_value).toBeCloseTo(kl(json.policy, ref), 14);
  });
});

describe("run --out -", () => {
  it("streams NDJSON to stdout, the same bytes as --out x.ndjson; the summary goes to stderr", async () => {
    const file = join(work, "basic.ndjson");
    const toFile = await klsim(["run", "basic", "--steps", "95", "--every", "10", "--out", file, "--quiet"]);
    expect(toFile.code, toFile.stderr).toBe(0);
    const result = await klsim(["run", "basic", "--steps", "95", "--every", "10", "--out", "-"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(readFileSync(file, "utf8"));
    const rows = linesOf(result.stdout).map((line) => JSON.parse(line));
    // every 10th step from 0, and the last
    expect(rows.map((r) => r.step)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95]);
    expect(Object.keys(rows[0])).toEqual([
      "step",
      "beta",
      "reward",
      "gold_reward",
      "forward_kl",
      "reverse_kl",
      "entropy",
      "objective",
      "kl_estimate",
      "penalty_value",
    ]);
    expect(rows.every((r) => r.penalty_value === r.reverse_kl)).toBe(true); // basic's penalty is the reverse KL
    expect(result.stderr).toMatch(/^basic: 95 steps, penalty reverse KL/);
    expect(result.stderr).toMatch(/wrote 11 rows to stdout\n$/);
  });

  it("--quiet: stdout has the rows and stderr nothing", async () => {
    const result = await klsim(["run", "basic", "--steps", "3", "--every", "1", "--out", "-", "--quiet"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(linesOf(result.stdout)).toHaveLength(4);
  });

  it("--json with --out - is refused: both would be on stdout", async () => {
    const result = await klsim(["run", "basic", "--out", "-", "--json"]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr).toBe("--json: stdout carries the records of --out -; write them to a file to have the JSON summary too\n");
  });

  it("a reader that goes away (| head) ends the run at once, quietly, with 141 (128 + SIGPIPE)", async () => {
    const child = spawn(process.execPath, [...klsimNodeArgs(), "run", "basic", "--steps", "100000000", "--every", "1", "--out", "-"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const firstLine = await new Promise<string>((resolve) => {
      let text = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\n")) {
          child.stdout.destroy(); // the reader closes the pipe
          resolve(text.split("\n")[0]!);
        }
      });
    });
    expect(JSON.parse(firstLine).step).toBe(0);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).toBe(141);
    expect(stderr).toBe("");
  });
});
