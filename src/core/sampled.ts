/**
 * Sampled training, the RLHF-realistic mode: draw B tokens from π with a seeded generator and
 * estimate ∇J by REINFORCE (mean baseline) or PPO (clipped ratio, several epochs per batch).
 * The KL enters per sample through an estimator (estimators.ts), either in the reward
 * (classic PPO-RLHF, Ziegler 2019) or in the loss (GRPO style). Buffers are allocated once.
 */
import { estimate, estimateSlope, type Estimator } from "./estimators.js";
import type { Penalty } from "./objective.js";
import type { Optimizer } from "./optimizers.js";
import { evaluatePolicy, type PolicyState, type Problem } from "./policy.js";

export interface SampledConfig {
  /** Tokens drawn from π per step (B). */
  batch: number;
  /** reinforce: ĝ = (1/B) Σ A_b ∇log π(x_b); ppo: clipped ratio, `epochs` updates per batch. */
  algorithm: "reinforce" | "ppo";
  /** Per-sample KL estimator; `full` uses the exact KL and its exact gradient. */
  estimator: Estimator;
  /** "reward": r_b − β·k_b is the sample's reward; "loss": β·k_b is added to the loss. */
  klIn: "reward" | "loss";
  /** PPO clip range ε. */
  clip: number;
  /** PPO epochs per batch. */
  epochs: number;
}

export class SampledTrainer {
  private readonly cdf: Float64Array;
  private readonly tokens: Int32Array;
  private readonly oldLogProb: Float64Array;
  private readonly advantage: Float64Array;
  private readonly slope: Float64Array;
  private readonly logRatio: Float64Array;
  private readonly klGrad: Float64Array;
  /** Mean per-sample KL estimate of the last batch (the record's `kl_estimate`). */
  klEstimate = NaN;

  constructor(
    readonly config: SampledConfig,
    V: number,
    private readonly random: () => number,
  ) {
    this.cdf = new Float64Array(V);
    this.tokens = new Int32Array(config.batch);
    this.oldLogProb = new Float64Array(config.batch);
    this.advantage = new Float64Array(config.batch);
    this.slope = new Float64Array(config.batch);
    this.logRatio = new Float64Array(config.batch);
    this.klGrad = new Float64Array(V);
  }

  /**
   * Draws this step's batch from the evaluated state and estimates the KL on it (`klEstimate`),
   * so the record of step t carries the estimate made at θ_t.
   */
  prepare(problem: Problem, s: PolicyState, penalty: Penalty): void {
    const { batch, estimator } = this.config;
    this.sample(s);
    let sumK = 0;
    for (let b = 0; b < batch; b++) {
      const x = this.tokens[b]!;
      const logPi = s.theta[x]! - s.logZ; // log π(x) = θ_x − logZ
      const logRatio = logPi - problem.logRef[x]!;
      this.oldLogProb[b] = logPi;
      this.logRatio[b] = logRatio;
      if (estimator !== "full") sumK += estimate(estimator, logRatio);
    }
    // Reverse-KL estimators need samples of π; the forward penalty always uses its exact value.
    const exact = estimator === "full" || penalty === "forward";
    this.klEstimate = exact ? (penalty === "reverse" ? s.reverseKL : s.forwardKL) : sumK / batch;
  }

  /**
   * Updates θ from the prepared batch (once, or `epochs` times for PPO) with the β and penalty in
   * force now. Leaves the state un-evaluated.
   */
  update(problem: Problem, s: PolicyState, optimizer: Optimizer, penalty: Penalty, beta: number): void {
    const { batch, estimator, klIn } = this.config;
    const exactKL = estimator === "full" || penalty === "forward";
    let meanReward = 0;
    for (let b = 0; b < batch; b++) {
      let reward = problem.reward[this.tokens[b]!]!;
      if (!exactKL) {
        const logRatio = this.logRatio[b]!;
        if (klIn === "reward") reward -= beta * estimate(estimator, logRatio);
        else this.slope[b] = estimateSlope(estimator, logRatio);
      }
      this.advantage[b] = reward;
      meanReward += reward;
    }
    meanReward /= batch;
    for (let b = 0; b < batch; b++) this.advantage[b] = this.advantage[b]! - meanReward; // mean baseline
    if (exactKL) penaltyGradientInto(problem, s, penalty, beta, this.klGrad);
    const epochs = this.config.algorithm === "ppo" ? this.config.epochs : 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch > 0) evaluatePolicy(problem, s);
      this.policyGradient(s, beta, !exactKL && klIn === "loss");
      if (exactKL) for (let i = 0; i < s.V; i++) s.grad[i] = s.grad[i]! + this.klGrad[i]!;
      s.maxTheta = optimizer.step(s.theta, s.grad);
    }
  }

  /** prepare + update: one whole step from an evaluated state. */
  step(problem: Problem, s: PolicyState, optimizer: Optimizer, penalty: Penalty, beta: number): void {
    this.prepare(problem, s, penalty);
    this.update(problem, s, optimizer, penalty, beta);
  }

  /** Inverse-CDF sampling of B tokens from π (binary search in the cumulative sums). */
  private sample(s: PolicyState): void {
    const { cdf, tokens } = this;
    const V = s.V;
    let total = 0;
    for (let i = 0; i < V; i++) {
      total += s.pi[i]!;
      cdf[i] = total;
    }
    for (let b = 0; b < tokens.length; b++) {
      const u = this.random() * total;
      let lo = 0;
      let hi = V - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      tokens[b] = lo;
    }
  }

  /**
   * s.grad ← the ascent direction of the surrogate for the current θ (π evaluated):
   *   REINFORCE / PPO epoch 0: (1/B) Σ A_b (e_{x_b} − π);  PPO: A_b·ρ_b where the clip is inactive;
   *   KL in the loss: − β (1/B) Σ k'(ℓ_b) (e_{x_b} − π)  (pathwise through log π(x_b)).
   */
  private policyGradient(s: PolicyState, beta: number, klInLoss: boolean): void {
    const { batch, clip, algorithm } = this.config;
    const grad = s.grad;
    grad.fill(0);
    let weightSum = 0;
    for (let b = 0; b < batch; b++) {
      const x = this.tokens[b]!;
      const a = this.advantage[b]!;
      let w = a;
      if (algorithm === "ppo") {
        const ratio = Math.exp(s.theta[x]! - s.logZ - this.oldLogProb[b]!);
        // d/dθ min(ρA, clip(ρ)A) is ρA∇log π where the unclipped term is the smaller one, else 0.
        const clipped = (a >= 0 && ratio > 1 + clip) || (a < 0 && ratio < 1 - clip);
        w = clipped ? 0 : a * ratio;
      }
      if (klInLoss) w -= beta * this.slope[b]!;
      grad[x] = grad[x]! + w / batch;
      weightSum += w / batch;
    }
    for (let i = 0; i < s.V; i++) grad[i] = grad[i]! - s.pi[i]! * weightSum; // the −π part of ∇log π
  }
}

/**
 * out ← ∇_θ(−β·KL_dir) exactly:
 *   reverse: −β π ⊙ (log(π/π_ref) − KL(π‖π_ref));   forward: β(π_ref − π).
 */
export function penaltyGradientInto(problem: Problem, s: PolicyState, penalty: Penalty, beta: number, out: Float64Array): void {
  if (penalty === "forward") {
    for (let i = 0; i < s.V; i++) out[i] = beta * (problem.ref[i]! - s.pi[i]!);
    return;
  }
  for (let i = 0; i < s.V; i++) out[i] = -beta * s.pi[i]! * (s.theta[i]! - s.logZ - problem.logRef[i]! - s.reverseKL);
}
