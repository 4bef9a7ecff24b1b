/**
 * Sampled training, the RLHF-realistic mode: draw B tokens from π with a seeded generator and
 * estimate ∇J by REINFORCE (mean baseline) or PPO (clipped ratio, several epochs per batch).
 * The KL enters per sample through an estimator (estimators.ts), either in the reward
 * (classic PPO-RLHF, Ziegler 2019) or in the loss (GRPO style); a penalty the estimators do not
 * estimate (divergence.ts `estimable`) enters through its exact gradient. Buffers are allocated once.
 */
import type { Divergence } from "../divergence.js";
import type { Estimator } from "../estimators.js";
import type { SoftmaxFamily } from "../families/softmax.js";
import { emptyMetricRow, METRIC, METRIC_COUNT, rowFinite } from "../metric-row.js";
import type { Optimizer } from "../optimizers.js";
import type { Stepper } from "../stepper.js";

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

const MAX_STEPS = 64;

export class SampledStepper implements Stepper {
  readonly kernel = "typescript";
  readonly threaded = false;
  readonly samplesPerStep: number;
  readonly maxSteps = MAX_STEPS;
  readonly metrics: readonly number[];
  private readonly cdf: Float64Array;
  private readonly tokens: Int32Array;
  private readonly oldLogProb: Float64Array;
  private readonly advantage: Float64Array;
  private readonly slope: Float64Array;
  private readonly logRatio: Float64Array;
  private readonly klGrad: Float64Array;
  private readonly rows = new Float64Array(MAX_STEPS * METRIC_COUNT);
  private readonly current = emptyMetricRow();
  private random: () => number;

  /** `randomFor()` gives a fresh seeded uniform generator: called at every reset, so a reset replays the same samples. */
  constructor(
    readonly family: SoftmaxFamily,
    readonly optimizer: Optimizer,
    readonly config: SampledConfig,
    private readonly randomFor: () => () => number,
  ) {
    const V = family.vocab;
    this.samplesPerStep = config.batch;
    this.metrics = [...family.metrics, METRIC.kl_estimate];
    this.cdf = new Float64Array(V);
    this.tokens = new Int32Array(config.batch);
    this.oldLogProb = new Float64Array(config.batch);
    this.advantage = new Float64Array(config.batch);
    this.slope = new Float64Array(config.batch);
    this.logRatio = new Float64Array(config.batch);
    this.klGrad = new Float64Array(V);
    this.random = randomFor();
  }

  supports(): boolean {
    return true;
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.random = this.randomFor();
    this.family.reset();
    this.family.evaluate(penalty, this.current);
    this.prepare(penalty, this.current);
  }

  /** The same batch (drawn at θ_t) re-estimated under another penalty: the estimate depends on it. */
  refresh(penalty: Divergence): void {
    this.family.fillRow(penalty, this.current);
    this.estimateOn(penalty, this.current);
  }

  advance(penalty: Divergence, beta: number, n: number): number {
    const row = this.current;
    for (let k = 0; k < n; k++) {
      this.update(penalty, beta);
      const stop = this.family.failure() !== null;
      if (stop) row.fill(Number.NaN);
      else {
        this.family.evaluate(penalty, row);
        this.prepare(penalty, row);
      }
      this.rows.set(row, k * METRIC_COUNT);
      if (stop || !rowFinite(row, this.metrics, beta)) return k + 1;
    }
    return n;
  }

  readRow(j: number, out: Float64Array): void {
    out.set(this.rows.subarray(j * METRIC_COUNT, (j + 1) * METRIC_COUNT));
  }

  readCurrent(out: Float64Array): void {
    out.set(this.current);
  }

  release(): void {}

  failure(): string | null {
    return this.family.failure();
  }

  policy(): Float64Array {
    return this.family.tokenProbabilities();
  }

  /**
   * Draws this step's batch from the evaluated state and estimates the KL on it, so the record of
   * step t carries the estimate made at θ_t (which the next update uses).
   */
  private prepare(penalty: Divergence, row: Float64Array): void {
    const { batch } = this.config;
    const s = this.family.state;
    const logRef = this.family.problem.logRef;
    this.sample();
    for (let b = 0; b < batch; b++) {
      const x = this.tokens[b]!;
      const logPi = s.theta[x]! - s.logZ; // log π(x) = θ_x − logZ
      this.oldLogProb[b] = logPi;
      this.logRatio[b] = logPi - logRef[x]!;
    }
    this.estimateOn(penalty, row);
  }

  /** The row's kl_estimate: the batch mean of k(ℓ), or the exact value where no estimator applies. */
  private estimateOn(penalty: Divergence, row: Float64Array): void {
    const { batch, estimator } = this.config;
    if (!this.perSample(penalty)) {
      row[METRIC.kl_estimate] = row[METRIC.penalty_value]!;
      return;
    }
    let sumK = 0;
    for (let b = 0; b < batch; b++) sumK += estimator.value(this.logRatio[b]!);
    row[METRIC.kl_estimate] = sumK / batch;
  }

  /** Whether the penalty enters through the per-sample estimator (else through its exact gradient). */
  private perSample(penalty: Divergence): boolean {
    return this.config.estimator.perSample && penalty.estimable;
  }

  /** Updates θ from the prepared batch (once, or `epochs` times for PPO) with the β and penalty in force now. */
  private update(penalty: Divergence, beta: number): void {
    const { batch, estimator, klIn } = this.config;
    const family = this.family;
    const s = family.state;
    const reward = family.problem.reward;
    const perSample = this.perSample(penalty);
    let meanReward = 0;
    for (let b = 0; b < batch; b++) {
      let r = reward[this.tokens[b]!]!;
      if (perSample) {
        const logRatio = this.logRatio[b]!;
        if (klIn === "reward") r -= beta * estimator.value(logRatio);
        else this.slope[b] = estimator.slope(logRatio);
      }
      this.advantage[b] = r;
      meanReward += r;
    }
    meanReward /= batch;
    for (let b = 0; b < batch; b++) this.advantage[b] = this.advantage[b]! - meanReward; // mean baseline
    if (!perSample) family.penaltyGradient(penalty, beta, this.klGrad);
    const epochs = this.config.algorithm === "ppo" ? this.config.epochs : 1;
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch > 0) family.evaluate(penalty, this.current);
      this.policyGradient(beta, perSample && klIn === "loss");
      if (!perSample) for (let i = 0; i < s.V; i++) s.grad[i] = s.grad[i]! + this.klGrad[i]!;
      family.updated(this.optimizer.step(s.theta, s.grad));
    }
  }

  /** Inverse-CDF sampling of B tokens from π (binary search in the cumulative sums). */
  private sample(): void {
    const { cdf, tokens } = this;
    const pi = this.family.state.pi;
    const V = pi.length;
    let total = 0;
    for (let i = 0; i < V; i++) {
      total += pi[i]!;
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
  private policyGradient(beta: number, klInLoss: boolean): void {
    const { batch, clip, algorithm } = this.config;
    const s = this.family.state;
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
