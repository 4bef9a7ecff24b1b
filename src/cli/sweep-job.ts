/**
 * One point of a sweep: runs the scenario with the point's settings (β, the --vary values, a seed)
 * and compares the final policy with the closed-form optimum at the run's final β. This is the one
 * per-point function the sweep's orchestration calls (in a worker thread or in-process), so a
 * batched implementation can replace it behind the same SweepJob → SweepRow contract.
 */
import { convergenceOf } from "../explore/convergence.js";
import type { Scenario } from "../scenario/loader.js";
import { loadWithSettings, type Setting } from "../scenario/settings.js";
import type { RecordField } from "../sim/record.js";
import { runScenario } from "./run.js";

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

export type SweepRun = Record<Exclude<RunColumn, "converged">, number | null> & { converged: boolean };

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

export async function sweepOne(job: SweepJob, signal?: AbortSignal): Promise<SweepRun> {
  const scenario = await loadOnce(job.file, job.settings);
  const spec = { ...scenario.spec, ...(job.beta === null ? {} : { beta: job.beta }), ...(job.seed === null ? {} : { seed: job.seed }) };
  const { sim } = await runScenario({ ...scenario, spec }, { every: spec.steps, signal });
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
    converged,
    final_beta: sim.beta,
    diverged_at: sim.divergedAt,
  };
}
