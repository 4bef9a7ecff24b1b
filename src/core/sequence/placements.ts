/**
 * Where the KL penalty enters sequence training (`kl_placement`), as data. For one sampled sequence
 * of n tokens with log-ratios ℓ_t = log π(a_t|s_t) − log π_ref(a_t|s_t) and reward R, an entry says
 * which return G_t each token's ∇log π(a_t|s_t) is credited with (a KL in the reward: a detached
 * coefficient) and which slope c_t a KL in the loss contributes (differentiated through ℓ_t), so that
 * the ascent direction is Σ_t w·(G_t − b − β·c_t)·∇log π(a_t|s_t).
 */
import type { TokenEstimator } from "./estimator.js";

export type PlacementName = "token-reward" | "sequence-reward" | "token-loss" | "sequence-loss";

export interface KlPlacement {
  readonly name: PlacementName;
  /** One line for help and views. */
  readonly label: string;
  /**
   * credit[t] ← G_t, slope[t] ← c_t for t < n; returns the sequence's return G (what baselines average).
   * Writes only into credit and slope; called per sequence, so no allocation.
   */
  credit(logRatio: Float64Array, n: number, reward: number, beta: number, k: TokenEstimator, credit: Float64Array, slope: Float64Array): number;
  /** The sequence's estimate of the KL it penalises (the record's kl_estimate averages it). */
  penalty(logRatio: Float64Array, n: number, k: TokenEstimator): number;
}

/** Σ_t k(ℓ_t): the per-token estimates summed along the sequence. */
function summedEstimate(logRatio: Float64Array, n: number, k: TokenEstimator): number {
  let sum = 0;
  for (let t = 0; t < n; t++) sum += k.value(logRatio[t]!);
  return sum;
}

/** Λ = Σ_t ℓ_t = log(π(y)/π_ref(y)). */
function sequenceLogRatio(logRatio: Float64Array, n: number): number {
  let sum = 0;
  for (let t = 0; t < n; t++) sum += logRatio[t]!;
  return sum;
}

export const KL_PLACEMENTS: readonly KlPlacement[] = [
  {
    // PPO-RLHF (Ziegler 2019; Ouyang 2022): r_t = −β·k(ℓ_t) (+ R at the end), return-to-go with γ = 1:
    // G_t = R − β·Σ_{t' ≥ t} k(ℓ_t'). With k1 this is unbiased for ∇(E[R] − β·KL(π‖π_ref)).
    name: "token-reward",
    label: "per-token β·k in the reward, return-to-go (PPO-RLHF)",
    credit(logRatio, n, reward, beta, k, credit, slope) {
      let togo = reward;
      for (let t = n - 1; t >= 0; t--) {
        togo -= beta * k.value(logRatio[t]!);
        credit[t] = togo;
        slope[t] = 0;
      }
      return togo;
    },
    penalty: summedEstimate,
  },
  {
    // RLOO (Ahmadian 2024): the whole sequence is one action, G = R − β·Σ_t k(ℓ_t) credited to every token.
    name: "sequence-reward",
    label: "β·Σ_t k summed into the sequence reward (RLOO)",
    credit(logRatio, n, reward, beta, k, credit, slope) {
      const g = reward - beta * summedEstimate(logRatio, n, k);
      for (let t = 0; t < n; t++) {
        credit[t] = g;
        slope[t] = 0;
      }
      return g;
    },
    penalty: summedEstimate,
  },
  {
    // GRPO (Shao 2024): loss + β·Σ_t k(ℓ_t), differentiated through each ℓ_t: c_t = k′(ℓ_t).
    // Its expected gradient ignores how θ moves the distribution of later prefixes (Tang & Munos 2025).
    name: "token-loss",
    label: "β·k per token in the loss (GRPO)",
    credit(logRatio, n, reward, _beta, k, credit, slope) {
      for (let t = 0; t < n; t++) {
        credit[t] = reward;
        slope[t] = k.slope(logRatio[t]!);
      }
      return reward;
    },
    penalty: summedEstimate,
  },
  {
    // loss + β·k(Λ) of the summed log-ratio Λ = log(π(y)/π_ref(y)): ∇Λ = Σ_t ∇log π(a_t|s_t), c_t = k′(Λ).
    // With k2, E[Λ·∇log π(y)] = ∇KL(π‖π_ref) exactly: the sequence-level k2 loss is unbiased.
    name: "sequence-loss",
    label: "β·k of the summed log-ratio in the loss (k2: unbiased)",
    credit(logRatio, n, reward, _beta, k, credit, slope) {
      const c = k.slope(sequenceLogRatio(logRatio, n));
      for (let t = 0; t < n; t++) {
        credit[t] = reward;
        slope[t] = c;
      }
      return reward;
    },
    penalty: (logRatio, n, k) => k.value(sequenceLogRatio(logRatio, n)),
  },
];

export function placementNamed(name: string): KlPlacement | undefined {
  return KL_PLACEMENTS.find((p) => p.name === name);
}
