/** Metrics of a whole policy π given as probabilities: what `run --json`, `optimum` and the optimum lines report. */
import type { Divergence } from "./divergence.js";
import { dot, logOf } from "./distributions.js";
import { entropy, klDivergence } from "./information.js";
import { emptyMetricRow, METRIC } from "./metric-row.js";
import type { Problem } from "./problem.js";

export interface PolicyMetrics {
  reward: number;
  /** null without a gold reward. */
  goldReward: number | null;
  forwardKL: number;
  reverseKL: number;
  entropy: number;
  /** D(π, π_ref) of the penalty. */
  penaltyValue: number;
  /** E_π[r] − β·D(π, π_ref). */
  objective: number;
}

export function metricsOf(problem: Problem, pi: ArrayLike<number>, penalty: Divergence, beta: number): PolicyMetrics {
  const reward = dot(pi, problem.reward);
  const reverseKL = klDivergence(pi, problem.ref);
  const forwardKL = klDivergence(problem.ref, pi);
  const kls = emptyMetricRow();
  kls[METRIC.reverse_kl] = reverseKL;
  kls[METRIC.forward_kl] = forwardKL;
  const penaltyValue = penalty.sameAs !== undefined ? kls[penalty.sameAs]! : penalty.value(pi, logOf(pi), problem.ref, problem.logRef);
  return {
    reward,
    goldReward: problem.gold ? dot(pi, problem.gold) : null,
    forwardKL,
    reverseKL,
    entropy: entropy(pi),
    penaltyValue,
    // β·∞ with β = 0 is 0 here: a zero penalty does not care how far π moved.
    objective: beta === 0 ? reward : reward - beta * penaltyValue,
  };
}
