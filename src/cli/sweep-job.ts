/** One β of a sweep: runs the scenario and computes the closed-form optimum at that β. */
import { optimum } from "../core/optima.js";
import { metricsOf } from "../core/summary.js";
import { loadScenario, simConfigOf } from "../scenario/loader.js";
import type { Penalty } from "../core/objective.js";
import { Simulation } from "../sim/simulation.js";

export interface SweepJob {
  file: string;
  beta: number;
  steps: number;
  penalty: Penalty;
  lr: number;
}

export const SWEEP_COLUMNS = [
  "beta",
  "steps",
  "reward",
  "gold_reward",
  "forward_kl",
  "reverse_kl",
  "entropy",
  "objective",
  "opt_reward",
  "opt_gold_reward",
  "opt_forward_kl",
  "opt_reverse_kl",
  "opt_entropy",
  "opt_objective",
  "final_beta",
  "diverged_at",
] as const;

export type SweepRow = Record<(typeof SWEEP_COLUMNS)[number], number | null>;

export async function sweepOne(job: SweepJob): Promise<SweepRow> {
  const scenario = await loadScenario(job.file);
  const spec = { ...scenario.spec, beta: job.beta, steps: job.steps, penalty: job.penalty, optimizer: { ...scenario.spec.optimizer, lr: job.lr } };
  const sim = new Simulation(scenario.problem, simConfigOf({ ...scenario, spec }));
  let divergedAt: number | null = null;
  try {
    sim.step(job.steps);
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
