/**
 * The full softmax family, π = softmax θ over V tokens: the bandit every RLHF penalty acts on most
 * plainly. Evaluation is one fused pass (one exp per token, every metric in the same loop); the
 * exact gradient of E_π[r] − β·D(π, π_ref) follows from the divergence's weighted gradient by the
 * softmax chain rule. The fast kernels (src/engine) compute the same steps on the same PolicyState.
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import { evaluatedPenalty, METRIC, writeExactRow } from "../metric-row.js";
import type { Problem } from "../problem.js";

/** The policy's buffers and the metrics of its current θ (filled by `evaluatePolicy`). */
export class PolicyState {
  /** Logits θ. */
  readonly theta: Float64Array;
  /** π = softmax θ, after `evaluatePolicy`. */
  readonly pi: Float64Array;
  /** ∇_θ J, after a gradient. */
  readonly grad: Float64Array;
  /** max_i θ_i: the shift that keeps exp from overflowing (maintained by the optimiser pass). */
  maxTheta = 0;
  /** log Σ exp θ. */
  logZ = 0;
  /** E_π[r]. */
  reward = 0;
  /** E_π[g], NaN without a gold reward. */
  goldReward = Number.NaN;
  /** KL(π‖π_ref), unclamped (the gradient's baseline needs the raw value). */
  reverseKL = 0;
  /** KL(π_ref‖π). */
  forwardKL = 0;
  /** H(π). */
  entropy = 0;

  /** `buffers` lets a fast kernel keep θ, π and ∇J in its own memory (src/engine/fast-stepper.ts). */
  constructor(
    readonly V: number,
    buffers?: { theta: Float64Array; pi: Float64Array; grad: Float64Array },
  ) {
    this.theta = buffers?.theta ?? new Float64Array(V);
    this.pi = buffers?.pi ?? new Float64Array(V);
    this.grad = buffers?.grad ?? new Float64Array(V);
  }

  /** θ ← log π_ref: training starts at the reference policy. */
  resetTo(problem: Problem): void {
    this.theta.set(problem.logRef);
    if (this.startOf !== problem) {
      let max = -Infinity;
      for (let i = 0; i < this.V; i++) if (problem.logRef[i]! > max) max = problem.logRef[i]!;
      this.startMax = max;
      this.startOf = problem;
    }
    this.maxTheta = this.startMax;
  }

  /** max log π_ref of the problem last reset to (a sweep resets once per β). */
  private startMax = 0;
  private startOf: Problem | null = null;
}

/**
 * Pass A: π = softmax θ and every metric in the same loop. With e_i = exp(θ_i − m), Z = Σe:
 *   E_π[r] = Σ e r / Z,   KL(π‖π_ref) = Σ e (θ − m − log π_ref)/Z − log Z,
 *   H(π) = log Z − Σ e (θ − m)/Z,   KL(π_ref‖π) = Σ π_ref (log π_ref − θ + m) + log Z.
 */
export function evaluatePolicy(problem: Problem, s: PolicyState, logPi?: Float64Array): void {
  const { V, ref, logRef, reward } = problem;
  const gold = problem.gold ?? reward;
  const theta = s.theta;
  const pi = s.pi;
  const m = s.maxTheta;
  let z = 0;
  let sumR = 0;
  let sumG = 0;
  let sumShifted = 0;
  let sumLogRatio = 0;
  let sumRefLogRatio = 0;
  for (let i = 0; i < V; i++) {
    const shifted = theta[i]! - m;
    const e = Math.exp(shifted);
    pi[i] = e;
    z += e;
    sumR += e * reward[i]!;
    sumG += e * gold[i]!;
    sumShifted += e * shifted;
    sumLogRatio += e * (shifted - logRef[i]!);
    sumRefLogRatio += ref[i]! * (logRef[i]! - shifted);
  }
  const invZ = 1 / z;
  const logZ = Math.log(z);
  if (logPi) {
    // log π = θ − logZ in the same pass (what the divergence's gradient reads)
    const shift = m + logZ;
    for (let i = 0; i < V; i++) {
      pi[i] = pi[i]! * invZ;
      logPi[i] = theta[i]! - shift;
    }
  } else for (let i = 0; i < V; i++) pi[i] = pi[i]! * invZ;
  s.logZ = m + logZ;
  s.reward = sumR * invZ;
  s.goldReward = problem.gold ? sumG * invZ : Number.NaN;
  s.reverseKL = sumLogRatio * invZ - logZ;
  s.forwardKL = sumRefLogRatio + logZ;
  s.entropy = logZ - sumShifted * invZ;
}

/**
 * A copy of an evaluated PolicyState (π and the metrics), to restore without a pass of exp. log π is
 * not kept: logProbabilities() makes it on demand as θ − logZ, the bits evaluatePolicy wrote (its
 * shift is the state's logZ), and a sweep's fast steps never read it (a copy was ~45 µs a β at V = 65 536).
 */
class StartEvaluation {
  private constructor(
    private readonly pi: Float64Array,
    private readonly scalars: Pick<PolicyState, "logZ" | "reward" | "goldReward" | "reverseKL" | "forwardKL" | "entropy">,
  ) {}

  static of(s: PolicyState): StartEvaluation {
    const { logZ, reward, goldReward, reverseKL, forwardKL, entropy } = s;
    return new StartEvaluation(s.pi.slice(), { logZ, reward, goldReward, reverseKL, forwardKL, entropy });
  }

  restore(s: PolicyState): void {
    s.pi.set(this.pi);
    Object.assign(s, this.scalars);
  }
}

export class SoftmaxFamily implements PolicyFamily {
  readonly name = "softmax";
  readonly vocab: number;
  readonly state: PolicyState;
  readonly metrics: readonly number[];
  /** log π = θ − logZ, filled on demand after an evaluation. */
  private readonly logPi: Float64Array;
  private logPiFresh = false;
  /** θ is the start, log π_ref, untouched since `reset`. */
  private atStart = false;
  /** The evaluation of the start, made at the first `evaluate` there (the same bits every time). */
  private start: StartEvaluation | null = null;

  /** `buffers`: θ, π and ∇J in a fast kernel's memory, shared with it. */
  constructor(
    readonly problem: Problem,
    buffers?: { theta: Float64Array; pi: Float64Array; grad: Float64Array },
  ) {
    this.vocab = problem.V;
    this.state = new PolicyState(problem.V, buffers);
    this.logPi = new Float64Array(problem.V);
    const { reward, gold_reward, forward_kl, reverse_kl, entropy, penalty_value } = METRIC;
    this.metrics = problem.gold
      ? [reward, gold_reward, forward_kl, reverse_kl, entropy, penalty_value]
      : [reward, forward_kl, reverse_kl, entropy, penalty_value];
  }

  get theta(): Float64Array {
    return this.state.theta;
  }
  get grad(): Float64Array {
    return this.state.grad;
  }

  reset(): void {
    this.state.resetTo(this.problem);
    this.logPiFresh = false;
    this.atStart = true;
  }

  updated(maxTheta: number): void {
    this.state.maxTheta = maxTheta;
    this.logPiFresh = false;
    this.atStart = false;
  }

  evaluate(penalty: Divergence, row: Float64Array, at = 0): void {
    if (this.atStart && this.start) {
      this.start.restore(this.state);
      this.logPiFresh = false;
    } else {
      evaluatePolicy(this.problem, this.state, this.logPi);
      this.logPiFresh = true;
      // θ = log π_ref is every run's start: a sweep resets to it once per β, so keep its evaluation
      if (this.atStart) this.start = StartEvaluation.of(this.state);
    }
    this.atStart = false;
    this.fillRow(penalty, row, at);
  }

  /** The row (at `at`) of the state as it is (evaluated here or by a fast kernel). */
  fillRow(penalty: Divergence, row: Float64Array, at = 0): void {
    writeExactRow(row, at, this.state, this.penaltyValue(penalty));
  }

  /** D(π, π_ref) at the evaluated θ. */
  penaltyValue(penalty: Divergence): number {
    return evaluatedPenalty(penalty, this.state) ?? penalty.value(this.state.pi, this.logProbabilities(), this.problem.ref, this.problem.logRef);
  }

  /** log π at the evaluated θ (θ − logZ: never the log of a probability). */
  logProbabilities(): Float64Array {
    if (!this.logPiFresh) {
      const { theta, logZ } = this.state;
      for (let i = 0; i < this.vocab; i++) this.logPi[i] = theta[i]! - logZ;
      this.logPiFresh = true;
    }
    return this.logPi;
  }

  /** ∇_θ J: for the full softmax, θ is the logits, so it is the divergence's logit gradient itself (divergence.ts). */
  gradient(penalty: Divergence, beta: number): void {
    const s = this.state;
    const value = this.penaltyValue(penalty);
    penalty.logitGradient(s.pi, this.logProbabilities(), this.problem.ref, this.problem.logRef, this.problem.reward, s.reward, beta, value, s.grad);
  }

  /** out ← ∇_θ(−β·D(π, π_ref)) exactly: the penalty's part of the gradient alone. */
  penaltyGradient(penalty: Divergence, beta: number, out: Float64Array): void {
    const s = this.state;
    penalty.logitGradient(s.pi, this.logProbabilities(), this.problem.ref, this.problem.logRef, null, 0, beta, this.penaltyValue(penalty), out);
  }

  tokenProbabilities(): Float64Array {
    return this.state.pi;
  }

  /** log π = θ − logZ (logZ = log Σ exp θ, kept by every evaluation, the fast kernels' too). */
  tokenLogProbabilities(out: Float64Array): void {
    const { theta, logZ } = this.state;
    for (let i = 0; i < theta.length; i++) out[i] = theta[i]! - logZ;
  }

  failure(): string | null {
    return Number.isFinite(this.state.maxTheta) ? null : "a logit became non-finite (the learning rate or reward scale is too large)";
  }
}
