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
import { Simulation } from "../sim/simulation.js";
import { drawsSamples, reachesOptimum } from "../sim/steppers.js";
import { runScenario } from "./run.js";

/**
 * The cost model behind the worker count, measured with `klsim bench` and `bench --sweep` on a
 * 2-core AVX-512 machine: a worker's start (thread, module graph, scenario, kernels) ~ 0.1 s; a
 * fast step ~ 60 ns plus ~1.5 ns per token (the plain TypeScript engine ~ 10× that per token).
 */
const WORKER_START_S = 0.1;
const STEP_S = 60e-9;
const TOKEN_STEP_S = 1.5e-9;

/**
 * Worker threads for a sweep of `betas` β on `scenario`: `requested` (--jobs) when given; else the
 * count w that minimises the estimated time, one thread's work alone or start-up + work/w over
 * w ≤ 1 + idle cores — 1 (in-process, no workers) when the sweep is too short to pay for a start
 * or no other core is free (then workers only take turns with each other).
 */
export function sweepWorkers(requested: number | undefined, betas: number, scenario: Scenario): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, betas));
  const { steps } = scenario.spec;
  const work = betas * steps * (STEP_S + scenario.problem.V * TOKEN_STEP_S);
  const most = Math.min(betas, 1 + idleCores());
  let best = 1;
  for (let w = 2; w <= most; w++) if (WORKER_START_S + work / w < (best === 1 ? work : WORKER_START_S + work / best)) best = w;
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

function loadOnce(file: string, settings: Setting[]): Promise<Scenario> {
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
  const m = sim.metrics();
  // The optimum at the run's final β (an adaptive controller's β has moved), as `klsim run --json` reports it.
  const opt = sim.optimum();
  const o = opt.metrics;
  const { distance, converged } = convergenceOf(sim.policy, opt.policy, job.tol, sim.divergedAt !== null);
  return {
    beta: spec.beta,
    steps: sim.currentStep,
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
    converged: reachesOptimum(config) ? converged : null,
    final_beta: sim.beta,
    diverged_at: sim.divergedAt,
  };
}
