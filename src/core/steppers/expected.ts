/**
 * Expected-mode training (the estimator lab): each step follows the exact expectation, over the
 * batches the sampled stepper would draw, of its gradient estimate — the same terms
 * (policy-gradient.ts) summed over tokens with their sampling probabilities instead of averaged over
 * draws. With q the sampler of π_old (sampler.ts), w = π_old/q, and, given the sample, the expected
 * advantage Ā(x) = (1 − self)·G(x) − others·E_q[G] (baselines.ts):
 *   E[ĝ] = Σ_x q(x)·w(x)·(surrogate(Ā(x), ρ(x)) − β·c_k(ℓ(x), ρ(x)))·∇log π(x)
 *        = c − π·Σc,  c(x) = π_old(x)·[x kept by q]·(…)   (∇log π(x) = e_x − π on the softmax)
 * — noise-free dynamics whose fixed point is where the configuration really settles. It is exact for
 * REINFORCE and PPO's first epoch; PPO's later epochs take each token's expected advantage for the
 * clip test (exact whenever the clip is inactive). No randomness: reset replays nothing.
 */
import type { Divergence } from "../divergence.js";
import type { SoftmaxFamily } from "../families/softmax.js";
import { METRIC } from "../metric-row.js";
import type { Optimizer } from "../optimizers.js";
import { TokenSampler } from "../sampler.js";
import type { SamplingChange, Stepper } from "../stepper.js";
import { RowStepper } from "./row-stepper.js";
import { epochsOf, estimatesPenalty, lossTerm, sampleReturn, surrogate } from "./policy-gradient.js";
import type { SampledConfig } from "./sampled.js";

const MAX_STEPS = 256;

export class ExpectedStepper extends RowStepper implements Stepper {
  private config: SampledConfig;
  private sampler: TokenSampler;
  /** π_old, log π_old and q·w = π_old on the kept tokens, of the step being taken. */
  private readonly oldPi: Float64Array;
  private readonly oldLogPi: Float64Array;
  /** The expected advantage of each token (of the step being taken). */
  private readonly advantage: Float64Array;
  private readonly klGrad: Float64Array;

  constructor(
    override readonly family: SoftmaxFamily,
    readonly optimizer: Optimizer,
    config: SampledConfig,
  ) {
    super(family, MAX_STEPS, [...family.metrics, METRIC.kl_estimate]);
    const V = family.vocab;
    this.config = config;
    this.sampler = new TokenSampler(V, config);
    this.oldPi = new Float64Array(V);
    this.oldLogPi = new Float64Array(V);
    this.advantage = new Float64Array(V);
    this.klGrad = new Float64Array(V);
  }

  /** The adaptive controller's n: the batch the expectation is over. */
  get samplesPerStep(): number {
    return this.config.batch;
  }

  /** Each epoch takes the expectation over all V tokens. */
  get costPerStep(): number {
    return epochsOf(this.config) * this.family.vocab;
  }

  get settings(): SampledConfig {
    return this.config;
  }

  configure(change: SamplingChange, penalty: Divergence): void {
    this.config = { ...this.config, ...change };
    if (change.temperature !== undefined || change.topK !== undefined) this.sampler = new TokenSampler(this.family.vocab, this.config);
    this.refresh(penalty);
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.family.reset();
    this.family.evaluate(penalty, this.current);
    this.estimateOn(penalty, this.current);
  }

  refresh(penalty: Divergence): void {
    this.family.fillRow(penalty, this.current);
    this.estimateOn(penalty, this.current);
  }

  protected takeStep(penalty: Divergence, beta: number): void {
    this.update(penalty, beta);
  }

  protected evaluateInto(penalty: Divergence, row: Float64Array, at: number): void {
    this.family.evaluate(penalty, row, at);
    this.estimateOn(penalty, row, at);
  }

  /** The expected batch mean of k(ℓ) under the sampler, E_q[k(ℓ)] (what a sampled run would log, on average). */
  private estimateOn(penalty: Divergence, row: Float64Array, at = 0): void {
    if (!estimatesPenalty(this.config, penalty)) {
      row[at + METRIC.kl_estimate] = row[at + METRIC.penalty_value]!;
      return;
    }
    const family = this.family;
    const logPi = family.logProbabilities();
    const logRef = family.problem.logRef;
    this.sampler.update(family.state.pi, logPi);
    const q = this.sampler.q;
    let expected = 0;
    for (let i = 0; i < family.vocab; i++) if (q[i]! > 0) expected += q[i]! * this.config.estimator.value(logPi[i]! - logRef[i]!);
    row[at + METRIC.kl_estimate] = expected;
  }

  /** E[ĝ] at the current θ into the family's grad, for epoch `epoch` of the step (epoch 0 fixes π_old, its sampler and advantages). */
  expectedGradient(penalty: Divergence, beta: number, epoch: number): Float64Array {
    const config = this.config;
    const family = this.family;
    const s = family.state;
    const { reward, logRef } = family.problem;
    const perSample = estimatesPenalty(config, penalty);
    const V = family.vocab;
    const logPi = family.logProbabilities();
    if (epoch === 0) {
      // the batch is drawn at θ_old = the current θ: its sampler, weights and advantages
      this.sampler.update(s.pi, logPi);
      const q = this.sampler.q;
      let meanReturn = 0;
      for (let i = 0; i < V; i++) {
        this.oldPi[i] = q[i]! > 0 ? s.pi[i]! : 0; // q·w = π_old on the kept tokens
        this.oldLogPi[i] = logPi[i]!;
        const G = sampleReturn(config, perSample, reward[i]!, logPi[i]! - logRef[i]!, beta);
        this.advantage[i] = G;
        meanReturn += q[i]! * G;
      }
      const { batch, baseline } = config;
      const self = baseline.self(batch);
      const others = batch > 1 ? baseline.others(batch) : 0;
      for (let i = 0; i < V; i++) this.advantage[i] = (1 - self) * this.advantage[i]! - others * meanReturn;
    }
    const grad = s.grad;
    let sum = 0;
    for (let i = 0; i < V; i++) {
      if (this.oldPi[i] === 0) {
        grad[i] = 0;
        continue;
      }
      const ratio = epoch === 0 ? 1 : Math.exp(logPi[i]! - this.oldLogPi[i]!);
      const c = this.oldPi[i]! * (surrogate(config, this.advantage[i]!, ratio) - lossTerm(config, perSample, logPi[i]! - logRef[i]!, ratio, beta));
      grad[i] = c;
      sum += c;
    }
    for (let i = 0; i < V; i++) grad[i] = grad[i]! - s.pi[i]! * sum;
    if (!perSample) {
      family.penaltyGradient(penalty, beta, this.klGrad);
      for (let i = 0; i < V; i++) grad[i] = grad[i]! + this.klGrad[i]!;
    }
    return grad;
  }

  /** θ ← θ + update(E[ĝ]) (once, or `epochs` times for PPO, each at the current θ). */
  private update(penalty: Divergence, beta: number): void {
    const family = this.family;
    const epochs = epochsOf(this.config);
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch > 0) family.evaluate(penalty, this.current);
      family.updated(this.optimizer.step(family.state.theta, this.expectedGradient(penalty, beta, epoch)));
    }
  }
}
