/**
 * Sampled training, the RLHF-realistic mode: draw B tokens per step with a seeded generator (from π,
 * or from a sampler at a temperature or top-k: sampler.ts) and estimate ∇J by REINFORCE or PPO
 * with a baseline, the KL entering per sample through an estimator, in the reward (PPO-RLHF,
 * Ziegler 2019) or in the loss (GRPO) — policy-gradient.ts has the terms. A penalty the estimators
 * do not estimate (divergence.ts `estimable`) enters through its exact gradient. PPO's later epochs
 * re-evaluate π, the ratio and (KL in the loss) the estimator at the current θ. Buffers are allocated once.
 */
import type { Divergence } from "../divergence.js";
import type { SoftmaxFamily } from "../families/softmax.js";
import { METRIC } from "../metric-row.js";
import type { Optimizer } from "../optimizers.js";
import { type SamplerConfig, TokenSampler } from "../sampler.js";
import type { SamplingChange, Stepper } from "../stepper.js";
import { RowStepper } from "./row-stepper.js";
import { epochsOf, estimatesPenalty, sampledStepCost, lossTerm, type PolicyGradientConfig, sampleReturn, surrogate } from "./policy-gradient.js";

/** Sampled (and expected) training settings: the policy gradient's and the sampler's. */
export type SampledConfig = PolicyGradientConfig & SamplerConfig;

const MAX_STEPS = 64;

export class SampledStepper extends RowStepper implements Stepper {
  private config: SampledConfig;
  private sampler: TokenSampler;
  private readonly tokens: Int32Array;
  private readonly oldLogProb: Float64Array;
  private readonly weights: Float64Array;
  private readonly returns: Float64Array;
  private readonly advantage: Float64Array;
  private readonly logRatio: Float64Array;
  private readonly klGrad: Float64Array;
  private random: () => number;

  /** `randomFor()` gives a fresh seeded uniform generator: called at every reset, so a reset replays the same samples. */
  constructor(
    override readonly family: SoftmaxFamily,
    readonly optimizer: Optimizer,
    config: SampledConfig,
    private readonly randomFor: () => () => number,
  ) {
    super(family, MAX_STEPS, [...family.metrics, METRIC.kl_estimate]);
    const V = family.vocab;
    this.config = config;
    this.sampler = new TokenSampler(V, config);
    this.tokens = new Int32Array(config.batch);
    this.oldLogProb = new Float64Array(config.batch);
    this.weights = new Float64Array(config.batch);
    this.returns = new Float64Array(config.batch);
    this.advantage = new Float64Array(config.batch);
    this.logRatio = new Float64Array(config.batch);
    this.klGrad = new Float64Array(V);
    this.random = randomFor();
  }

  get samplesPerStep(): number {
    return this.config.batch;
  }

  get costPerStep(): number {
    return sampledStepCost(this.family.vocab, this.config);
  }

  /** The settings in force. */
  get settings(): SampledConfig {
    return this.config;
  }

  /** New estimator, placement, baseline, … from the next step on (the batch size stays). The batch drawn now is kept. */
  configure(change: SamplingChange, penalty: Divergence): void {
    this.config = { ...this.config, ...change };
    if (change.temperature !== undefined || change.topK !== undefined) this.sampler = new TokenSampler(this.family.vocab, this.config);
    this.refresh(penalty);
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.random = this.randomFor();
    this.family.reset();
    this.family.evaluate(penalty, this.current);
    this.prepare(penalty, this.current);
  }

  /** The same batch (drawn at θ_t) re-estimated under another penalty or estimator. */
  refresh(penalty: Divergence): void {
    this.family.fillRow(penalty, this.current);
    this.estimateOn(penalty, this.current);
  }

  protected takeStep(penalty: Divergence, beta: number): void {
    this.update(penalty, beta);
  }

  /** The new θ's metrics, and the next batch drawn there. */
  protected evaluateInto(penalty: Divergence, row: Float64Array, at: number): void {
    this.family.evaluate(penalty, row, at);
    this.prepare(penalty, row, at);
  }

  /**
   * Draws this step's batch from the evaluated state and estimates the KL on it, so the record of
   * step t carries the estimate made at θ_t (which the next update uses).
   */
  private prepare(penalty: Divergence, row: Float64Array, at = 0): void {
    const { batch } = this.config;
    const family = this.family;
    const logPi = family.logProbabilities();
    const logRef = family.problem.logRef;
    this.sampler.update(family.state.pi, logPi);
    this.sampler.draw(this.random, this.tokens);
    for (let b = 0; b < batch; b++) {
      const x = this.tokens[b]!;
      this.oldLogProb[b] = logPi[x]!;
      this.logRatio[b] = logPi[x]! - logRef[x]!;
      this.weights[b] = this.sampler.weight(x, logPi);
    }
    this.estimateOn(penalty, row, at);
  }

  /**
   * The row's kl_estimate: the batch mean of k(ℓ) — unweighted, as trainers log it, so samples not
   * drawn from π show (a negative k1 mean) — or the exact value where no estimator applies.
   */
  private estimateOn(penalty: Divergence, row: Float64Array, at = 0): void {
    const { batch, estimator } = this.config;
    if (!estimatesPenalty(this.config, penalty)) {
      row[at + METRIC.kl_estimate] = row[at + METRIC.penalty_value]!;
      return;
    }
    let sumK = 0;
    for (let b = 0; b < batch; b++) sumK += estimator.value(this.logRatio[b]!);
    row[at + METRIC.kl_estimate] = sumK / batch;
  }

  /** Updates θ from the prepared batch (once, or `epochs` times for PPO) with the β and penalty in force now. */
  private update(penalty: Divergence, beta: number): void {
    const config = this.config;
    const { batch, baseline } = config;
    const family = this.family;
    const s = family.state;
    const { reward, logRef } = family.problem;
    const perSample = estimatesPenalty(config, penalty);
    let total = 0;
    for (let b = 0; b < batch; b++) {
      const G = sampleReturn(config, perSample, reward[this.tokens[b]!]!, this.logRatio[b]!, beta);
      this.returns[b] = G;
      total += G;
    }
    // b_i = self·G_i + others·mean_{j≠i} G_j (baselines.ts)
    const self = baseline.self(batch);
    const others = batch > 1 ? baseline.others(batch) : 0;
    for (let b = 0; b < batch; b++) {
      const G = this.returns[b]!;
      const othersMean = batch > 1 ? (total - G) / (batch - 1) : 0;
      this.advantage[b] = G - self * G - others * othersMean;
    }
    const epochs = epochsOf(config);
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch > 0) family.evaluate(penalty, this.current);
      const logPi = family.logProbabilities();
      const grad = s.grad;
      grad.fill(0);
      let weightSum = 0;
      for (let b = 0; b < batch; b++) {
        const x = this.tokens[b]!;
        const ratio = epoch === 0 ? 1 : Math.exp(logPi[x]! - this.oldLogProb[b]!);
        const c =
          (this.weights[b]! * (surrogate(config, this.advantage[b]!, ratio) - lossTerm(config, perSample, logPi[x]! - logRef[x]!, ratio, beta))) / batch;
        grad[x] = grad[x]! + c;
        weightSum += c;
      }
      for (let i = 0; i < s.V; i++) grad[i] = grad[i]! - s.pi[i]! * weightSum; // the −π part of ∇log π
      if (!perSample) {
        family.penaltyGradient(penalty, beta, this.klGrad);
        for (let i = 0; i < s.V; i++) grad[i] = grad[i]! + this.klGrad[i]!;
      }
      family.updated(this.optimizer.step(s.theta, grad));
    }
  }
}
