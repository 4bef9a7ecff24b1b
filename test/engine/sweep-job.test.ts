/**
 * A sweep's per-β execution (src/cli/sweep-job.ts): one simulation per thread restarted at every β
 * must give each β the row a separate run gives — the same bits — on every engine, whatever order
 * the β come in, with diverging and adaptive runs among them. The separate run is runScenario on a
 * fresh Simulation, as `klsim run --beta B` does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { optimumOf } from "../../src/core/optima.js";
import { metricsOf } from "../../src/core/metrics.js";
import { compileKernel } from "../../src/engine/kernel-wat.mjs";
import { setNativeKernel, type NativeKernel } from "../../src/engine/native.js";
import { setKernel } from "../../src/engine/wasm.js";
import { runScenario } from "../../src/cli/run.js";
import { blockRunsTaken, forgetSimulations, sweepBatch, sweepOne } from "../../src/cli/sweep-job.js";
import { loadWithSettings, type Setting } from "../../src/scenario/settings.js";
import { buildNativeKernel } from "../helpers/native.js";

const native = buildNativeKernel();
beforeAll(async () => setKernel(await compileKernel()));
afterAll(() => {
  setKernel(null);
  setNativeKernel(null);
});

const set = (key: string, value: unknown): Setting => ({ label: `--set ${key}`, key, value });

/** The row of a separate run at β: a fresh Simulation, and the optimum's metrics. */
async function separateRun(file: string, settings: Setting[], beta: number) {
  const scenario = await loadWithSettings(file, settings);
  const spec = { ...scenario.spec, beta };
  const { sim } = await runScenario({ ...scenario, spec }, { every: spec.steps });
  const penalty = divergenceNamed(spec.penalty);
  const { ref, logRef, reward } = scenario.problem;
  // the optimum at the run's final β (an adaptive controller moves it: issue 15), as `klsim run --json`
  // reports it (the kernel's exp where there is one) — and the plain closed form agrees to rounding
  const o = sim.optimum().metrics;
  const plain = metricsOf(scenario.problem, optimumOf(penalty, ref, logRef, reward, sim.beta), penalty, sim.beta);
  for (const key of ["reward", "reverseKL", "forwardKL"] as const) {
    if (Number.isFinite(plain[key])) expect(Math.abs(o[key] - plain[key])).toBeLessThan(1e-12 * Math.max(1, Math.abs(plain[key])));
    else expect(o[key]).toBe(plain[key]); // β = 0: π* puts no mass off argmax r, KL(π_ref‖π*) = ∞
  }
  const m = sim.metrics();
  return [
    beta,
    sim.currentStep,
    m.reward,
    m.goldReward,
    m.forwardKL,
    m.reverseKL,
    m.entropy,
    m.objective,
    o.reward,
    o.reverseKL,
    o.forwardKL,
    sim.beta,
    sim.divergedAt,
  ];
}

const CASES: Array<[string, string, Setting[], number[]]> = [
  ["basic, reverse, SGD", "basic", [set("steps", 700)], [0.5, 0.05, 2, 0.5, 0]],
  ["basic, forward, Adam", "basic", [set("steps", 400), set("penalty", "forward"), set("optimizer.kind", "adam"), set("optimizer.lr", 0.1)], [0.3, 3, 0.01]],
  ["adaptive controller", "adaptive", [set("steps", 500)], [0.05, 0.4, 0.05]],
  ["js penalty (the plain stepper)", "basic", [set("steps", 300), set("penalty", "js")], [0.2, 1]],
  // lr 1e10: diverges at once at small β; the next β on the same simulation must start clean
  ["a diverging run between two that do not", "basic", [set("steps", 200), set("optimizer.lr", 1e10)], [10, 0, 10]],
  ["large vocabulary (two chunks), Adam", "large-vocab", [set("steps", 60), set("vocab", 2100)], [0.1, 1, 0.1]],
];

const ENGINES: Array<[string, NativeKernel | null]> = [
  ["WebAssembly kernel", null],
  ["native kernel", native.kernel],
];

for (const [engine, kernel] of ENGINES) {
  describe.skipIf(engine === "native kernel" && !kernel)(`sweep rows on one restarted simulation equal separate runs (${engine})`, () => {
    beforeAll(() => {
      setNativeKernel(kernel);
      forgetSimulations(); // the next simulation steps on this engine's kernels
    });
    for (const [name, file, settings, betas] of CASES) {
      it(name, async () => {
        for (const beta of betas) {
          const row = await sweepOne({ file, settings, beta, seed: null, tol: 0.01 });
          const values = [
            row.beta,
            row.steps,
            row.reward,
            row.gold_reward,
            row.forward_kl,
            row.reverse_kl,
            row.entropy,
            row.objective,
            row.opt_reward,
            row.opt_reverse_kl,
            row.opt_forward_kl,
            row.final_beta,
            row.diverged_at,
          ];
          expect(values, `${name} β = ${beta}`).toEqual(await separateRun(file, settings, beta));
        }
      });
    }
  });
}

describe.skipIf(!native.kernel)("a batch of β (sweepBatch): the native block kernel's rows are sweepOne's, bit for bit", () => {
  beforeAll(() => {
    setNativeKernel(native.kernel);
    forgetSimulations();
  });
  // [name, scenario, settings, β, how many the block takes (the rest run on their own)]
  const BATCHES: Array<[string, string, Setting[], number[], (taken: number) => boolean]> = [
    ["basic, reverse, SGD", "basic", [set("steps", 700)], [0.5, 0.05, 2, 0, 10, 0.3, 1e-3, 7, 0.9], (n) => n >= 8],
    [
      "basic, forward, Adam",
      "basic",
      [set("steps", 400), set("penalty", "forward"), set("optimizer.kind", "adam"), set("optimizer.lr", 0.1)],
      [0.3, 3, 0.01],
      (n) => n === 3,
    ],
    ["reward-hacking (a gold reward)", "reward-hacking", [set("steps", 300)], [0.05, 0.2, 1, 4, 0.01, 0.5, 2, 8, 0.1], (n) => n >= 8],
    // lr 1e10: the small β diverge (dirty in the block: run again on their own)
    ["diverging runs among clean ones", "basic", [set("steps", 200), set("optimizer.lr", 1e10)], [10, 0, 10, 1e-3], (n) => n < 4],
    ["adaptive controller (no block: each on its own)", "adaptive", [set("steps", 300)], [0.05, 0.4], (n) => n === 0],
    // from 2048 tokens a partial last block is not worth its pad lanes: 10 β = a block of 8 and 2
    // one by one in the same kernel call (a thread each), all 10 clean
    [
      "large vocabulary: a whole block, the rest one by one",
      "large-vocab",
      [set("steps", 30), set("vocab", 2100)],
      [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 2, 3, 5],
      (n) => n === 10,
    ],
    [
      "large vocabulary, fewer β than a block: each one by one in the kernel",
      "large-vocab",
      [set("steps", 30), set("vocab", 2100)],
      [0.1, 1, 3],
      (n) => n === 3,
    ],
    // a partial last group (2053 = 8·256 + 5: the pad lanes' masks), the forward penalty, SGD
    [
      "large vocabulary, forward, SGD, V mod 8 = 5: one by one",
      "large-vocab",
      [set("steps", 40), set("vocab", 2053), set("penalty", "forward"), set("optimizer.kind", "sgd"), set("optimizer.lr", 0.5)],
      [0.02, 0.3, 4],
      (n) => n === 3,
    ],
  ];
  for (const [name, file, settings, betas, taken] of BATCHES) {
    it(name, async () => {
      const jobs = betas.map((beta) => ({ file, settings, beta, seed: null, tol: 0.01 }));
      const before = blockRunsTaken();
      const rows = await sweepBatch(jobs);
      expect(taken(blockRunsTaken() - before), `${blockRunsTaken() - before} taken by the block`).toBe(true);
      expect(rows).toHaveLength(betas.length);
      for (const [k, job] of jobs.entries()) expect(rows[k], `${name} β = ${job.beta}`).toEqual(await sweepOne(job));
    });
  }
});
