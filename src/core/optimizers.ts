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
  }

  /** Counts a step and sets its bias corrections (a fast kernel taking the step calls it too). */
  tick(): void {
    const { beta1, beta2 } = this.config;
    this.t++;
    this.c1 = 1 / (1 - Math.pow(beta1, this.t));
    this.c2 = 1 / (1 - Math.pow(beta2, this.t));
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
