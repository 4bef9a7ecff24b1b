/** One β of a sweep: runs the scenario and computes the closed-form optimum at that β. */
import { divergenceNamed } from "../core/divergences/registry.js";
import { simConfigOf } from "../scenario/loader.js";
import { optimumPolicyOf } from "../sim/steppers.js";
import { metricsOf } from "../core/metrics.js";
import type { Scenario } from "../scenario/loader.js";
import { loadWithSettings, type Setting } from "../scenario/settings.js";
import type { RecordField } from "../sim/record.js";
import { runScenario } from "./run.js";

export interface SweepJob {
  file: string;
  /** The command line's scenario settings (--set, --steps, …), applied in every thread alike. */
  settings: Setting[];
  beta: number;
}

/** The per-step metric columns of a record (record.ts), reused for the final and optimum values. */
const METRIC_COLUMNS = ["reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "objective"] as const satisfies readonly RecordField[];
type MetricColumn = (typeof METRIC_COLUMNS)[number];

export const SWEEP_COLUMNS = ["beta", "steps", ...METRIC_COLUMNS, ...METRIC_COLUMNS.map((c) => `opt_${c}` as const), "final_beta", "diverged_at"] as const;

export type SweepRow = Record<"beta" | "steps" | MetricColumn | `opt_${MetricColumn}` | "final_beta" | "diverged_at", number | null>;

/** Scenarios already loaded in this thread: a sweep runs many β on one file, read and resolved once. */
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

export async function sweepOne(job: SweepJob, signal?: AbortSignal): Promise<SweepRow> {
  const scenario = await loadOnce(job.file, job.settings);
  const spec = { ...scenario.spec, beta: job.beta };
  const { sim } = await runScenario({ ...scenario, spec }, { every: spec.steps, signal });
  const m = sim.metrics();
  const penalty = divergenceNamed(spec.penalty);
  const o = metricsOf(scenario.problem, optimumPolicyOf(scenario.problem, simConfigOf(scenario), penalty, job.beta), penalty, job.beta);
  return {
    beta: job.beta,
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
    final_beta: sim.beta,
    diverged_at: sim.divergedAt,
  };
}
