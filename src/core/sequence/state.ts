/**
 * A sequence policy's buffers and the metrics of its current θ (filled by `evaluateSequencePolicy`).
 * θ is one Float64Array of prefixes × V logits: π(a|n) = softmax(θ[n·V … n·V + V − 1])_a.
 */
import type { SequenceProblem } from "./problem.js";

export class SequenceState {
  /** Logits, edge n·V + a. */
  readonly theta: Float64Array;
  /** π(a|n), after evaluation. */
  readonly pi: Float64Array;
  /** ∇_θ of the objective, after a gradient. */
  readonly grad: Float64Array;
  /** node → log Σ_a exp θ[n·V + a] (log π(a|n) = θ − logZ). */
  readonly logZ: Float64Array;
  /** node → P_π(prefix n): the probability π reaches it. */
  readonly reach: Float64Array;
  /** node → Σ of log(π/π_ref) along its path (the prefix's log-ratio; for the token-mean KL). */
  readonly prefixLogRatio: Float64Array;
  /** node → scratch for backward recursions (soft values, subtree masses). */
  readonly value: Float64Array;
  /** position t → Σ_{depth t} P(n)·KL(π(·|n)‖π_ref(·|n)): each position's share of the sequence KL. */
  readonly klProfile: Float64Array;
  /** position t → P(a sequence is still generating at t) = Σ_{depth t} P(n). */
  readonly alive: Float64Array;

  /** E_π[R]. */
  reward = 0;
  /** E_π[gold], NaN without a gold reward. */
  goldReward = NaN;
  /** KL(π‖π_ref) of the sequence distributions. */
  reverseKL = 0;
  /** KL(π_ref‖π) of the sequence distributions. */
  forwardKL = 0;
  /** H(π) of the sequence distribution. */
  entropy = 0;
  /** E_π[L], the length without eos. */
  meanLength = 0;
  /** E_π[tokens generated], eos included (= Σ_t alive[t]). */
  meanTokens = 0;
  /** E_π[log(π(y)/π_ref(y)) / n(y)], n(y) = tokens generated: verl's token-mean KL (the mean over sequences of each one's per-token mean). */
  tokenMeanKL = 0;

  constructor(readonly problem: SequenceProblem) {
    const { nodes, edges, horizon } = problem.tree;
    this.theta = new Float64Array(edges);
    this.pi = new Float64Array(edges);
    this.grad = new Float64Array(edges);
    this.logZ = new Float64Array(nodes);
    this.reach = new Float64Array(nodes);
    this.prefixLogRatio = new Float64Array(nodes);
    this.value = new Float64Array(nodes);
    this.klProfile = new Float64Array(horizon);
    this.alive = new Float64Array(horizon);
    this.resetToReference();
  }

  /** θ ← log π_ref at every prefix: training starts at the reference policy. */
  resetToReference(): void {
    const { tree, logRef, context } = this.problem;
    const V = tree.V;
    for (let n = 0; n < tree.nodes; n++) this.theta.set(logRef.subarray(context[n]! * V, context[n]! * V + V), n * V);
  }
}
