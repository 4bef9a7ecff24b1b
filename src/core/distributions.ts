/** Distributions over a vocabulary, as Float64Arrays. Pure functions, no allocation unless named `...Of`. */
import type { OptimumPasses } from "./optimum-passes.js";

/** out ← exp(x), element by element (out may be x); returns Σ out. The plain loop is `mathExp`; a fast kernel supplies its own within 1 ulp (src/engine/native.ts). */
export type VectorExp = (x: Float64Array, out: Float64Array) => number;

export const mathExp: VectorExp = (x, out) => {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += out[i] = Math.exp(x[i]!);
  return total;
};

/** What a closed-form optimum may use instead of its own: a fast kernel's exp, and the array to write π* into (a sweep's 65 536-token π* is 512 KB a β). */
export interface OptimumWork {
  exp?: VectorExp;
  /** A fast kernel's passes of the reverse optimum and of its metrics (the plain loops' bits). */
  passes?: OptimumPasses;
  /** max r of the array `of`, known to the caller (a sweep's simulation takes it once, not once a β); used only for that array. */
  rewardMax?: { of: ArrayLike<number>; value: number };
  /** π*'s buffer, of length V (its old contents are overwritten). */
  out?: Float64Array;
  /** A buffer of length V for log π*, filled (and `hasLog` set) by a form that knows it exactly: then nobody takes the log of π*. */
  log?: Float64Array;
  hasLog?: boolean;
}

/** log Σ exp(x_i), stable: max + log Σ exp(x_i − max). −Infinity for an empty or all −Infinity input. */
export function logSumExp(x: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return max + Math.log(sum);
}

/** out ← log softmax(θ) = θ − logsumexp(θ); returns logsumexp(θ). Never takes the log of a probability. */
export function logSoftmaxInto(theta: ArrayLike<number>, out: Float64Array): number {
  const logZ = logSumExp(theta);
  for (let i = 0; i < theta.length; i++) out[i] = theta[i]! - logZ;
  return logZ;
}

/** out ← softmax(θ) = exp(θ − max)/Σ exp(θ − max) (sums to 1 to rounding even at |θ| ~ 1e6); returns logsumexp(θ). */
export function softmaxInto(theta: ArrayLike<number>, out: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < theta.length; i++) if (theta[i]! > max) max = theta[i]!;
  let total = 0;
  for (let i = 0; i < theta.length; i++) {
    out[i] = Math.exp(theta[i]! - max);
    total += out[i]!;
  }
  for (let i = 0; i < theta.length; i++) out[i] = out[i]! / total;
  return max + Math.log(total);
}

export function softmaxOf(theta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(theta.length);
  softmaxInto(theta, out);
  return out;
}

export function logSoftmaxOf(theta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(theta.length);
  logSoftmaxInto(theta, out);
  return out;
}

/** Elementwise natural log (log 0 = −Infinity). For inputs, not for softmax outputs. */
export function logOf(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = Math.log(p[i]!);
  return out;
}

export function sum(x: ArrayLike<number>): number {
  // Neumaier summation: the sum-to-1 check must not be fooled by rounding on large V.
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Tolerance for "sums to 1": 1e-9·V (the README's scenario format states it). */
export function sumTolerance(length: number): number {
  return 1e-9 * Math.max(1, length);
}

/**
 * Why `p` is not a probability distribution, or undefined if it is one.
 * `strictlyPositive` is for reference policies, whose log must be finite.
 */
export function distributionProblem(p: ArrayLike<number>, strictlyPositive = false): string | undefined {
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!Number.isFinite(v)) return `entry ${i} is ${String(v)}, expected a finite number`;
    if (v < 0) return `entry ${i} is negative (${v})`;
    if (strictlyPositive && v === 0) return `entry ${i} is 0; a reference policy must be strictly positive`;
  }
  const total = sum(p);
  // Finite entries can still overflow the sum (1e308 + 1e308); NaN would pass a `>` test.
  if (!Number.isFinite(total)) return "probabilities sum to Infinity (overflow), expected 1";
  if (Math.abs(total - 1) > sumTolerance(p.length)) return `probabilities sum to ${formatSum(total)}, expected 1`;
  return undefined;
}

function formatSum(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** p / Σp (for `--normalize` and for cleaning up rounding). */
export function normalizedOf(p: ArrayLike<number>): Float64Array {
  const total = sum(p);
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i]! / total;
  return out;
}

/** Index of the largest entry (first one on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** OptimumWork.rewardMax of the reward r: max r, for a caller that takes many optima of one r. */
export function rewardMaxOf(reward: ArrayLike<number>): NonNullable<OptimumWork["rewardMax"]> {
  return { of: reward, value: reward[argmax(reward)]! };
}
