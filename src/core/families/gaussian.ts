/**
 * The discretised Gaussian student over ordered tokens: π_i ∝ exp(−(i − μ)²/(2σ²)), θ = (μ, log σ).
 * An exponential family in the statistics (i, i²), so its forward-KL fit matches the teacher's mean
 * and second moment (the maximum-likelihood fit); its reverse-KL fit is free to sit on one mode.
 */
import type { Problem } from "../problem.js";
import { type StudentParameter, StudentFamily } from "./student.js";

export class GaussianStudent extends StudentFamily {
  readonly name = "gaussian";

  /** Starts at mean `mu` and width `sigma` (in token positions, σ > 0). */
  constructor(problem: Problem, mu: number, sigma: number) {
    super(problem, Float64Array.of(mu, Math.log(sigma)));
  }

  // ℓ_i = −(i − μ)²/(2σ²), σ = e^s
  protected logitsInto(theta: Float64Array, out: Float64Array): void {
    const mu = theta[0]!;
    const inv = Math.exp(-2 * theta[1]!);
    for (let i = 0; i < out.length; i++) out[i] = -0.5 * (i - mu) * (i - mu) * inv;
  }

  // ∂ℓ_i/∂μ = (i − μ)/σ², ∂ℓ_i/∂s = (i − μ)²/σ²
  protected chainInto(g: Float64Array, out: Float64Array): void {
    const mu = this.theta[0]!;
    const inv = Math.exp(-2 * this.theta[1]!);
    let dMu = 0;
    let dS = 0;
    for (let i = 0; i < g.length; i++) {
      const d = i - mu;
      dMu += g[i]! * d;
      dS += g[i]! * d * d;
    }
    out[0] = dMu * inv;
    out[1] = dS * inv;
  }

  parameters(): StudentParameter[] {
    return [
      { name: "mu", value: this.theta[0]! },
      { name: "sigma", value: Math.exp(this.theta[1]!) },
    ];
  }
}
