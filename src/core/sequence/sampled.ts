/**
 * Sampled sequence training: draw B complete sequences from π with a seeded uniform generator and
 * form the REINFORCE estimate ĝ = Σ_i Σ_t w_i·(G_it − b_i − β·c_it)·∇log π(a_it|s_it) (placement: G, c;
 * baseline: b; aggregation: w). Buffers are allocated once; a step allocates nothing.
 */
import type { SequenceState } from "./state.js";
import { type SequenceTrainingConfig, subtractScoreMean, trainingConfigProblem } from "./training.js";

export class SequenceSampledTrainer {
  private readonly nodes: Int32Array; // B × T: the prefix of each token
  private readonly edges: Int32Array; // B × T
  private readonly logRatios: Float64Array; // B × T
  private readonly logRatioOf: Float64Array[]; // sample i's row of logRatios (views made once)
  private readonly steps: Int32Array; // B: tokens generated
  private readonly sequence: Int32Array; // B: which sequence was drawn
  private readonly returns: Float64Array; // B: G_i for the baselines
  private readonly credit: Float64Array; // T
  private readonly slope: Float64Array; // T
  private readonly rowSum: Float64Array; // prefixes: Σ_a C_{n,a}, zero between steps
  /** Mean over the batch of each sequence's penalised KL estimate (the record's kl_estimate). */
  klEstimate = NaN;

  constructor(
    private readonly state: SequenceState,
    readonly config: SequenceTrainingConfig,
    private readonly random: () => number,
  ) {
    const problem = trainingConfigProblem(config);
    if (problem) throw new RangeError(problem);
    const { horizon: T, nodes } = state.problem.tree;
    const B = config.batch;
    this.nodes = new Int32Array(B * T);
    this.edges = new Int32Array(B * T);
    this.logRatios = new Float64Array(B * T);
    this.logRatioOf = Array.from({ length: B }, (_, i) => this.logRatios.subarray(i * T, i * T + T));
    this.steps = new Int32Array(B);
    this.sequence = new Int32Array(B);
    this.returns = new Float64Array(B);
    this.credit = new Float64Array(T);
    this.slope = new Float64Array(T);
    this.rowSum = new Float64Array(nodes);
  }

  /** state.grad ← ĝ from B fresh sequences of the evaluated state (see `evaluateSequencePolicy`). */
  gradient(beta: number): void {
    this.sample();
    this.gradientOfSample(beta);
  }

  /** Draws B sequences from the evaluated state and estimates the penalised KL on them (klEstimate). */
  sample(): void {
    const s = this.state;
    const { tree } = s.problem;
    const { batch: B, estimator: k, placement } = this.config;
    const T = tree.horizon;
    let sumPenalty = 0;
    for (let i = 0; i < B; i++) {
      const y = this.draw(i * T);
      const n = tree.stepsOf(y);
      this.sequence[i] = y;
      this.steps[i] = n;
      sumPenalty += placement.penalty(this.logRatioOf[i]!, n, k);
    }
    this.klEstimate = sumPenalty / B;
  }

  /** state.grad ← ĝ from the batch of the last `sample` (drawn at the state still evaluated), with β now. */
  gradientOfSample(beta: number): void {
    const s = this.state;
    const { tree, reward } = s.problem;
    const { batch: B, estimator: k, placement, aggregation, baseline } = this.config;
    const T = tree.horizon;
    let batchTokens = 0;
    let sumReturn = 0;
    for (let i = 0; i < B; i++) {
      const n = this.steps[i]!;
      batchTokens += n;
      const g = placement.credit(this.logRatioOf[i]!, n, reward[this.sequence[i]!]!, beta, k, this.credit, this.slope);
      this.returns[i] = g;
      sumReturn += g;
    }
    const self = baseline.self(B);
    const others = B > 1 ? baseline.others(B) / (B - 1) : 0;
    const { grad, pi } = s;
    grad.fill(0);
    for (let i = 0; i < B; i++) {
      const n = this.steps[i]!;
      const g = this.returns[i]!;
      const b = self * g + others * (sumReturn - g); // self·G_i + others·mean_{j≠i} G_j
      const w = aggregation.weight(n, B, batchTokens);
      placement.credit(this.logRatioOf[i]!, n, reward[this.sequence[i]!]!, beta, k, this.credit, this.slope);
      for (let t = 0; t < n; t++) {
        const coef = w * (this.credit[t]! - b - beta * this.slope[t]!);
        const e = this.edges[i * T + t]!;
        const node = this.nodes[i * T + t]!;
        grad[e] = grad[e]! + coef;
        this.rowSum[node] = this.rowSum[node]! + coef;
      }
    }
    const V = tree.V;
    // A prefix visited twice is finished at its first visit (which zeroes its row sum).
    for (let i = 0; i < B; i++) for (let t = 0; t < this.steps[i]!; t++) subtractScoreMean(grad, pi, V, this.nodes[i * T + t]!, this.rowSum);
  }

  /** Draws one sequence from π into row `at` of the path buffers (inverse CDF per prefix); returns it. */
  private draw(at: number): number {
    const s = this.state;
    const { tree, logRef, context } = s.problem;
    const { V, next } = tree;
    const { pi, theta, logZ } = s;
    let node = 0;
    for (let t = 0; ; t++) {
      const base = node * V;
      const u = this.random();
      let acc = 0;
      let a = 0;
      let last = 0; // the last token with π > 0: where rounding (Σπ slightly < 1) sends u
      for (; a < V; a++) {
        const p = pi[base + a]!;
        if (p > 0) last = a;
        acc += p;
        if (u < acc) break;
      }
      if (a === V) a = last;
      const e = base + a;
      this.nodes[at + t] = node;
      this.edges[at + t] = e;
      this.logRatios[at + t] = theta[e]! - logZ[node]! - logRef[context[node]! * V + a]!;
      const c = next[e]!;
      if (c < 0) return -1 - c;
      node = c;
    }
  }
}
