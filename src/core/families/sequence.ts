/**
 * The tabular autoregressive family: one logit row per prefix of a tree of horizon T (optionally
 * ending at eos), π(y) = Π_t π(a_t|s_t). Its outcomes are the S complete sequences, so the token
 * panel's "tokens" are sequences and the Simulation's optimum and metrics are those of the
 * sequence-level bandit (sequence/bandit.ts). Evaluation and the two KLs' gradients are the
 * prefix-tree recursions of src/core/sequence (chain rule; soft returns); any other penalty's
 * gradient is chained from the bandit's logit gradient g(y) through the tree:
 *   ∂J/∂θ_{n,b} = G(n·b) − π(b|n)·G(n),  G(edge) = Σ of g(y) over the sequences through it
 * (∂π(y)/∂θ_{n,b} = π(y)·(1[y ∋ n·b] − π(b|n)·1[y ∋ n]); g's own ⟨π, f⟩ shift cancels in G(n·b) − π(b|n)·G(n)).
 */
import type { Divergence } from "../divergence.js";
import type { PolicyFamily } from "../family.js";
import { evaluatedPenalty, METRIC, writeExactRow } from "../metric-row.js";
import type { Problem } from "../problem.js";
import { sequenceBanditOf } from "../sequence/bandit.js";
import { evaluateSequencePolicy } from "../sequence/evaluate.js";
import { forwardSequenceGradient, reverseSequenceGradient } from "../sequence/gradient.js";
import { sequenceProbabilitiesInto } from "../sequence/paths.js";
import type { SequenceProblem } from "../sequence/problem.js";
import { SequenceState } from "../sequence/state.js";

/** The penalties with a prefix-tree recursion of their own, by the metric they equal. */
const TREE_GRADIENTS: Readonly<Record<number, (s: SequenceState, beta: number) => number>> = {
  [METRIC.reverse_kl]: reverseSequenceGradient,
  [METRIC.forward_kl]: forwardSequenceGradient,
};

export class SequenceFamily implements PolicyFamily {
  readonly name = "sequence";
  /** Outcomes: the complete sequences. */
  readonly vocab: number;
  readonly state: SequenceState;
  readonly metrics: readonly number[];
  /** The problem over whole sequences (π_ref(y), R(y)). */
  readonly bandit: Problem;
  /** π(y) and log π(y), filled on demand after an evaluation. */
  private readonly seqPi: Float64Array;
  private readonly seqLogPi: Float64Array;
  private readonly seqGrad: Float64Array;
  private seqFresh = false;
  private maxTheta = 0;

  constructor(
    readonly problem: SequenceProblem,
    bandit?: Problem,
  ) {
    this.state = new SequenceState(problem);
    this.bandit = bandit ?? sequenceBanditOf(problem);
    this.vocab = problem.tree.sequences;
    this.seqPi = new Float64Array(this.vocab);
    this.seqLogPi = new Float64Array(this.vocab);
    this.seqGrad = new Float64Array(this.vocab);
    const { reward, gold_reward, forward_kl, reverse_kl, entropy, penalty_value, mean_length, token_mean_kl } = METRIC;
    const base = [reward, forward_kl, reverse_kl, entropy, penalty_value, mean_length, token_mean_kl];
    this.metrics = problem.gold ? [gold_reward, ...base] : base;
  }

  get theta(): Float64Array {
    return this.state.theta;
  }
  get grad(): Float64Array {
    return this.state.grad;
  }

  reset(): void {
    this.state.resetToReference();
    this.maxTheta = 0;
    this.seqFresh = false;
  }

  updated(maxTheta: number): void {
    this.maxTheta = maxTheta;
    this.seqFresh = false;
  }

  evaluate(penalty: Divergence, row: Float64Array, at = 0): void {
    evaluateSequencePolicy(this.state);
    this.seqFresh = false;
    this.fillRow(penalty, row, at);
  }

  /** The evaluated state's metrics into `row` from `at`. */
  fillRow(penalty: Divergence, row: Float64Array, at = 0): void {
    writeExactRow(row, at, this.state, this.penaltyValue(penalty));
  }

  /** D(π, π_ref) of the sequence distributions at the evaluated θ. */
  penaltyValue(penalty: Divergence): number {
    const known = evaluatedPenalty(penalty, this.state);
    if (known !== undefined) return known;
    this.fillSequences();
    return penalty.value(this.seqPi, this.seqLogPi, this.bandit.ref, this.bandit.logRef);
  }

  gradient(penalty: Divergence, beta: number): void {
    const tree = penalty.sameAs === undefined ? undefined : TREE_GRADIENTS[penalty.sameAs];
    if (tree) tree(this.state, beta);
    else this.chainedGradient(penalty, beta, this.bandit.reward);
  }

  /** out ← ∇_θ(−β·D(π, π_ref)) alone (sampled training with a penalty the estimators do not estimate). */
  penaltyGradient(penalty: Divergence, beta: number, out: Float64Array): void {
    this.chainedGradient(penalty, beta, null);
    out.set(this.state.grad);
  }

  /** grad ← the bandit's logit gradient over sequences, chained through the tree (see the header). */
  private chainedGradient(penalty: Divergence, beta: number, reward: Float64Array | null): void {
    this.fillSequences();
    const s = this.state;
    const { ref, logRef } = this.bandit;
    const value = this.penaltyValue(penalty);
    penalty.logitGradient(this.seqPi, this.seqLogPi, ref, logRef, reward, reward ? s.reward : 0, beta, value, this.seqGrad);
    const { V, nodes, next } = this.problem.tree;
    const { pi, grad, value: below } = s;
    for (let n = nodes - 1; n >= 0; n--) {
      const base = n * V;
      let total = 0;
      for (let a = 0; a < V; a++) {
        const c = next[base + a]!;
        const G = c >= 0 ? below[c]! : this.seqGrad[-1 - c]!;
        grad[base + a] = G;
        total += G;
      }
      below[n] = total;
      for (let a = 0; a < V; a++) grad[base + a] = grad[base + a]! - pi[base + a]! * total;
    }
  }

  /** π(y) and log π(y) = log π_ref(y) + Σ_t ℓ_t of the evaluated state. */
  private fillSequences(): void {
    if (this.seqFresh) return;
    const s = this.state;
    const { tree, logRef, context } = this.problem;
    const { V, sequences, seqNode, seqEdge } = tree;
    sequenceProbabilitiesInto(s, this.seqPi);
    for (let y = 0; y < sequences; y++) {
      const n = seqNode[y]!;
      const e = seqEdge[y]!;
      this.seqLogPi[y] = this.bandit.logRef[y]! + s.prefixLogRatio[n]! + s.theta[e]! - s.logZ[n]! - logRef[context[n]! * V + e - n * V]!;
    }
    this.seqFresh = true;
  }

  /** π over the complete sequences (a view: copy what you keep). */
  tokenProbabilities(): Float64Array {
    this.fillSequences();
    return this.seqPi;
  }

  /** log π(y) of every sequence, summed along its path. */
  tokenLogProbabilities(out: Float64Array): void {
    this.fillSequences();
    out.set(this.seqLogPi);
  }

  /** Each position's share of the reverse sequence KL, Σ_{depth t} P(n)·KL(π(·|n)‖π_ref(·|n)) (a view). */
  positionProfile(): Float64Array {
    return this.state.klProfile;
  }

  failure(): string | null {
    return Number.isFinite(this.maxTheta) ? null : "a logit became non-finite (the learning rate or reward scale is too large)";
  }
}
