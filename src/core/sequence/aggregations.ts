/**
 * How per-token terms are averaged over a batch (`aggregation`), as data: the weight w of each token
 * of sequence i in ĝ = Σ_i Σ_t w_i·(G_it − b_i − β·c_it)·∇log π(a_it|s_it), and, for expected mode, its
 * exact expectations given the sequence's own length (B·E[w | n_i] and B·E[w·mean_{j≠i} G_j | n_i]).
 * TRL's loss_type: dr_grpo = sum (it also divides by max_completion_length, a constant that only
 * rescales the learning rate), bnpo = token-mean, grpo = sequence-mean (Liu et al. 2025, Dr. GRPO).
 */
import type { LengthLaw } from "./lengths.js";

export type AggregationName = "sum" | "token-mean" | "sequence-mean";

export interface Aggregation {
  readonly name: AggregationName;
  /** One line for help and views. */
  readonly label: string;
  /** Weight of each token of a sequence with n tokens in a batch of B sequences with N tokens in all. */
  weight(n: number, batch: number, batchTokens: number): number;
  /** Whether `expected` needs the law of the batch's summed length (`LengthLaw.convolveOthers`). */
  readonly needsLengthSums: boolean;
  /**
   * For n = 1…T: own[n] ← B·E[w | n_i = n], others[n] ← B·E[w·mean_{j≠i} G_j | n_i = n] (0 when B = 1),
   * from the length law of π (its prob and returnMass filled).
   */
  expected(law: LengthLaw, own: Float64Array, others: Float64Array): void;
}

export const AGGREGATIONS: readonly Aggregation[] = [
  {
    // (1/B)·Σ_i Σ_t: the plain Monte Carlo estimate of a sum over the sequence; E = the sequence gradient.
    name: "sum",
    label: "sum over tokens, mean over sequences (TRL dr_grpo up to a constant)",
    weight: (_n, batch) => 1 / batch,
    needsLengthSums: false,
    expected(law, own, others) {
      const g = law.batch > 1 ? law.meanReturn() : 0;
      for (let n = 1; n <= law.horizon; n++) {
        own[n] = 1;
        others[n] = g;
      }
    },
  },
  {
    // Σ_i Σ_t / Σ_i n_i (DAPO's token-level loss; TRL bnpo): the weight depends on every length in the
    // batch, so E[1/N | n_i] = E[1/(n_i + M)] over the others' summed length M, and the others' returns
    // correlate with their lengths: E[G_j/N | n_i] = Σ_l E[G·1{n = l}]·E[1/(n_i + l + M′)], M′ over B − 2.
    name: "token-mean",
    label: "mean over all tokens of the batch (TRL bnpo, DAPO)",
    weight: (_n, _batch, batchTokens) => 1 / batchTokens,
    needsLengthSums: true,
    expected(law, own, others) {
      const B = law.batch;
      const T = law.horizon;
      for (let n = 1; n <= T; n++) {
        own[n] = B * law.inverseWithOthers(n);
        let g = 0;
        if (B > 1) for (let l = 1; l <= T; l++) g += law.returnMass[l]! * law.inverseWithOthersButOne(n + l);
        others[n] = B * g;
      }
    },
  },
  {
    // (1/B)·Σ_i (1/n_i)·Σ_t (GRPO, Shao 2024): each sequence's token mean, then the mean over sequences.
    name: "sequence-mean",
    label: "each sequence's token mean, then the mean over sequences (TRL grpo)",
    weight: (n, batch) => 1 / (batch * n),
    needsLengthSums: false,
    expected(law, own, others) {
      const g = law.batch > 1 ? law.meanReturn() : 0;
      for (let n = 1; n <= law.horizon; n++) {
        own[n] = 1 / n;
        others[n] = g / n;
      }
    },
  },
];

export function aggregationNamed(name: string): Aggregation | undefined {
  return AGGREGATIONS.find((a) => a.name === name);
}
