/**
 * What sampled and expected sequence training share: the configuration, its checks, and the last
 * step of the REINFORCE estimator. Both accumulate, per edge (s_t, a_t), the coefficient C of
 * ∇log π(a_t|s_t) = e_{a_t} − π(·|s_t) on θ_{s_t}; the −π part is then one pass per prefix:
 *   ĝ_{n,b} = C_{n,b} − π(b|n)·Σ_a C_{n,a}.
 */
import type { Aggregation } from "./aggregations.js";
import type { Baseline } from "./baselines.js";
import type { TokenEstimator } from "./estimator.js";
import type { KlPlacement } from "./placements.js";

export interface SequenceTrainingConfig {
  /** Sequences per step B. */
  readonly batch: number;
  /** The per-token KL estimator k (value and slope). */
  readonly estimator: TokenEstimator;
  /** Where β·k enters: token-reward, sequence-reward, token-loss, sequence-loss. */
  readonly placement: KlPlacement;
  /** How tokens are averaged over the batch: sum, token-mean, sequence-mean. */
  readonly aggregation: Aggregation;
  /** What is subtracted from each return: loo, mean, none. */
  readonly baseline: Baseline;
}

/** Why a configuration cannot train, or undefined. */
export function trainingConfigProblem(config: SequenceTrainingConfig): string | undefined {
  const { batch, baseline } = config;
  if (!Number.isInteger(batch) || batch < 1) return `batch ${batch} must be an integer ≥ 1`;
  if (batch < baseline.minBatch) return `baseline ${baseline.name} needs a batch of at least ${baseline.minBatch} (batch is ${batch})`;
  return undefined;
}

/** grad_{n,b} −= π(b|n)·rowSum[n] for prefix n, and rowSum[n] ← 0. */
export function subtractScoreMean(grad: Float64Array, pi: Float64Array, V: number, n: number, rowSum: Float64Array): void {
  const sum = rowSum[n]!;
  rowSum[n] = 0;
  if (sum === 0) return;
  const base = n * V;
  for (let a = 0; a < V; a++) grad[base + a] = grad[base + a]! - pi[base + a]! * sum;
}
