/**
 * What the Simulation's one step loop drives: a stepper takes training steps on a model and reports
 * each step's metrics as a row (metric-row.ts). The plain TypeScript steppers (steppers/*.ts) and the
 * fast kernels (src/engine) implement it alike; a stepper declares which penalties it can take, and
 * the Simulation falls back to the next one that can (steppers on one model share its state).
 */
import type { Divergence } from "./divergence.js";
import type { VectorExp } from "./distributions.js";
import type { OptimumPasses } from "./optimum-passes.js";
import type { StudentParameter } from "./families/student.js";
import type { PolicyFamily } from "./family.js";
import type { SampledConfig } from "./steppers/sampled.js";

export interface Stepper {
  /** The model it trains (steppers on one Simulation share it). */
  readonly family: PolicyFamily;
  /** What runs the steps: "typescript", "wasm-simd", "native-avx512", … */
  readonly kernel: string;
  /** Whether a helper thread has taken part in the steps. */
  readonly threaded: boolean;
  /** Outcomes drawn per step (the batch B in sampled mode, 1 otherwise): the adaptive controller's n. */
  readonly samplesPerStep: number;
  /**
   * Work one step takes, in token-evaluation units (absent: V, an exact step; epochs × (V + B) sampled):
   * the step loop sizes its slices by it, so a signal or a key is answered after bounded work.
   */
  readonly costPerStep?: number;
  /** The most steps one `advance` takes. */
  readonly maxSteps: number;
  /** The metric-row fields (METRIC indices) this stepper fills; the others are NaN. */
  readonly metrics: readonly number[];
  /** Whether it can take steps under this penalty (the plain steppers take every one). */
  supports(penalty: Divergence): boolean;
  /** Back to the start (θ₀, the optimiser's state cleared); the current row is θ₀'s. */
  reset(penalty: Divergence): void;
  /** The current state's metrics under `penalty` (after another stepper's steps, or a penalty change). */
  refresh(penalty: Divergence): void;
  /**
   * Up to n steps (n ≤ maxSteps) at this β and penalty; row j holds the metrics after step j + 1.
   * Returns the steps taken: fewer than n only when the last one produced a non-finite value (in a
   * row field, or in the parameters: see `failure`).
   */
  advance(penalty: Divergence, beta: number, n: number): number;
  /** Row j (0 ≤ j < the last advance's count) into `out`, in METRIC order. */
  readRow(j: number, out: Float64Array): void;
  /** The current state's row (after reset, refresh or the last step) into `out`. */
  readCurrent(out: Float64Array): void;
  /** Another stepper takes over the state now: leave it evaluated and normalised. */
  release(): void;
  /** What became non-finite in the parameters at the last step, or null. */
  failure(): string | null;
  /** π over tokens now, normalised (a view: copy what you keep). */
  policy(): Float64Array;
  /** A fast kernel's exp, for the closed-form optimum's pass over the vocabulary (absent: Math.exp). */
  readonly exp?: VectorExp;
  /** A fast kernel's other passes of the closed-form optimum and its metrics (absent: the plain loops). */
  readonly passes?: OptimumPasses;
  /** Other training settings in one line for the status bar (sequence training: "k3 ×4, token-loss, sum, loo"). */
  readonly summary?: string;
  /** Fit mode: the restricted student's readable parameters now (μ, σ, …). */
  parameters?(): StudentParameter[];
  /** Sampled and expected steppers: the estimator, placement, baseline, … in force. */
  readonly settings?: SampledConfig;
  /** Sampled and expected steppers: change those settings from the next step on (the batch size stays). */
  configure?(change: SamplingChange, penalty: Divergence): void;
}

/** A change to a sampled stepper's settings (TUI keys k, i, b). */
export type SamplingChange = Partial<Omit<SampledConfig, "batch">>;
