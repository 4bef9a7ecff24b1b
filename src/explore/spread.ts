/** Mean and sample standard deviation of repeated measurements (seeds of a sampled run). */

export interface Spread {
  mean: number;
  /** Sample standard deviation √(Σ(x − x̄)²/(n − 1)); 0 for a single value. */
  std: number;
}

/** Mean and spread of the values (two-pass, so a large common offset does not cancel the spread). */
export function spreadOf(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1 || !Number.isFinite(mean)) return { mean, std: n === 1 ? 0 : Number.NaN };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}
