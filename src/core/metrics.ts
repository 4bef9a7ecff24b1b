/** Metrics of a whole policy π given as probabilities: what `run --json`, `optimum` and the optimum lines report. */
import type { Divergence } from "./divergence.js";
import { dot, logOf } from "./distributions.js";
import { emptyMetricRow, METRIC } from "./metric-row.js";
import { type OptimumPasses, PLAIN_PASSES } from "./optimum-passes.js";
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

/** divergencesOf's sums, reused (the metrics are taken one policy at a time). */
const SUMS = new Float64Array(4);

/**
 * KL(π‖π_ref), KL(π_ref‖π), H(π) and E_π[r] in one pass with one log per token (none where log π is
 * given): the terms of klDivergence and entropy (information.ts) and dot(π, r), in the same order, so
 * the same bits (log π_ref is problem.logRef, logOf(ref)). A sweep takes this once per β, at up to
 * 65 536 tokens, in a fast kernel's pass where one is lent and log π is known.
 */
function divergencesOf(
  problem: Problem,
  pi: ArrayLike<number>,
  logPi?: ArrayLike<number>,
  passes?: OptimumPasses,
): { reward: number; reverseKL: number; forwardKL: number; entropy: number } {
  (logPi && passes ? passes : PLAIN_PASSES).divergences(pi, logPi, problem.ref, problem.logRef, problem.reward, SUMS);
  const reverse = SUMS[0]!;
  const forward = SUMS[1]!;
  const h = SUMS[2]!;
  return { reward: SUMS[3]!, reverseKL: reverse < 0 ? 0 : reverse, forwardKL: forward < 0 ? 0 : forward, entropy: h < 0 ? 0 : h };
}

/**
 * `logPi`: log π where the caller knows it exactly (a closed-form optimum); otherwise the log of each
 * probability is taken. `passes`: a fast kernel's, used where log π is given (the same bits).
 */
export function metricsOf(
  problem: Problem,
  pi: ArrayLike<number>,
  penalty: Divergence,
  beta: number,
  logPi?: ArrayLike<number>,
  passes?: OptimumPasses,
): PolicyMetrics {
  const { reward, reverseKL, forwardKL, entropy } = divergencesOf(problem, pi, logPi, passes);
  const kls = emptyMetricRow();
  kls[METRIC.reverse_kl] = reverseKL;
  kls[METRIC.forward_kl] = forwardKL;
  const penaltyValue = penalty.sameAs !== undefined ? kls[penalty.sameAs]! : penalty.value(pi, logOf(pi), problem.ref, problem.logRef);
  return {
    reward,
    goldReward: problem.gold ? dot(pi, problem.gold) : null,
    forwardKL,
    reverseKL,
    entropy,
    penaltyValue,
    // β·∞ with β = 0 is 0 here: a zero penalty does not care how far π moved.
    objective: beta === 0 ? reward : reward - beta * penaltyValue,
  };
}
