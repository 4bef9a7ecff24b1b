/**
 * One point of a sweep: runs the scenario with the point's settings (β, the --vary values, a seed)
 * and compares the final policy with the closed-form optimum at the run's final β. This is the one
 * per-point function the sweep's orchestration calls (in a worker thread or in-process). In exact
 * mode a thread keeps one Simulation per scenario and restarts it at each β (no random stream to
 * replay), so its steppers and kernel memory are made once per thread, not once per β; the rows
 * are those of separate runs, bit for bit (test/engine/sweep-job.test.ts).
 */
import { convergenceOf } from "../explore/convergence.js";
import { simConfigOf, type Scenario } from "../scenario/loader.js";
import { loadWithSettings, type Setting } from "../scenario/settings.js";
import type { RecordField } from "../sim/record.js";
import { idleCores } from "../engine/threads.js";
import { createController } from "../core/controllers.js";
import { rewardMaxOf } from "../core/distributions.js";
import type { PolicyMetrics } from "../core/metrics.js";
import type { OptimumPasses } from "../core/optimum-passes.js";
import { type BlockConfig, blockTakes, runBlock } from "../engine/block-runs.js";
import { nativeExp, nativeKernel, nativePasses } from "../engine/native.js";
import { InstabilityWatch } from "../sim/instability.js";
import { RECORD_FIELDS, writeRecord } from "../sim/record.js";
import { metricsOfRecord, type OptimumView, optimumViewOf, type SimConfig, Simulation } from "../sim/simulation.js";
import { drawsSamples, mayUseNative, reachesOptimum, startsAtReference } from "../sim/steppers.js";
import { runScenario } from "./run.js";

/**
 * The cost model behind the thread count, measured with `klsim bench` and `bench --sweep` on a
 * 2-core AVX-512 machine: a worker's start (thread, module graph, kernels; then the scenario, ~1 µs
 * a token to read) ~ 0.17 s before its first row; a fast step ~ 60 ns plus ~1.2 ns per token (the
 * plain TypeScript engine ~ 10× that per token); each β ~ 6 ns a token besides (its optimum, its
 * restart: ~0.4 ms at V = 65 536); and from HELPER_V tokens on, this thread's kernel has the native
 * helper thread (~1.8× faster), which workers never get.
 */
const WORKER_START_S = 0.17;
const SCENARIO_TOKEN_S = 1e-6;
const STEP_S = 60e-9;
const TOKEN_STEP_S = 1.2e-9;
const BETA_TOKEN_S = 6e-9;
const HELPER_V = 16_384;
const HELPER_SPEEDUP = 1.8;

/**
 * Threads for a sweep of `betas` β on `scenario` (this one and the rest workers): `requested`
 * (--jobs) when given; 1 where the native block kernel takes the sweep (`blockable`: it runs on
 * two cores itself), and from HELPER_V tokens when at most one core is idle (the helper thread takes
 * it: measured on 2 cores at V = 16 384 and 65 536, 100–1600 β of 20 and 200 steps, two workers
 * were 7–25% slower every time, each with its own copy of the scenario and kernel memory); else the
 * count w that minimises the estimated time, (work + (w − 1)·start)/w over w ≤ 1 + idle cores (this
 * thread works while the workers start). `idle`: idle cores (threads.ts idleCores), for the tests.
 */
export function sweepWorkers(requested: number | undefined, betas: number, scenario: Scenario, blockable: boolean, idle = idleCores()): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, betas));
  if (blockable) return 1;
  const { steps } = scenario.spec;
  const V = scenario.problem.V;
  if (V >= HELPER_V && idle <= 1) return 1;
  const kernel = betas * steps * (STEP_S + V * TOKEN_STEP_S);
  const perBeta = betas * V * BETA_TOKEN_S;
  const most = Math.min(betas, 1 + idle);
  // alone, this thread's kernel may have the helper thread; with workers, assume nobody does
  const alone = (V >= HELPER_V && most > 1 ? kernel / HELPER_SPEEDUP : kernel) + perBeta;
  const start = WORKER_START_S + V * SCENARIO_TOKEN_S;
  const timeWith = (w: number) => (w === 1 ? alone : (kernel + perBeta + (w - 1) * start) / w);
  let best = 1;
  for (let w = 2; w <= most; w++) if (timeWith(w) < timeWith(best)) best = w;
  return best;
}

export interface SweepJob {
  file: string;
  /** The command line's scenario settings (--set, --steps, …) then the point's --vary values, applied in every thread alike. */
  settings: Setting[];
  /** The point's initial β; null keeps the scenario's. */
  beta: number | null;
  /** The point's seed; null keeps the scenario's. */
  seed: number | null;
  /** Tolerance on TV(π_final, π*) for `converged`. */
  tol: number;
}

/** The per-step metric columns of a record (record.ts), reused for the final and optimum values. */
export const METRIC_COLUMNS = ["reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "objective"] as const satisfies readonly RecordField[];
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** What one run of a sweep reports, in column order. */
export const RUN_COLUMNS = [
  "beta",
  "steps",
  ...METRIC_COLUMNS,
  ...METRIC_COLUMNS.map((c) => `opt_${c}` as const),
  "tv_to_opt",
  "converged",
  "final_beta",
  "diverged_at",
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number];

/** `converged` is null where π* is out of the model's reach (a restricted student and its teacher). */
export type SweepRun = Record<Exclude<RunColumn, "converged">, number | null> & { converged: boolean | null };

/** Scenarios already loaded in this thread: a sweep runs many points on one file, read and resolved once per setting list. */
const loaded = new Map<string, Promise<Scenario>>();

/** The scenario of `file` under `settings`, read and resolved once per thread (the plan's load is the in-process points' too). */
export function loadOnce(file: string, settings: Setting[]): Promise<Scenario> {
  const key = JSON.stringify([file, settings]);
  let scenario = loaded.get(key);
  if (!scenario) {
    scenario = loadWithSettings(file, settings);
    loaded.set(key, scenario);
  }
  return scenario;
}

/** This thread's simulation of each scenario (exact mode), restarted at every β. */
const simulations = new Map<Scenario, Simulation>();

/** Tests: forget this thread's simulations (the next β builds one with the kernels in use now). */
export function forgetSimulations(): void {
  simulations.clear();
}

/** This thread's simulation of the scenario (exact mode), restarted at starting β `beta`. */
function simulationAt(scenario: Scenario, beta: number): Simulation {
  let sim = simulations.get(scenario);
  if (!sim) {
    sim = new Simulation(scenario.problem, simConfigOf({ ...scenario, spec: { ...scenario.spec, beta } }));
    simulations.set(scenario, sim);
  } else sim.restart(beta);
  return sim;
}

export async function sweepOne(job: SweepJob, signal?: AbortSignal): Promise<SweepRun> {
  const scenario = await loadOnce(job.file, job.settings);
  const spec = { ...scenario.spec, ...(job.beta === null ? {} : { beta: job.beta }), ...(job.seed === null ? {} : { seed: job.seed }) };
  // a training mode (sampled, expected) draws from a seeded stream per run: a fresh simulation each
  const config = simConfigOf({ ...scenario, spec });
  const fresh = drawsSamples(config);
  const simulation = fresh ? undefined : simulationAt(scenario, spec.beta);
  const { sim } = await runScenario({ ...scenario, spec }, { every: spec.steps, signal, simulation });
  // The optimum at the run's final β (an adaptive controller's β has moved), as `klsim run --json` reports it.
  const reaches = reachesOptimum(config);
  return sweepRunOf(spec.beta, sim.currentStep, sim.metrics(), sim.policy, sim.optimum(), job.tol, sim.beta, sim.divergedAt, reaches, sim.passes);
}

let blockRuns = 0;

/** Runs this thread's batches have taken from the block kernel so far (the others ran on their own), for the tests. */
export function blockRunsTaken(): number {
  return blockRuns;
}

/** Whether the native block kernel takes this scenario's β (then a batch of them is stepped together). */
export function sweepBlockable(scenario: Scenario): boolean {
  return nativeKernel() !== null && blockConfigOf(scenario, simConfigOf(scenario)) !== null;
}

/**
 * The points of one scenario and settings that differ only in β (a worker's share of a sweep):
 * in exact mode under a fixed β, with the native kernel, stepped together by its block kernel
 * (engine/block-runs.ts: in blocks, and the last few one by one), each clean run with its separate
 * run's bits and every dirty run again on its own by sweepOne; otherwise each by sweepOne. Rows in
 * the jobs' order.
 */
export async function sweepBatch(jobs: readonly SweepJob[], signal?: AbortSignal): Promise<SweepRun[]> {
  const first = jobs[0];
  const kernel = nativeKernel();
  const settings = JSON.stringify(first?.settings);
  const same = first !== undefined && jobs.every((j) => j.file === first.file && JSON.stringify(j.settings) === settings && j.seed === null && j.beta !== null);
  const scenario = same && kernel && jobs.length > 1 ? await loadOnce(first.file, first.settings) : null;
  const config = scenario ? simConfigOf(scenario) : null;
  const block = scenario && config && blockConfigOf(scenario, config);
  if (!scenario || !config || !block) {
    const rows: SweepRun[] = [];
    for (const job of jobs) rows.push(await sweepOne(job, signal));
    return rows;
  }
  const betas = jobs.map((j) => j.beta!);
  const ends = await runBlock(kernel!, scenario.problem, block, betas, signal); // null: dirty, run on its own
  const { reward } = scenario.problem;
  const work = { exp: nativeExp(kernel!), passes: nativePasses(kernel!), rewardMax: rewardMaxOf(reward) };
  const reaches = reachesOptimum(config);
  const rows: SweepRun[] = [];
  for (const [k, end] of ends.entries()) {
    const job = jobs[k]!;
    if (end === null) {
      rows.push(await sweepOne(job, signal));
      continue;
    }
    blockRuns++;
    const beta = betas[k]!;
    const record = new Float64Array(RECORD_FIELDS.length);
    writeRecord(record, 0, 1, block.steps, beta, end.metrics);
    const opt = optimumViewOf(scenario.problem, config, config.penalty, beta, work);
    rows.push(sweepRunOf(beta, block.steps, metricsOfRecord(record), end.policy, opt, job.tol, beta, null, reaches, work.passes));
  }
  return rows;
}

/** The block kernel's view of a scenario, or null when it cannot take its runs: exact mode, the softmax bandit, a fixed β, a kernel penalty and optimiser. */
function blockConfigOf(scenario: Scenario, config: SimConfig): BlockConfig | null {
  const constant = createController(config.controller, config.schedule).constant;
  if (config.model || config.training || !constant || !mayUseNative(config)) return null;
  const floor = startsAtReference(config) ? new InstabilityWatch(scenario.problem).floor : -Infinity;
  const block: BlockConfig = { penalty: config.penalty, optimizer: config.optimizer, steps: scenario.spec.steps, floor };
  return blockTakes(scenario.problem, block) ? block : null;
}

/** A sweep's row of one run: its final metrics and π against the optimum at its final β. */
function sweepRunOf(
  beta: number,
  steps: number,
  m: PolicyMetrics,
  policy: Float64Array,
  opt: OptimumView,
  tol: number,
  finalBeta: number,
  divergedAt: number | null,
  reaches: boolean,
  passes: OptimumPasses | undefined,
): SweepRun {
  const o = opt.metrics;
  const { distance, converged } = convergenceOf(policy, opt.policy, tol, divergedAt !== null, passes);
  return {
    beta,
    steps,
    reward: m.reward,
    gold_reward: m.goldReward,
    forward_kl: m.forwardKL,
    reverse_kl: m.reverseKL,
    entropy: m.entropy,
    objective: m.objective,
    opt_reward: o.reward,
    opt_gold_reward: o.goldReward,
    opt_forward_kl: o.forwardKL,
    opt_reverse_kl: o.reverseKL,
    opt_entropy: o.entropy,
    opt_objective: o.objective,
    tv_to_opt: distance,
    converged: reaches ? converged : null,
    final_beta: finalBeta,
    diverged_at: divergedAt,
  };
}
