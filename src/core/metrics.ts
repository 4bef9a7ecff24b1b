/** Metrics of a whole policy π given as probabilities: what `run --json`, `optimum` and the optimum lines report. */
import type { Divergence } from "./divergence.js";
import { dot, logOf } from "./distributions.js";
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

/**
 * KL(π‖π_ref), KL(π_ref‖π) and H(π) in one pass with one log per token: the terms of klDivergence
 * and entropy (information.ts), in the same order, so the same bits (log π_ref is problem.logRef,
 * logOf(ref)). A sweep takes this once per β, at up to 65 536 tokens.
 */
function divergencesOf(problem: Problem, pi: ArrayLike<number>, logPi?: ArrayLike<number>): { reverseKL: number; forwardKL: number; entropy: number } {
  const { ref, logRef } = problem;
  let reverse = 0;
  let forward = 0;
  let h = 0;
  for (let i = 0; i < pi.length; i++) {
    const p = pi[i]!;
    const q = ref[i]!;
    const logP = p === 0 ? -Infinity : logPi ? logPi[i]! : Math.log(p);
    if (p !== 0) reverse += q === 0 ? Infinity : p * (logP - logRef[i]!); // p·(log p − log q), 0·log 0 = 0
    if (q !== 0) forward += p === 0 ? Infinity : q * (logRef[i]! - logP);
    if (p > 0) h -= p * logP;
  }
  return { reverseKL: reverse < 0 ? 0 : reverse, forwardKL: forward < 0 ? 0 : forward, entropy: h < 0 ? 0 : h };
}

/** `logPi`: log π where the caller knows it exactly (a closed-form optimum); otherwise the log of each probability is taken. */
export function metricsOf(problem: Problem, pi: ArrayLike<number>, penalty: Divergence, beta: number, logPi?: ArrayLike<number>): PolicyMetrics {
  const reward = dot(pi, problem.reward);
  const { reverseKL, forwardKL, entropy } = divergencesOf(problem, pi, logPi);
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
