/**
 * The native block kernel (src/engine/block-runs.ts): K runs of one problem stepped together, 8 to
 * a vector, must end each clean run with the bits of the same run taken alone by FastStepper's
 * native batched steps (the separate run a sweep would otherwise make), for both kernel penalties,
 * SGD and Adam, with and without a gold reward, at vocabularies that fill 8-token groups and that do
 * not; and must mark dirty exactly the runs the single path would not finish cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { emptyMetricRow, METRIC } from "../../src/core/metric-row.js";
import type { OptimizerConfig } from "../../src/core/optimizers.js";
import { makeProblem, type Problem } from "../../src/core/problem.js";
import { type BlockConfig, blockShare, blockTakes, runBlock } from "../../src/engine/block-runs.js";
import { compileKernel } from "../../src/engine/kernel-wat.mjs";
import { FastStepper } from "../../src/engine/fast-stepper.js";
import { setNativeKernel } from "../../src/engine/native.js";
import { setKernel } from "../../src/engine/wasm.js";
import { buildNativeKernel } from "../helpers/native.js";
import { seededRandom } from "../helpers/random.js";

const native = buildNativeKernel();
beforeAll(async () => {
  setKernel(await compileKernel());
  setNativeKernel(native.kernel);
});
afterAll(() => {
  setKernel(null);
  setNativeKernel(null);
});

function randomProblem(V: number, seed: number, gold: boolean): Problem {
  const rand = seededRandom(seed);
  const ref = Array.from({ length: V }, () => 0.02 + rand());
  const reward = Array.from({ length: V }, () => 2 * rand() - 0.5);
  return makeProblem(ref, reward, gold ? Array.from({ length: V }, () => rand()) : null);
}

/** The run alone: FastStepper (native batched steps) from π_ref, `steps` steps at β; its last row and π, whether a step was handed back, or null if it failed. */
function separateRun(problem: Problem, config: BlockConfig, beta: number) {
  const stepper = FastStepper.create(problem, config.optimizer, { threads: false })!;
  expect(stepper.kernel).toMatch(/^native/);
  stepper.reset(config.penalty);
  let done = 0;
  while (done < config.steps) {
    const n = Math.min(stepper.maxSteps, config.steps - done);
    const ran = stepper.advance(config.penalty, beta, n);
    done += ran;
    if (ran < n || stepper.failure()) return null;
  }
  const metrics = emptyMetricRow();
  stepper.readCurrent(metrics);
  return { metrics, policy: stepper.policy().slice(), handedBack: stepper.handedBack > 0 };
}

const SGD: OptimizerConfig = { kind: "sgd", lr: 1 };
const ADAM: OptimizerConfig = { kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
// 20 runs: three blocks of 8 (the last padded), so a pass takes two blocks and then the odd one, on one thread or two
const BETAS = [0, 1e-3, 0.05, 0.3, 1, 2.5, 10, 300, 0.7, 0.02, 4, 0.1, 0.15, 0.45, 0.6, 3, 5.5, 7, 20, 50];

describe("how many runs a sweep gives the block (blockShare)", () => {
  it("below 2048 tokens all of them; from there whole blocks of 8, unless the rest cost a block's 8 lanes anyway", () => {
    // [V, runs, taken]: from 2048 the last r < 8 go one by one when r · 1.2 < 8, i.e. r ≤ 6
    const CASES: Array<[number, number, number]> = [
      [16, 20, 20],
      [2047, 3, 3],
      [2048, 16, 16],
      [4096, 20, 16],
      [4096, 3, 0],
      [4096, 6, 0],
      [4096, 7, 7],
      [4096, 15, 15],
      [8192, 200, 200],
      [8192, 201, 200],
    ];
    for (const [V, runs, taken] of CASES) expect(blockShare(V, runs), `V = ${V}, ${runs} runs`).toBe(taken);
  });
});

describe.skipIf(!native.kernel)(`the block kernel${native.kernel ? "" : ` (skipped: ${native.reason})`}`, () => {
  const cases: Array<[string, number, string, OptimizerConfig, boolean, number]> = [
    ["V 16, reverse, SGD", 16, "reverse", SGD, false, 400],
    ["V 5, reverse, SGD, gold", 5, "reverse", SGD, true, 300],
    ["V 37, forward, SGD", 37, "forward", SGD, false, 250],
    ["V 8, reverse, Adam", 8, "reverse", ADAM, false, 300],
    ["V 300, forward, Adam, gold", 300, "forward", ADAM, true, 120],
    ["V 1", 1, "reverse", SGD, false, 50],
    // from PARALLEL_MIN (2048) tokens the single kernel sums two chunks: the block must too
    ["V 2100 (two chunks), reverse, SGD", 2100, "reverse", SGD, false, 30],
    ["V 4096 (two chunks), forward, Adam, gold", 4096, "forward", ADAM, true, 20],
  ];
  for (const [name, V, penaltyName, optimizer, gold, steps] of cases) {
    it(`${name}: every run ends with its separate run's bits`, async () => {
      const problem = randomProblem(V, V * 7 + steps, gold);
      const config: BlockConfig = { penalty: divergenceNamed(penaltyName), optimizer, steps, floor: -Infinity };
      expect(blockTakes(problem, config)).toBe(true);
      const ends = await runBlock(native.kernel!, problem, config, BETAS, undefined, false);
      expect(ends).toHaveLength(BETAS.length);
      // a second thread (half the blocks; or chunk 1 of each step from 2048 tokens) changes no bit
      const threaded = await runBlock(native.kernel!, problem, config, BETAS, undefined, true);
      expect(threaded).toEqual(ends);
      // 20 runs are three blocks (from 2048 tokens both threads share the odd one chunk by chunk);
      // one block and an even number of blocks split the threads' work otherwise: no bit changes either
      for (const runs of [8, 16]) {
        const some = BETAS.slice(0, runs);
        expect(await runBlock(native.kernel!, problem, config, some, undefined, true), `${runs} runs, two threads`).toEqual(ends.slice(0, runs));
      }
      let clean = 0;
      BETAS.forEach((beta, k) => {
        const alone = separateRun(problem, config, beta);
        const end = ends[k];
        // dirty: the run alone failed, or had a step handed back to JavaScript (lr·β past stability)
        if (end === null) return expect(alone === null || alone.handedBack, `β = ${beta} dirty`).toBe(true);
        clean++;
        expect(alone).not.toBeNull();
        expect(alone!.handedBack).toBe(false);
        for (const field of ["reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "penalty_value"] as const)
          expect(
            Object.is(end!.metrics[METRIC[field]], alone!.metrics[METRIC[field]]),
            `β = ${beta} ${field}: ${end!.metrics[METRIC[field]]} vs ${alone!.metrics[METRIC[field]]}`,
          ).toBe(true);
        expect(Array.from(end!.policy)).toEqual(Array.from(alone!.policy));
      });
      expect(clean).toBeGreaterThanOrEqual(BETAS.length - 2);
    });
  }

  // V = 12: the runs go in a block; V = 2100: fewer than a block's worth, each one by one (solo)
  for (const V of [12, 2100]) {
    it(`marks dirty the runs the single path hands back or fails, and only those (V = ${V})`, async () => {
      const problem = randomProblem(V, 3, false);
      // lr 1e10: a step throws θ far past the shift's slack at small β; at β = 0 too
      const config: BlockConfig = { penalty: divergenceNamed("reverse"), optimizer: { kind: "sgd", lr: 1e10 }, steps: 30, floor: -Infinity };
      const ends = await runBlock(native.kernel!, problem, config, [0, 1e-6, 1e-3]);
      expect(ends.every((end) => end === null)).toBe(true);
      // the same runs at a sane lr: clean
      const sane = await runBlock(native.kernel!, problem, { ...config, optimizer: SGD }, [0, 1e-6, 1e-3]);
      expect(sane.every((end) => end !== null)).toBe(true);
    });

    it(`marks dirty a run whose objective goes below the instability floor, and not one above it (V = ${V})`, async () => {
      const problem = randomProblem(V, 9, false);
      // from π_ref J = E_ref[r]; an ascent at a stable step size (β = 0.5, lr 1) only raises it
      let expected = 0;
      for (let i = 0; i < problem.V; i++) expected += problem.ref[i]! * problem.reward[i]!;
      const base: BlockConfig = { penalty: divergenceNamed("reverse"), optimizer: SGD, steps: 40, floor: expected - 0.5 };
      expect((await runBlock(native.kernel!, problem, base, [0.5]))[0]).not.toBeNull();
      // a floor above every reachable objective (max r + 1): every step is below it
      const high = Math.max(...problem.reward) + 1;
      expect(await runBlock(native.kernel!, problem, { ...base, floor: high }, [0.5, 0])).toEqual([null, null]);
    });
  }

  it("answers an aborted signal between slices", async () => {
    const problem = randomProblem(2000, 4, false);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      runBlock(native.kernel!, problem, { penalty: divergenceNamed("reverse"), optimizer: SGD, steps: 10, floor: -Infinity }, [1], controller.signal),
    ).rejects.toThrow("stop");
  });
});
