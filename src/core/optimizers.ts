/** Gradient-ascent optimisers on the logits θ. Each `step` updates θ in place and returns max θ. */

export interface SgdConfig {
  kind: "sgd";
  /** Learning rate: θ ← θ + lr·∇J. */
  lr: number;
}

export interface AdamConfig {
  kind: "adam";
  /** Learning rate (step size) α. */
  lr: number;
  /** Decay of the first moment (Kingma & Ba 2015 default 0.9). */
  beta1: number;
  /** Decay of the second moment (default 0.999). */
  beta2: number;
  /** Added to √v̂ to avoid division by zero (default 1e-8). */
  eps: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig;

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** θ ← θ + update(∇J); returns max_i θ_i (the next softmax's shift, fused to save a pass). */
  step(theta: Float64Array, grad: Float64Array): number;
  reset(): void;
}

export class Sgd implements Optimizer {
  constructor(readonly config: SgdConfig) {}

  step(theta: Float64Array, grad: Float64Array): number {
    const lr = this.config.lr;
    let max = -Infinity;
    for (let i = 0; i < theta.length; i++) {
      const t = theta[i]! + lr * grad[i]!; // θ ← θ + lr·∇J
      theta[i] = t;
      if (t > max) max = t;
    }
    return max;
  }

  reset(): void {}
}

export class Adam implements Optimizer {
  /** First and second moments (a fast kernel's memory when it shares this optimiser's state). */
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** Steps taken so far. */
  t = 0;
  /** The bias corrections of the step being taken: 1/(1 − β₁ᵗ), 1/(1 − β₂ᵗ) (Kingma & Ba 2015, Alg. 1). */
  c1 = 1;
  c2 = 1;

  constructor(
    readonly config: AdamConfig,
    size: number,
    moments?: { m: Float64Array; v: Float64Array },
  ) {
    this.m = moments?.m ?? new Float64Array(size);
    this.v = moments?.v ?? new Float64Array(size);
    this.corrections1 = BiasCorrection.of(config.beta1);
    this.corrections2 = BiasCorrection.of(config.beta2);
  }

  /** 1/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ) by t. */
  private readonly corrections1: BiasCorrection;
  private readonly corrections2: BiasCorrection;

  /** Counts a step and sets its bias corrections (a fast kernel taking the step calls it too). */
  tick(): void {
    this.t++;
    this.c1 = this.corrections1.at(this.t);
    this.c2 = this.corrections2.at(this.t);
  }

  step(theta: Float64Array, grad: Float64Array): number {
    const { lr, beta1, beta2, eps } = this.config;
    this.tick();
    const { m, v, c1, c2 } = this;
    let max = -Infinity;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      const t = theta[i]! + (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps); // ascent
      theta[i] = t;
      if (t > max) max = t;
    }
    return max;
  }

  reset(): void {
    this.m.fill(0);
    this.v.fill(0);
    this.t = 0;
  }
}

/**
 * Adam's bias correction 1/(1 − βᵗ) (Kingma & Ba 2015, Alg. 1), the same bits as the formula, from
 * a table made once per β: two Math.pow a step were ~70 ns, as much as the native kernel's whole
 * step over 64 tokens, and a sweep takes the same t at every β. From the first t where βᵗ ≤ 2⁻⁵⁴ it
 * is exactly 1 (1 − βᵗ rounds to 1, and βᵗ only falls: t ≈ 355 for β = 0.9, 37 400 for 0.999);
 * before that the table holds TABLE_STEPS values at most, and later t take the formula.
 */
export class BiasCorrection {
  private values = new Float64Array(0);
  /** The first t whose correction is exactly 1, and every later one's. */
  private onesFrom = Infinity;

  private constructor(private readonly beta: number) {}

  /** β's table, shared (a sweep over β₁ or β₂ keeps the last few). */
  static of(beta: number): BiasCorrection {
    let table = BIAS_TABLES.get(beta);
    if (!table) {
      if (BIAS_TABLES.size >= 16) BIAS_TABLES.clear();
      table = new BiasCorrection(beta);
      BIAS_TABLES.set(beta, table);
    }
    return table;
  }

  /** 1/(1 − βᵗ) for t ≥ 1. */
  at(t: number): number {
    if (t >= this.onesFrom) return 1;
    if (t <= this.values.length) return this.values[t - 1]!;
    if (t > TABLE_STEPS) return 1 / (1 - Math.pow(this.beta, t));
    this.grow(t);
    return t >= this.onesFrom ? 1 : this.values[t - 1]!;
  }

  /** Covers t (doubling), stopping where the correction becomes 1 for good. */
  private grow(t: number): void {
    const values = new Float64Array(Math.min(TABLE_STEPS, Math.max(64, 2 * t)));
    values.set(this.values);
    for (let k = this.values.length + 1; k <= values.length; k++) {
      const power = Math.pow(this.beta, k);
      values[k - 1] = 1 / (1 - power);
      if (power <= ONE_BELOW && power >= 0) {
        this.onesFrom = k;
        break;
      }
    }
    this.values = values;
  }
}

/** βᵗ at or below 2⁻⁵⁴ (half an ulp of numbers just below 1): 1 − βᵗ rounds to 1. */
const ONE_BELOW = 2 ** -54;
/** The most corrections a table holds (512 KB): β₂ = 0.9999 reaches 1 at t ≈ 374 000. */
const TABLE_STEPS = 65_536;
const BIAS_TABLES = new Map<number, BiasCorrection>();

type Moments = { m: Float64Array; v: Float64Array };

/** Each optimiser kind's constructor: a missing kind is a compile error. */
const OPTIMIZERS: { [K in OptimizerConfig["kind"]]: (config: Extract<OptimizerConfig, { kind: K }>, size: number, moments?: Moments) => Optimizer } = {
  sgd: (config) => new Sgd(config),
  adam: (config, size, moments) => new Adam(config, size, moments),
};

/** `moments`: Adam's m and v in a fast kernel's memory, so that both step on one state. */
export function createOptimizer(config: OptimizerConfig, size: number, moments?: Moments): Optimizer {
  return (OPTIMIZERS[config.kind] as (config: OptimizerConfig, size: number, moments?: Moments) => Optimizer)(config, size, moments);
}
