/**
 * Per-sample KL estimators for x ~ π with log-ratio ℓ = log π(x) − log π_ref(x)
 * (Schulman 2020, "Approximating KL Divergence"). Each estimates KL(π‖π_ref).
 */

export type Estimator = "k1" | "k2" | "k3" | "abs" | "full";

export const ESTIMATORS: readonly Estimator[] = ["k1", "k2", "k3", "abs", "full"];

/** k(ℓ). `full` is not per-sample (it is the exact KL) and is handled by the caller. */
export function estimate(estimator: Estimator, logRatio: number): number {
  switch (estimator) {
    case "k1":
      return logRatio; // unbiased, high variance, can be negative
    case "k2":
      return 0.5 * logRatio * logRatio; // biased, low variance
    case "k3":
      return Math.expm1(-logRatio) + logRatio; // exp(−ℓ) − 1 + ℓ: unbiased, always ≥ 0
    case "abs":
      return Math.abs(logRatio);
    case "full":
      return NaN;
  }
}

/** dk/dℓ, for the pathwise gradient when the estimate is added to the loss (GRPO style). */
export function estimateSlope(estimator: Estimator, logRatio: number): number {
  switch (estimator) {
    case "k1":
      return 1;
    case "k2":
      return logRatio;
    case "k3":
      return -Math.expm1(-logRatio); // 1 − exp(−ℓ)
    case "abs":
      return Math.sign(logRatio);
    case "full":
      return NaN;
  }
}
