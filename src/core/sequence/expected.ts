/**
 * Expected-mode sequence training: the exact expectation, over batches of B sequences drawn from π,
 * of the sampled estimator ĝ = Σ_i Σ_t w_i·(G_it − b_i − β·c_it)·∇log π(a_it|s_it) — noise-free
 * dynamics whose fixed point is where that estimator really settles. The samples are exchangeable, so
 *   E[ĝ] = Σ_y π(y)·Σ_t (own(n_y)·(G_t(y) − self·G(y) − β·c_t(y)) − others·ofOthers(n_y))·∇log π(a_t|s_t)
 * with b_i = self·G_i + others·mean_{j≠i} G_j (baselines.ts) and own(n) = B·E[w | n_i = n],
 * ofOthers(n) = B·E[w·mean_{j≠i} G_j | n_i = n] from the aggregation (aggregations.ts): a sum over all
 * S sequences, two walks each.
 */
import { LengthLaw } from "./lengths.js";
import { pathOf } from "./paths.js";
import type { SequenceState } from "./state.js";
import type { PrefixTree } from "./tree.js";
import { type SequenceTrainingConfig, subtractScoreMean, trainingConfigProblem } from "./training.js";

/** Most sequences expected mode sums over per step. */
export const MAX_EXPECTED_SEQUENCES = 200_000;
/** Most (B·T)² steps of the batch-length convolution a token mean's expectation may take per step. */
export const MAX_LENGTH_CONVOLUTION = 1e8;

/** Why expected mode cannot run this tree and configuration, or undefined. */
export function expectedModeProblem(tree: PrefixTree, config: SequenceTrainingConfig): string | undefined {
  const problem = trainingConfigProblem(config);
  if (problem) return problem;
  if (tree.sequences > MAX_EXPECTED_SEQUENCES) {
    return `expected mode sums over every sequence: V = ${tree.V}, horizon ${tree.horizon} has ${tree.sequences}, more than ${MAX_EXPECTED_SEQUENCES} (use mode sampled, or a smaller vocabulary or horizon)`;
  }
  const work = (config.batch * tree.horizon) ** 2;
  if (config.aggregation.needsLengthSums && work > MAX_LENGTH_CONVOLUTION) {
    return `expected mode with aggregation ${config.aggregation.name} convolves the batch's lengths: batch ${config.batch} × horizon ${tree.horizon} is too large (at most (B·T)² = ${MAX_LENGTH_CONVOLUTION})`;
  }
  return undefined;
}

export class SequenceExpectedTrainer {
  private readonly law: LengthLaw;
  private readonly own: Float64Array; // by token count n = 1…T
  private readonly ofOthers: Float64Array;
  private readonly nodes: Int32Array; // T: one sequence's path
  private readonly edges: Int32Array;
  private readonly logRatio: Float64Array;
  private readonly credit: Float64Array;
  private readonly slope: Float64Array;
  private readonly rowSum: Float64Array;
  /** E over a batch of its mean penalised KL estimate (the record's kl_estimate). */
  klEstimate = NaN;

  constructor(
    private readonly state: SequenceState,
    readonly config: SequenceTrainingConfig,
  ) {
    const tree = state.problem.tree;
    const problem = expectedModeProblem(tree, config);
    if (problem) throw new RangeError(problem);
    const T = tree.horizon;
    this.law = new LengthLaw(T, config.batch);
    this.own = new Float64Array(T + 1);
    this.ofOthers = new Float64Array(T + 1);
    this.nodes = new Int32Array(T);
    this.edges = new Int32Array(T);
    this.logRatio = new Float64Array(T);
    this.credit = new Float64Array(T);
    this.slope = new Float64Array(T);
    this.rowSum = new Float64Array(tree.nodes);
  }

  /** klEstimate ← E over a batch of its mean penalised KL estimate, E_π[penalty(y)], at the evaluated state. */
  estimate(): number {
    const s = this.state;
    const { tree } = s.problem;
    const { estimator: k, placement } = this.config;
    const { reach, pi } = s;
    let penalty = 0;
    for (let y = 0; y < tree.sequences; y++) {
      const p = reach[tree.seqNode[y]!]! * pi[tree.seqEdge[y]!]!;
      if (!(p > 0)) continue;
      const n = pathOf(s, y, this.nodes, this.edges, this.logRatio);
      penalty += p * placement.penalty(this.logRatio, n, k);
    }
    this.klEstimate = penalty;
    return penalty;
  }

  /** state.grad ← E[ĝ] at the evaluated state (see `evaluateSequencePolicy`). */
  gradient(beta: number): void {
    const s = this.state;
    const { tree, reward } = s.problem;
    const { batch: B, estimator: k, placement, aggregation, baseline } = this.config;
    const { reach, pi, grad } = s;
    const law = this.law;
    // Pass 1: the law of lengths and returns, and the expected penalty.
    law.clear();
    let penalty = 0;
    for (let y = 0; y < tree.sequences; y++) {
      const p = reach[tree.seqNode[y]!]! * pi[tree.seqEdge[y]!]!;
      if (!(p > 0)) continue;
      const n = pathOf(s, y, this.nodes, this.edges, this.logRatio);
      const g = placement.credit(this.logRatio, n, reward[y]!, beta, k, this.credit, this.slope);
      law.add(n, p, g);
      penalty += p * placement.penalty(this.logRatio, n, k);
    }
    this.klEstimate = penalty;
    if (aggregation.needsLengthSums) law.convolveOthers();
    aggregation.expected(law, this.own, this.ofOthers);
    const self = baseline.self(B);
    const others = B > 1 ? baseline.others(B) : 0;
    // Pass 2: every sequence's tokens, weighted by π(y).
    grad.fill(0);
    for (let y = 0; y < tree.sequences; y++) {
      const p = reach[tree.seqNode[y]!]! * pi[tree.seqEdge[y]!]!;
      if (!(p > 0)) continue;
      const n = pathOf(s, y, this.nodes, this.edges, this.logRatio);
      const g = placement.credit(this.logRatio, n, reward[y]!, beta, k, this.credit, this.slope);
      const own = p * this.own[n]!;
      const fromOthers = p * others * this.ofOthers[n]!;
      for (let t = 0; t < n; t++) {
        const coef = own * (this.credit[t]! - self * g - beta * this.slope[t]!) - fromOthers;
        const e = this.edges[t]!;
        const node = this.nodes[t]!;
        grad[e] = grad[e]! + coef;
        this.rowSum[node] = this.rowSum[node]! + coef;
      }
    }
    for (let n = 0; n < tree.nodes; n++) subtractScoreMean(grad, pi, tree.V, n, this.rowSum);
  }
}
