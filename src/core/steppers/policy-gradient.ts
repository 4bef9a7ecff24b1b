/**
 * The terms of a sampled policy-gradient step on the bandit, written once for the sampled stepper
 * (which averages them over a drawn batch) and the expected one (which sums them over tokens with
 * their probabilities). For a sample x with log-ratio ℓ = log π(x) − log π_ref(x) and importance
 * weight w = π_old(x)/q(x) (sampler.ts), the ascent direction is
 *   ĝ = (1/B) Σ_b w_b·(surrogate(A_b, ρ_b) − β·c_k(ℓ_b, ρ_b))·∇log π(x_b)
 * with A_b the sample's return G_b = r(x_b) − [KL in the reward] β·k(ℓ_b) less its baseline
 * (baselines.ts), ρ_b = π(x_b)/π_old(x_b) (1 in the first epoch), surrogate = A (REINFORCE) or
 * PPO's ρ·A where the clip is inactive (Schulman et al. 2017), and c_k the estimator's loss
 * coefficient when the KL is in the loss (estimators.ts; GRPO, Shao et al. 2024).
 */
import type { Baseline } from "../baselines.js";
import type { Divergence } from "../divergence.js";
import type { Estimator } from "../estimators.js";

export interface PolicyGradientConfig {
  /** Samples per step (B). */
  batch: number;
  /** reinforce: one update per batch; ppo: clipped ratio, `epochs` updates per batch. */
  algorithm: "reinforce" | "ppo";
  /** The per-sample KL estimator (its `perSample` false: the exact KL and its exact gradient). */
  estimator: Estimator;
  /** "reward": β·k(ℓ) is taken from each sample's return; "loss": β·k(ℓ) is added to the loss. */
  klIn: "reward" | "loss";
  /** What each return is compared with. */
  baseline: Baseline;
  /** PPO clip range ε. */
  clip: number;
  /** PPO epochs per batch. */
  epochs: number;
}

/** Whether the penalty enters through the per-sample estimator (else through its exact gradient). */
export function estimatesPenalty(config: PolicyGradientConfig, penalty: Divergence): boolean {
  return config.estimator.perSample && penalty.estimable;
}

/** Epochs per batch: PPO's, or one. */
export function epochsOf(config: Pick<PolicyGradientConfig, "algorithm" | "epochs">): number {
  return config.algorithm === "ppo" ? config.epochs : 1;
}

/** A sampled step's work in token-evaluation units: each epoch evaluates π over V and the batch of B. */
export function sampledStepCost(V: number, config: Pick<PolicyGradientConfig, "algorithm" | "epochs"> & { batch: number }): number {
  return epochsOf(config) * (V + config.batch);
}

/** The most work one step may take (a step cannot be interrupted): about a tenth of a second. */
export const MAX_STEP_COST = 10_000_000;

/** The sample's detached return: r(x) less β·k(ℓ) when the estimate enters the reward (PPO-RLHF, Ziegler 2019). */
export function sampleReturn(config: PolicyGradientConfig, perSample: boolean, reward: number, logRatio: number, beta: number): number {
  return perSample && config.klIn === "reward" ? reward - beta * config.estimator.value(logRatio) : reward;
}

/** The coefficient of ∇log π(x) from the advantage: A, or PPO's ρ·A where min(ρA, clip(ρ, 1 ± ε)·A) takes the unclipped term (else 0). */
export function surrogate(config: PolicyGradientConfig, advantage: number, ratio: number): number {
  if (config.algorithm !== "ppo") return advantage;
  const clipped = (advantage >= 0 && ratio > 1 + config.clip) || (advantage < 0 && ratio < 1 - config.clip);
  return clipped ? 0 : ratio * advantage;
}

/** β·c_k(ℓ, ρ): the coefficient of ∇log π(x) the KL in the loss subtracts (0 when the KL is in the reward). */
export function lossTerm(config: PolicyGradientConfig, perSample: boolean, logRatio: number, ratio: number, beta: number): number {
  return perSample && config.klIn === "loss" ? beta * config.estimator.lossCoefficient(logRatio, ratio) : 0;
}
