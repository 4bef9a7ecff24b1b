/**
 * What the restricted students (gaussian.ts, mixture.ts, lowrank.ts) share: a family whose logits
 * ℓ(θ) are a fixed function of a few parameters, π = softmax ℓ. The divergence registry already
 * gives ∇_ℓ[E_π[r] − β·D(π, π_ref)] for a softmax (divergence.ts `logitGradient`); a student chains
 * it on to its parameters, ∇_θ J = (∂ℓ/∂θ)ᵀ ∇_ℓ J, so every registry entry has an exact gradient
 * here without naming one. In fit mode π_ref is the teacher and r = 0: J = −β·D(student, teacher).
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import { evaluatedPenalty, type ExactMetrics, METRIC, writeExactRow } from "../metric-row.js";
import type { Problem } from "../problem.js";

/** One readable parameter of a student ("mu", "sigma", "weight_1", …) and its value. */
export interface StudentParameter {
  readonly name: string;
  readonly value: number;
}

export abstract class StudentFamily implements PolicyFamily {
  abstract readonly name: string;
  readonly vocab: number;
  readonly theta: Float64Array;
  readonly grad: Float64Array;
  readonly metrics: readonly number[];
  /** ℓ(θ), then log π = ℓ − logsumexp ℓ (never the log of a probability). */
  protected readonly logPi: Float64Array;
  protected readonly pi: Float64Array;
  /** ∇_ℓ J, the registry's logit gradient, before the chain rule. */
  private readonly logitGrad: Float64Array;
  /** The last evaluation's metrics (reused: nothing allocated per step). */
  private readonly exact: ExactMetrics = { reward: 0, goldReward: Number.NaN, forwardKL: 0, reverseKL: 0, entropy: 0 };

  constructor(
    readonly problem: Problem,
    /** θ₀: where reset puts the parameters. */
    private readonly initial: Float64Array,
  ) {
    this.vocab = problem.V;
    this.theta = Float64Array.from(initial);
    this.grad = new Float64Array(initial.length);
    this.logPi = new Float64Array(problem.V);
    this.pi = new Float64Array(problem.V);
    this.logitGrad = new Float64Array(problem.V);
    const { reward, gold_reward, forward_kl, reverse_kl, entropy, penalty_value } = METRIC;
    this.metrics = problem.gold
      ? [reward, gold_reward, forward_kl, reverse_kl, entropy, penalty_value]
      : [reward, forward_kl, reverse_kl, entropy, penalty_value];
  }

  /** out ← ℓ(θ), the unnormalised log-probabilities of the V tokens. */
  protected abstract logitsInto(theta: Float64Array, out: Float64Array): void;
  /** out ← (∂ℓ/∂θ)ᵀ g at the evaluated θ (the chain rule from logits to parameters). */
  protected abstract chainInto(g: Float64Array, out: Float64Array): void;
  /** The parameters as a reader names them (σ rather than log σ, mixture weights rather than logits). */
  abstract parameters(): StudentParameter[];

  reset(): void {
    this.theta.set(this.initial);
  }

  updated(): void {}

  evaluate(penalty: Divergence, row: Float64Array, at = 0): void {
    const { V, ref, logRef, reward, gold } = this.problem;
    const logPi = this.logPi;
    const pi = this.pi;
    this.logitsInto(this.theta, logPi);
    // log π = ℓ − logsumexp ℓ, with the max shifted out so that exp never overflows
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (logPi[i]! > max) max = logPi[i]!;
    let z = 0;
    for (let i = 0; i < V; i++) z += Math.exp(logPi[i]! - max);
    const logZ = max + Math.log(z);
    let sumR = 0;
    let sumG = 0;
    let forward = 0;
    let reverse = 0;
    let entropy = 0;
    for (let i = 0; i < V; i++) {
      const lp = logPi[i]! - logZ;
      const p = Math.exp(lp);
      logPi[i] = lp;
      pi[i] = p;
      sumR += p * reward[i]!;
      if (gold) sumG += p * gold[i]!;
      forward += ref[i]! * (logRef[i]! - lp); // KL(π_ref‖π): finite, lp is finite even where p underflows
      if (p > 0) {
        reverse += p * (lp - logRef[i]!); // KL(π‖π_ref), 0·log 0 = 0
        entropy -= p * lp;
      }
    }
    const m = this.exact;
    m.reward = sumR;
    m.goldReward = gold ? sumG : Number.NaN;
    m.forwardKL = forward;
    m.reverseKL = reverse;
    m.entropy = entropy;
    writeExactRow(row, at, m, this.penaltyValue(penalty));
  }

  /** D(π, π_ref) at the evaluated θ; the reverse KL unclamped (its logit gradient needs the raw Σw). */
  private penaltyValue(penalty: Divergence): number {
    return evaluatedPenalty(penalty, this.exact) ?? penalty.value(this.pi, this.logPi, this.problem.ref, this.problem.logRef);
  }

  /** ∇_θ J = (∂ℓ/∂θ)ᵀ ∇_ℓ J, ∇_ℓ J from the divergence's entry (divergence.ts). */
  gradient(penalty: Divergence, beta: number): void {
    const { ref, logRef, reward } = this.problem;
    penalty.logitGradient(this.pi, this.logPi, ref, logRef, reward, this.exact.reward, beta, this.penaltyValue(penalty), this.logitGrad);
    this.chainInto(this.logitGrad, this.grad);
  }

  tokenProbabilities(): Float64Array {
    return this.pi;
  }

  tokenLogProbabilities(out: Float64Array): void {
    out.set(this.logPi);
  }

  failure(): string | null {
    for (let k = 0; k < this.theta.length; k++) {
      if (!Number.isFinite(this.theta[k]!)) return `a ${this.name} student's parameter became non-finite (the learning rate is too large)`;
    }
    return null;
  }
}
