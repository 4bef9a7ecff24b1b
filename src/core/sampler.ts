/**
 * What sampled training draws its tokens from: π itself, or π at a temperature τ and/or cut to its
 * top k tokens — q ∝ π^(1/τ) on the kept tokens — as an inference engine samples while the trainer
 * scores with π. A token drawn from q carries the importance weight w = π(x)/q(x), which makes
 * E_q[w·f] = Σ_{x kept} π(x)·f(x): unbiased where q keeps every token π has, biased (the dropped
 * tokens never seen) otherwise. Buffers are allocated once.
 */

export interface SamplerConfig {
  /** τ > 0: q ∝ π^(1/τ) (1 = π itself). */
  temperature: number;
  /** Keep only the k most probable tokens of π (ties: lower index first), or null for all. */
  topK: number | null;
}

export class TokenSampler {
  /** q over the vocabulary (0 off the kept tokens). */
  readonly q: Float64Array;
  /** log q (−Infinity off the kept tokens). */
  readonly logQ: Float64Array;
  private readonly cdf: Float64Array;
  private readonly order: Int32Array | null;
  /** Which tokens q keeps (top-k). */
  private readonly mask: Uint8Array;
  /** Whether q is π itself (τ = 1, every token kept): then w = 1 and nothing is recomputed. */
  readonly identity: boolean;

  constructor(
    readonly V: number,
    readonly config: SamplerConfig,
  ) {
    this.q = new Float64Array(V);
    this.logQ = new Float64Array(V);
    this.cdf = new Float64Array(V);
    this.identity = config.temperature === 1 && (config.topK === null || config.topK >= V);
    this.order = config.topK === null || config.topK >= V ? null : new Int32Array(V);
    this.mask = new Uint8Array(V);
  }

  /** q ← the sampler of π (given with log π, which is finite). */
  update(pi: ArrayLike<number>, logPi: ArrayLike<number>): void {
    const { q, logQ, V } = this;
    if (this.identity) {
      for (let i = 0; i < V; i++) {
        q[i] = pi[i]!;
        logQ[i] = logPi[i]!;
      }
      return;
    }
    const invT = 1 / this.config.temperature;
    const kept = this.keptMask(pi);
    // log q = log π/τ − logsumexp over the kept tokens (stable: shifted by the largest)
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (kept[i] && logPi[i]! * invT > max) max = logPi[i]! * invT;
    let z = 0;
    for (let i = 0; i < V; i++) if (kept[i]) z += Math.exp(logPi[i]! * invT - max);
    const logZ = max + Math.log(z);
    for (let i = 0; i < V; i++) {
      logQ[i] = kept[i] ? logPi[i]! * invT - logZ : -Infinity;
      q[i] = kept[i] ? Math.exp(logQ[i]!) : 0;
    }
  }

  /** 1 for each token kept (all but the V − k least probable under top-k). */
  private keptMask(pi: ArrayLike<number>): Uint8Array {
    const kept = this.mask;
    if (!this.order) {
      kept.fill(1);
      return kept;
    }
    const order = this.order;
    for (let i = 0; i < this.V; i++) order[i] = i;
    order.sort((a, b) => pi[b]! - pi[a]! || a - b);
    kept.fill(0);
    for (let k = 0; k < this.config.topK!; k++) kept[order[k]!] = 1;
    return kept;
  }

  /** The importance weight π(x)/q(x) of a drawn token. */
  weight(x: number, logPi: ArrayLike<number>): number {
    return this.identity ? 1 : Math.exp(logPi[x]! - this.logQ[x]!);
  }

  /** Inverse-CDF draws of tokens.length tokens from q (binary search in the cumulative sums). */
  draw(uniform: () => number, tokens: Int32Array): void {
    const { cdf, q, V } = this;
    let total = 0;
    for (let i = 0; i < V; i++) {
      total += q[i]!;
      cdf[i] = total;
    }
    for (let b = 0; b < tokens.length; b++) {
      const u = uniform() * total;
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
}
