/**
 * Sampled and expected training of the sequence family: each step follows a sequence trainer's
 * gradient (src/core/sequence/sampled.ts: B sequences drawn from π; expected.ts: the exact
 * expectation over every batch) — the per-token estimator, `kl_placement`, `aggregation` and
 * baseline in force. The record of step t carries the KL estimate made at θ_t (the batch the next
 * update uses). A penalty the estimators do not estimate (divergence.ts `estimable`) enters through
 * its exact gradient, as in the bandit's sampled stepper. Buffers are allocated at construction; a
 * reset of the sampled stepper makes a fresh generator (so it replays the same batches).
 */
import type { Divergence } from "../divergence.js";
import type { SequenceFamily } from "../families/sequence.js";
import { METRIC } from "../metric-row.js";
import type { Optimizer } from "../optimizers.js";
import { SequenceExpectedTrainer } from "../sequence/expected.js";
import { SequenceSampledTrainer } from "../sequence/sampled.js";
import type { SequenceTrainingConfig } from "../sequence/training.js";
import type { Stepper } from "../stepper.js";
import { RowStepper } from "./row-stepper.js";

const MAX_STEPS = 64;

/** What a sequence training mode provides: a batch (or its law) at the evaluated state, and the step's gradient. */
interface SequenceTrainer {
  /** Prepares the step from the evaluated θ; returns its KL estimate. */
  prepare(): number;
  /** state.grad ← the estimate of ∇J from what `prepare` made, at this β. */
  gradient(beta: number): void;
}

/** The sequence training modes, each its trainer (sampled draws; expected sums over every sequence). */
export const SEQUENCE_TRAINERS = {
  sampled: (family: SequenceFamily, config: SequenceTrainingConfig, random: () => number): SequenceTrainer => {
    const trainer = new SequenceSampledTrainer(family.state, config, random);
    return {
      prepare: () => {
        trainer.sample();
        return trainer.klEstimate;
      },
      gradient: (beta) => trainer.gradientOfSample(beta),
    };
  },
  expected: (family: SequenceFamily, config: SequenceTrainingConfig): SequenceTrainer => {
    const trainer = new SequenceExpectedTrainer(family.state, config);
    return { prepare: () => trainer.estimate(), gradient: (beta) => trainer.gradient(beta) };
  },
} as const;

export type SequenceTrainingMode = keyof typeof SEQUENCE_TRAINERS;

export class SequenceTrainingStepper extends RowStepper implements Stepper {
  private trainer: SequenceTrainer;
  private readonly penaltyGrad: Float64Array;
  /** The trainer's KL estimate at the current θ. */
  private estimate = Number.NaN;

  constructor(
    override readonly family: SequenceFamily,
    readonly optimizer: Optimizer,
    readonly mode: SequenceTrainingMode,
    readonly config: SequenceTrainingConfig,
    /** A fresh seeded uniform generator (called at every reset; expected mode draws nothing). */
    private readonly randomFor: () => () => number,
  ) {
    super(family, MAX_STEPS, [...family.metrics, METRIC.kl_estimate]);
    this.penaltyGrad = new Float64Array(family.theta.length);
    this.trainer = this.makeTrainer();
  }

  private makeTrainer(): SequenceTrainer {
    return SEQUENCE_TRAINERS[this.mode](this.family, this.config, this.randomFor());
  }

  /** "k3 ×4, token-loss, sum, loo" (estimator × batch, placement, aggregation, baseline). */
  get summary(): string {
    const { estimator, batch, placement, aggregation, baseline } = this.config;
    return `${estimator.name} ×${batch}, ${placement.name}, ${aggregation.name}, ${baseline.name}`;
  }

  /** The adaptive controller's n: sequences per step. */
  get samplesPerStep(): number {
    return this.config.batch;
  }

  reset(penalty: Divergence): void {
    this.optimizer.reset();
    this.trainer = this.makeTrainer();
    this.family.reset();
    this.evaluateInto(penalty, this.current, 0);
  }

  refresh(penalty: Divergence): void {
    this.family.fillRow(penalty, this.current);
    this.estimateOn(penalty, this.current, 0);
  }

  protected takeStep(penalty: Divergence, beta: number): void {
    const family = this.family;
    const grad = family.grad;
    if (penalty.estimable) this.trainer.gradient(beta);
    else {
      family.penaltyGradient(penalty, beta, this.penaltyGrad);
      this.trainer.gradient(0); // the reward's part; the penalty's is exact
      for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! + this.penaltyGrad[i]!;
    }
    family.updated(this.optimizer.step(family.theta, grad));
  }

  protected evaluateInto(penalty: Divergence, row: Float64Array, at: number): void {
    this.family.evaluate(penalty, row, at);
    this.estimate = this.trainer.prepare();
    this.estimateOn(penalty, row, at);
  }

  /** The row's kl_estimate: the trainer's estimate, or the exact value where no estimator applies. */
  private estimateOn(penalty: Divergence, row: Float64Array, at: number): void {
    row[at + METRIC.kl_estimate] = penalty.estimable ? this.estimate : row[at + METRIC.penalty_value]!;
  }
}
