/**
 * `klsim sweep` can be trusted: every row equals a separate `klsim run` of the same point (β, a
 * --vary value, a seed), the optimum columns are the closed form at the run's *final* β, `converged`
 * is TV(π_final, π*) ≤ tol computed here from the run's own policies, seeds fold into their mean and
 * sample std, and the progress bar appears only on a terminal.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import type { Io } from "../../src/cli/io.js";
import { sweepWorkers } from "../../src/cli/sweep-job.js";
import { batchesOf, oneThreadBatch, sweepCommand, sweepSpec } from "../../src/cli/sweep.js";
import { loadWithSettings } from "../../src/scenario/settings.js";
import { klsim, ROOT } from "./klsim.js";

type Json = Record<string, unknown>;

async function json(args: string[]): Promise<unknown> {
  const result = await klsim(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

const tv = (p: number[], q: number[]) => p.reduce((s, x, i) => s + Math.abs(x - q[i]!), 0) / 2;

/** π* ∝ π_ref·exp(r/β), computed here (the reverse-KL closed form). */
function reverseOptimum(ref: number[], reward: number[], beta: number): number[] {
  const w = ref.map((p, i) => p * Math.exp(reward[i]! / beta));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

describe("klsim sweep", () => {
  it("rows equal separate runs; converged is TV(π, π*) ≤ 0.01 of the run's own policies", async () => {
    const betas = [0.02, 0.5];
    const rows = (await json(["sweep", "reward-hacking", "--beta", betas.join(","), "--steps", "3000", "--jobs", "2", "--json"])) as Json[];
    expect(rows).toHaveLength(2);
    for (const [k, beta] of betas.entries()) {
      const run = (await json(["run", "reward-hacking", "--beta", String(beta), "--steps", "3000", "--json"])) as Json & {
        policy: number[];
        optimum: Json & { policy: number[] };
      };
      const row = rows[k]!;
      for (const key of ["reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "objective"]) {
        expect(row[key], key).toBe(run[key]);
        expect(row[`opt_${key}`], `opt_${key}`).toBe(run.optimum[key]);
      }
      const distance = tv(run.policy, run.optimum.policy);
      expect(row.tv_to_opt as number).toBeCloseTo(distance, 12);
      expect(row.converged).toBe(distance <= 0.01);
    }
    // far from the optimum at β = 0.02 (the hack token has not taken over after 3000 steps), there at 0.5
    expect(rows.map((r) => r.converged)).toEqual([false, true]);
    expect(rows[0]!.tv_to_opt as number).toBeGreaterThan(0.5);
  });

  it("one step is never converged; --tol 1 accepts anything", async () => {
    const [tight] = (await json(["sweep", "basic", "--beta", "0.5", "--steps", "1", "--json"])) as Json[];
    expect(tight!.converged).toBe(false);
    const [loose] = (await json(["sweep", "basic", "--beta", "0.5", "--steps", "1", "--tol", "1", "--json"])) as Json[];
    expect(loose!.converged).toBe(true);
  });

  it("fit mode: converged is null (the teacher is out of a Gaussian student's reach), tv_to_opt still the distance to it", async () => {
    const rows = (await json(["sweep", "bimodal-distill", "--vary", "penalty=forward,reverse", "--steps", "200", "--json"])) as Json[];
    expect(rows.map((r) => r.converged)).toEqual([null, null]);
    for (const row of rows) expect(row.tv_to_opt as number).toBeGreaterThan(0.1); // one bump against two modes
    const text = await klsim(["sweep", "bimodal-distill", "--vary", "penalty=forward,reverse", "--steps", "200"]);
    expect(text.stdout).not.toContain("NOT converged");
    expect(text.stdout).toContain("out of a restricted student's reach");
  });

  it("adaptive: the optimum columns are the closed form at final_beta, not at the initial β", async () => {
    const rows = (await json(["sweep", "adaptive", "--vary", "controller.target=0.1,1", "--json"])) as Json[];
    const ref = [0.3, 0.25, 0.2, 0.12, 0.08, 0.05];
    const reward = [0, 0.2, 0.4, 0.6, 0.8, 1];
    expect(rows.map((r) => r["controller.target"])).toEqual([0.1, 1]);
    for (const row of rows) {
      const final = row.final_beta as number;
      expect(final).not.toBeCloseTo(1, 2);
      const star = reverseOptimum(ref, reward, final);
      expect(row.opt_reward as number).toBeCloseTo(
        star.reduce((s, p, i) => s + p * reward[i]!, 0),
        10,
      );
      // the controller held KL(π‖π_ref) at its target
      expect(row.reverse_kl as number).toBeCloseTo(row["controller.target"] as number, 2);
    }
  });

  it("--vary: each row equals klsim run with that --set", async () => {
    const rows = (await json(["sweep", "sampled-ppo", "--beta", "0.3", "--steps", "300", "--vary", "sampling.estimator=k1,k3", "--json"])) as Json[];
    for (const [k, estimator] of ["k1", "k3"].entries()) {
      const run = (await json(["run", "sampled-ppo", "--beta", "0.3", "--steps", "300", "--set", `sampling.estimator=${estimator}`, "--json"])) as Json;
      expect(rows[k]!["sampling.estimator"]).toBe(estimator);
      expect(rows[k]!.reward).toBe(run.reward);
      expect(rows[k]!.final_beta).toBe(run.beta);
    }
  });

  it("--seeds: the mean and sample std of the separate seeds' runs", async () => {
    const [row] = (await json(["sweep", "sampled-ppo", "--beta", "0.3", "--steps", "200", "--seeds", "2", "--json"])) as Json[];
    const first = (JSON.parse(readFileSync(join(ROOT, "scenarios", "sampled-ppo.json"), "utf8")) as { seed: number }).seed;
    const a = (await json(["run", "sampled-ppo", "--beta", "0.3", "--steps", "200", "--seed", String(first), "--json"])) as Json;
    const b = (await json(["run", "sampled-ppo", "--beta", "0.3", "--steps", "200", "--seed", String(first + 1), "--json"])) as Json;
    const [ra, rb] = [a.reward as number, b.reward as number];
    expect(ra).not.toBe(rb);
    expect(row!.seeds).toBe(2);
    expect(row!.reward as number).toBeCloseTo((ra + rb) / 2, 14);
    expect(row!.reward_std as number).toBeCloseTo(Math.abs(ra - rb) / Math.SQRT2, 14);
  });

  it("bad --vary and --seeds in exact mode: one line, exit 2", async () => {
    const bad = await klsim(["sweep", "basic", "--beta", "0.1", "--vary", "sampling.estimator=k9", "--set", "mode=sampled"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^--vary sampling\.estimator: /);
    const seeds = await klsim(["sweep", "basic", "--beta", "0.1", "--seeds", "3"]);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toMatch(/^--seeds: .*mode=sampled/);
    const noGrid = await klsim(["sweep", "basic"]);
    expect(noGrid.code).toBe(2);
  });
});

function fakeIo(stderrIsTTY: boolean): Io & { stdout: string; progressCalls: string[] } {
  const io = {
    stdout: "",
    progressCalls: [] as string[],
    out(text: string) {
      io.stdout += text;
    },
    err() {},
    progress(text: string) {
      io.progressCalls.push(text);
    },
    stdoutIsTTY: false,
    stderrIsTTY,
    signal: new AbortController().signal,
  };
  return io;
}

describe("sweep's progress and --quiet", () => {
  const argv = ["basic", "--beta", "0.1,1", "--steps", "20", "--jobs", "1"];
  it("a progress bar on a terminal's stderr, cleared at the end", async () => {
    const io = fakeIo(true);
    expect(await sweepCommand(parseArgs(argv, sweepSpec), io)).toBe(0);
    // the runs are counted as they finish (a batch of β stepped together finishes together)
    const counts = io.progressCalls.slice(0, -1).map((t) => Number(t.match(/(\d+)\/2 runs$/)?.[1]));
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.at(-1)).toBe(2);
    expect(counts.every((c, i) => c >= 1 && (i === 0 || c > counts[i - 1]!))).toBe(true);
    expect(io.progressCalls.at(-1)).toBe("");
  });
  it("none when stderr is not a terminal, none with --quiet; --quiet prints no table", async () => {
    const piped = fakeIo(false);
    await sweepCommand(parseArgs(argv, sweepSpec), piped);
    expect(piped.progressCalls).toEqual([]);
    expect(piped.stdout).toMatch(/converged/);
    const quiet = fakeIo(true);
    await sweepCommand(parseArgs([...argv, "--quiet"], sweepSpec), quiet);
    expect(quiet.progressCalls).toEqual([]);
    expect(quiet.stdout).toBe("");
  });
});

describe("batchesOf: the shares the threads take", () => {
  const a = [{ label: "--set steps", key: "steps", value: 5 }];
  const b = [{ label: "--set steps", key: "steps", value: 6 }];
  const job = (settings: typeof a, beta: number, seed: number | null = null) => ({ file: "x", settings, beta, seed, tol: 0.01 });
  const jobs = [...Array.from({ length: 70 }, (_, k) => job(a, k)), ...Array.from({ length: 5 }, (_, k) => job(b, 100 + k)), job(b, 200, 7), job(b, 201, 8)];

  it("without the block kernel: one job each, in order", () => {
    const batches = batchesOf(jobs, 2, false);
    expect(batches.map((x) => x.length)).toEqual(jobs.map(() => 1));
    expect(batches.flat()).toEqual(jobs);
  });

  it("with it: consecutive jobs of one setting list and no seed, in groups of 8 to 32, in order", () => {
    for (const threads of [1, 2, 4]) {
      const batches = batchesOf(jobs, threads, true);
      expect(batches.flat()).toEqual(jobs);
      for (const batch of batches) {
        expect(batch.length).toBeLessThanOrEqual(32);
        expect(new Set(batch.map((j) => j.settings)).size).toBe(1);
        if (batch.length > 1) expect(batch.every((j) => j.seed === null)).toBe(true);
      }
      // 70 β of one setting list: whole groups of 8 but the last
      const first = batches.filter((x) => x[0]!.settings === a);
      expect(first.slice(0, -1).every((x) => x.length % 8 === 0)).toBe(true);
      expect(first.reduce((n, x) => n + x.length, 0)).toBe(70);
    }
  });

  it("one thread: batches of oneThreadBatch runs, bounded by memory (runs × V ≤ 2¹⁸) and work (runs × V × steps ≤ 5·10⁸), at least 16", () => {
    // by hand: V = 256, 5000 steps: 2¹⁸/256 = 1024, 5·10⁸/(256·5000) = 390.6 → 384
    expect(oneThreadBatch(256, 5000)).toBe(384);
    // V = 16, 20 000 steps: 16 384 and 1562.5 → 1560
    expect(oneThreadBatch(16, 20_000)).toBe(1560);
    // V = 8192: 32 by memory; with 5000 steps 12.2 by work → the floor of 16
    expect(oneThreadBatch(8192, 10)).toBe(32);
    expect(oneThreadBatch(8192, 5000)).toBe(16);
    expect(oneThreadBatch(4096, 5000)).toBe(24);
    const batches = batchesOf(jobs, 1, true, 24);
    expect(batches.flat()).toEqual(jobs);
    // 70 β of one setting list: 24, 24, 22; then 5 of the other; then the two with seeds alone
    expect(batches.map((x) => x.length)).toEqual([24, 24, 22, 5, 1, 1]);
  });
});

describe("sweepWorkers: how many threads a sweep takes", () => {
  it("--jobs when given; one where the block kernel takes it; else the cost model, by hand", async () => {
    const basic = (steps: number) => loadWithSettings("basic", [{ label: "--steps", key: "steps", value: steps }]);
    const large = await loadWithSettings("large-vocab", [
      { label: "--set vocab", key: "vocab", value: 16_384 },
      { label: "--steps", key: "steps", value: 20 },
    ]);
    expect(sweepWorkers(3, 200, await basic(100), true, 0)).toBe(3);
    expect(sweepWorkers(5, 2, await basic(100), false, 7)).toBe(2); // never more threads than points
    expect(sweepWorkers(undefined, 200, await basic(50_000), true, 1)).toBe(1);
    // V = 4, 200 β × 50 000 steps, one idle core: the steps 200·5·10⁴·(60 + 4·1.2) ns = 0.648 s alone;
    // a worker costs 0.17 s to start: (0.648 + 0.17)/2 = 0.41 s, so two
    expect(sweepWorkers(undefined, 200, await basic(50_000), false, 1)).toBe(2);
    // 1000 steps: 0.013 s of steps, less than a worker's start: one
    expect(sweepWorkers(undefined, 200, await basic(1000), false, 1)).toBe(1);
    // V = 16 384 with one idle core: the helper thread takes it (measured faster than two workers)
    expect(sweepWorkers(undefined, 1600, large, false, 1)).toBe(1);
    // … with seven: 1600·20·(60 + 16 384·1.2) ns = 0.631 s of steps, 0.157 s of per-β work;
    // alone 0.631/1.8 + 0.157 = 0.508 s; w workers (0.788 + (w − 1)·0.186)/w falls to 0.261 at w = 8
    expect(sweepWorkers(undefined, 1600, large, false, 7)).toBe(8);
  });
});
