/** Metrics of a whole policy π (as probabilities): what `run --json` and `optimum` report. */
import { dot } from "./distributions.js";
import { entropy, klDivergence } from "./divergences.js";
import type { Penalty } from "./objective.js";
import type { Problem } from "./policy.js";

export interface PolicyMetrics {
  reward: number;
  /** null without a gold reward. */
  goldReward: number | null;
  forwardKL: number;
  reverseKL: number;
  entropy: number;
  /** E_π[r] − β·KL_dir. */
  objective: number;
}

export function metricsOf(problem: Problem, pi: ArrayLike<number>, penalty: Penalty, beta: number): PolicyMetrics {
  const reward = dot(pi, problem.reward);
  const reverseKL = klDivergence(pi, problem.ref);
  const forwardKL = klDivergence(problem.ref, pi);
  const kl = penalty === "reverse" ? reverseKL : forwardKL;
  return {
    reward,
    goldReward: problem.gold ? dot(pi, problem.gold) : null,
    forwardKL,
    reverseKL,
    entropy: entropy(pi),
    // β·∞ with β = 0 is 0 here: a zero penalty does not care how far π moved.
    objective: beta === 0 ? reward : reward - beta * kl,
  };
}
