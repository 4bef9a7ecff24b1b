/** One β of a sweep: runs the scenario and computes the closed-form optimum at that β. */
import { optimum } from "../core/optima.js";
import { metricsOf } from "../core/summary.js";
import { loadScenario, simConfigOf } from "../scenario/loader.js";
import type { Penalty } from "../core/objective.js";
import type { RecordField } from "../sim/record.js";
import { Simulation } from "../sim/simulation.js";

export interface SweepJob {
  file: string;
  beta: number;
  steps: number;
  penalty: Penalty;
  lr: number;
}

/** The per-step metric columns of a record (DESIGN.md §2), reused for the final and optimum values. */
const METRIC_COLUMNS = ["reward", "gold_reward", "forward_kl", "reverse_kl", "entropy", "objective"] as const satisfies readonly RecordField[];
type MetricColumn = (typeof METRIC_COLUMNS)[number];

export const SWEEP_COLUMNS = [
  "beta",
  "steps",
  ...METRIC_COLUMNS,
  ...METRIC_COLUMNS.map((c) => `opt_${c}` as const),
  "final_beta",
  "diverged_at",
] as const;

export type SweepRow = Record<"beta" | "steps" | MetricColumn | `opt_${MetricColumn}` | "final_beta" | "diverged_at", number | null>;

/** Steps per slice when run in-process with a signal: the event loop turns between slices so Ctrl+C is seen. */
const SLICE_WORK = 2_000_000;

export async function sweepOne(job: SweepJob, signal?: AbortSignal): Promise<SweepRow> {
  const scenario = await loadScenario(job.file);
  const spec = { ...scenario.spec, beta: job.beta, steps: job.steps, penalty: job.penalty, optimizer: { ...scenario.spec.optimizer, lr: job.lr } };
  const sim = new Simulation(scenario.problem, simConfigOf({ ...scenario, spec }));
  const slice = signal ? Math.max(16, Math.floor(SLICE_WORK / (scenario.problem.V + 32))) : job.steps;
  let divergedAt: number | null = null;
  try {
    while (sim.currentStep < job.steps) {
      sim.step(Math.min(slice, job.steps - sim.currentStep));
      if (signal && sim.currentStep < job.steps) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) throw signal.reason;
      }
    }
  } catch (error) {
    if (!sim.failed) throw error;
    divergedAt = sim.currentStep;
  }
  const m = sim.metrics();
  const { ref, logRef, reward } = scenario.problem;
  const o = metricsOf(scenario.problem, optimum(job.penalty, ref, logRef, reward, job.beta), job.penalty, job.beta);
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
    diverged_at: divergedAt,
  };
}
