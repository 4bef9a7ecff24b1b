/**
 * The baseline registry: what is subtracted from each sample's return (a token's reward, a
 * sequence's return) before it weights ∇ log π — as data, the coefficients of
 * b_i = self·G_i + others·mean_{j≠i} G_j over the batch's returns G. Given the sample, its
 * expected advantage is (1 − self)·G_i − others·E[G]: the mean baseline's self share biases the
 * reward's part of ĝ by (B − 1)/B, which a KL in the loss does not share (its effective β grows
 * by B/(B − 1)).
 */

export interface Baseline {
  readonly name: "loo" | "mean" | "none";
  /** One line for help and views. */
  readonly label: string;
  /** Smallest batch it is defined for. */
  readonly minBatch: number;
  /** Weight of the sequence's own return in its baseline (a batch of B). */
  self(batch: number): number;
  /** Weight of the mean of the other B − 1 returns. */
  others(batch: number): number;
}

export const BASELINES: readonly Baseline[] = [
  {
    // Leave-one-out (Kool 2019; RLOO, Ahmadian 2024): independent of the sample, so unbiased.
    name: "loo",
    label: "leave-one-out mean of the other returns (RLOO; unbiased)",
    minBatch: 2,
    self: () => 0,
    others: () => 1,
  },
  {
    // The batch mean includes the sample: its own share (1/B)·G_i·∇log π biases ĝ by (B−1)/B.
    name: "mean",
    label: "batch mean including the sample (biased by (B−1)/B)",
    minBatch: 1,
    self: (batch) => 1 / batch,
    others: (batch) => (batch - 1) / batch,
  },
  { name: "none", label: "no baseline", minBatch: 1, self: () => 0, others: () => 0 },
];

export function baselineNamed(name: string): Baseline | undefined {
  return BASELINES.find((b) => b.name === name);
}
