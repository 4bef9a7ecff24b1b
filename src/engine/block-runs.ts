/**
 * A block of runs on one problem that differ only in their fixed β, stepped together by the native
 * kernel's `block` (native/kernel.c): vectors hold 8 runs instead of 8 tokens, so at a small
 * vocabulary the step's fixed cost (reductions, a log, the row) is shared out over 8 runs — the
 * layout a batched numpy sweep has, β along one axis. Each clean run ends with the bits its separate
 * run (FastStepper's native batched steps) gives; a run the single kernel would hand a step back
 * from, or whose objective the instability watch would see far below, comes back dirty (null) and
 * the caller runs it on its own. test/engine/block-runs.test.ts holds both claims.
 */
import type { Divergence } from "../core/divergence.js";
import { SoftmaxFamily } from "../core/families/softmax.js";
import { emptyMetricRow } from "../core/metric-row.js";
import { type Adam, createOptimizer, type OptimizerConfig } from "../core/optimizers.js";
import type { Problem } from "../core/problem.js";
import { BIAS, BLOCK_GAP, BLOCK_LANE, chunkSplit, GROUP, KERNEL_OPTIMIZERS, KERNEL_PENALTIES, PARALLEL_MIN, ROW } from "./contract.mjs";
import { kernelPenalty, metricsOfKernelRow, PENALTY_SLOT, tickInto } from "./fast-stepper.js";
import type { NativeKernel } from "./native.js";
import { blockThreads } from "./threads.js";

/** What the block needs to know of a run's configuration: the same for every run of the block but β. */
export interface BlockConfig {
  penalty: Divergence;
  optimizer: OptimizerConfig;
  steps: number;
  /** The instability watch's floor (sim/instability.ts): a run whose objective falls below it is dirty. */
  floor: number;
}

/** A clean run's end: its last step's metric row (METRIC order, as FastStepper.readRow) and π. */
export interface BlockRunEnd {
  metrics: Float64Array;
  policy: Float64Array;
}

const LANE = Object.fromEntries(BLOCK_LANE.map((name, k) => [name, k])) as Record<(typeof BLOCK_LANE)[number], number>;
const LANE_SLOTS = BLOCK_LANE.length + ROW.length;
/** Token-steps per kernel call at most (~10 ms): a signal is answered between calls. */
const SLICE_WORK = 1e7;

/**
 * The largest vocabulary the block takes: its θ and e hold a token's runs side by side, so a block
 * of 8 runs reads one cache line a token from arrays K runs wide; past ~L3 size (θ and e of 32 runs
 * at 8192 tokens: 4 MB) it waits on memory (measured: a 200-β sweep at V = 65 536 took 2.4 s in
 * blocks, 0.95 s run by run, whose 512 KB arrays stay in L2).
 */
const MAX_V = 8192;

/** Where run `run`'s value of token i is in one of the token arrays: [block of 8 runs][token][run in block], blocks BLOCK_GAP apart (kernel.c block). */
function tokenAt(V: number, run: number, i: number): number {
  return (run >> 3) * (V * 8 + BLOCK_GAP) + i * 8 + (run & 7);
}

/** Where run `run`'s lane slot is in the lanes: [block][slot][run in block], blocks BLOCK_GAP apart. */
function laneAt(slot: number, run: number): number {
  return (run >> 3) * (LANE_SLOTS * 8 + BLOCK_GAP) + slot * 8 + (run & 7);
}

// One loop a function, each optimised on its own: the sweep calls runBlock once, cold.

/** x with each element repeated 8 times in a row: a token's value for a block's 8 runs. */
function eightEach(x: Float64Array): Float64Array {
  const out = new Float64Array(8 * x.length);
  for (let j = 0; j < out.length; j++) out[j] = x[j >> 3]!;
  return out;
}

/** The V elements of `x` from `first`, `stride` apart, times `scale`: a run's π (a block's column, stride 8; a solo run's, 1). */
function policyOf(x: Float64Array, first: number, stride: number, V: number, scale: number): Float64Array {
  const out = new Float64Array(V);
  for (let i = 0; i < V; i++) out[i] = x[first + stride * i]! * scale;
  return out;
}

/**
 * How a run one by one (the single kernel's steps, on one thread) costs against a run in a block,
 * from PARALLEL_MIN tokens: measured ~1.06 at V = 4096, 5000 SGD steps (19.5 ms against a block of
 * 8 in 147 ms, one thread). 1.2 keeps 7 leftover runs in a block, where the two timed the same
 * (23 β: 247–271 ms in blocks, 259–263 with 7 alone, two threads).
 */
const ALONE_COST = 1.2;

/**
 * How many of `runs` runs (the first ones) the blocks take; the others run one by one, in the same
 * kernel call (each thread its own runs). A block always steps 8 lanes, so a partial last block pays
 * for its pad lanes: below PARALLEL_MIN that is still cheaper than a run's own steps (their fixed
 * cost is spread over few tokens), but from there a run on its own costs only ALONE_COST blocked
 * runs, and the last r < 8 runs go one by one when r of them cost less than 8 lanes (a sweep of
 * 20 β at V = 4096: 16 in blocks and 4 alone instead of 24 lanes).
 */
export function blockShare(V: number, runs: number): number {
  const partial = runs % 8;
  return V >= PARALLEL_MIN && partial * ALONE_COST < 8 ? runs - partial : runs;
}

/** Whether the block kernel takes these runs: a penalty and optimiser the kernels implement. */
export function blockTakes(problem: Problem, config: BlockConfig): boolean {
  return (
    problem.V <= MAX_V && config.steps > 0 && kernelPenalty(config.penalty) >= 0 && (KERNEL_OPTIMIZERS as readonly string[]).includes(config.optimizer.kind)
  );
}

/**
 * Runs `betas` (each from π_ref, as Simulation.reset starts one) for config.steps steps, the first
 * blockShare of them in blocks and the rest one by one; returns each run's end, or null where it
 * came out dirty. Yields to the event loop between slices, and throws signal.reason once the signal
 * is aborted. `threads` (default: threads.ts blockThreads, so never in a sweep's worker) lets a
 * second native thread take half the runs.
 */
export async function runBlock(
  kernel: NativeKernel,
  problem: Problem,
  config: BlockConfig,
  betas: readonly number[],
  signal?: AbortSignal,
  threads = blockThreads(),
): Promise<Array<BlockRunEnd | null>> {
  const { V } = problem;
  const blocked = blockShare(V, betas.length);
  const K = Math.ceil(blocked / 8) * 8; // pad runs repeat the last β; their results are dropped
  const solo = betas.length - blocked; // then K is `blocked`: a whole number of blocks
  const code = kernelPenalty(config.penalty);
  const adam = config.optimizer.kind === "adam";
  const kind = (adam ? 4 : 0) + code * 2 + (problem.gold ? 1 : 0);
  // the start every run shares: θ = log π_ref evaluated, as FastStepper.reset leaves it (invZ = 1)
  const family = new SoftmaxFamily(problem);
  family.reset();
  family.evaluate(config.penalty, emptyMetricRow());
  const start = family.state;
  const lanes = new Float64Array(Math.ceil((K + solo) / 8) * (LANE_SLOTS * 8 + BLOCK_GAP));
  const array = (K / 8) * (V * 8 + BLOCK_GAP); // one of θ, e (and Adam's m, v)
  const tokens = new Float64Array((adam ? 4 : 2) * array);
  for (let l = 0; l < K + solo; l++) {
    const beta = betas[Math.min(l, betas.length - 1)]!;
    lanes[laneAt(LANE.beta, l)] = beta;
    lanes[laneAt(LANE.invZ, l)] = 1;
    lanes[laneAt(LANE.logZ, l)] = start.logZ;
    lanes[laneAt(LANE.mean, l)] = KERNEL_PENALTIES[code]!.mean(start.reward, beta, start.reverseKL);
    lanes[laneAt(LANE.M, l)] = start.maxTheta;
  }
  // one block's stretch of θ and e (each token's value for its 8 runs), copied to every block: a
  // sweep's one call of this runs cold, and a fill per token and block took ~15 ms of it at V = 256
  const theta = eightEach(problem.logRef);
  const e = eightEach(start.pi);
  for (let block = 0; block < K / 8; block++) {
    tokens.set(theta, tokenAt(V, block * 8, 0));
    tokens.set(e, array + tokenAt(V, block * 8, 0));
  }
  // each solo run's θ, e (and m, v: 0), V apiece
  const soloArrays = adam ? 4 : 2;
  const soloTokens = new Float64Array(solo * soloArrays * V);
  for (let j = 0; j < solo; j++) {
    soloTokens.set(problem.logRef, j * soloArrays * V);
    soloTokens.set(start.pi, (j * soloArrays + 1) * V);
  }
  const data = new Float64Array(4 * V);
  data.set(problem.reward, 0);
  data.set(problem.gold ?? problem.reward, V);
  data.set(problem.ref, 2 * V);
  data.set(problem.logRef, 3 * V);
  // Adam's bias corrections of each step, from the optimiser's own tick() (as FastStepper's batched runs)
  const optimizer = adam ? (createOptimizer(config.optimizer, 1) as Adam) : null;
  const bias = new Float64Array(optimizer ? BIAS.length * config.steps : 0);
  if (optimizer) tickInto(optimizer, config.steps, bias);
  const { lr } = config.optimizer;
  const [b1, b2, eps] = optimizer ? [optimizer.config.beta1, optimizer.config.beta2, optimizer.config.eps] : [0, 0, 0];
  const slice = Math.max(1, Math.floor(SLICE_WORK / ((K + solo) * V)));
  // the one-run kernel's chunks (FastStepper cuts the vocabulary the same way): their sums' order
  const split = V >= PARALLEL_MIN ? chunkSplit(V) * GROUP : V;
  for (let done = 0; done < config.steps; ) {
    if (signal?.aborted) throw signal.reason;
    const n = Math.min(slice, config.steps - done);
    kernel.block(
      lanes,
      tokens,
      data,
      bias.subarray(BIAS.length * done),
      V,
      K,
      n,
      kind,
      lr,
      b1,
      b2,
      eps,
      config.floor,
      threads ? 2 : 1,
      split,
      solo,
      soloTokens,
    );
    done += n;
    if (done < config.steps) await new Promise((resolve) => setImmediate(resolve));
  }
  const row = new Float64Array(ROW.length);
  return betas.map((_, l) => {
    if (lanes[laneAt(LANE.dirty, l)] !== 0) return null;
    // the run's last row, read as FastStepper reads its own
    for (let slot = 0; slot < ROW.length; slot++) row[slot] = lanes[laneAt(BLOCK_LANE.length + slot, l)]!;
    const metrics = emptyMetricRow();
    metricsOfKernelRow(row, 0, problem.gold !== null, PENALTY_SLOT[code]!, metrics);
    // π = e·invZ, the product FastStepper's sync takes
    const invZ = lanes[laneAt(LANE.invZ, l)]!;
    const policy = l < K ? policyOf(tokens, array + tokenAt(V, l, 0), 8, V, invZ) : policyOf(soloTokens, ((l - K) * soloArrays + 1) * V, 1, V, invZ);
    return { metrics, policy };
  });
}
