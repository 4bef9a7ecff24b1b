/**
 * The α-divergences D_A(π, π_ref) = E_ref[f_A(π/π_ref)], f_A(u) = (u^{1−A} − (1−A)u − A)/(A(A−1)),
 * 0 < A < 1 (Amari's family in the f-DPO parameterisation, Wang et al. 2023): A → 0 is the reverse
 * KL, A → 1 the forward KL, and A between them interpolates from mode-seeking to mass-covering.
 */
import { type Divergence, logitGradientFromWeights } from "../divergence.js";
import { edgeOptimum, type EdgeRatio } from "../optima.js";

/**
 * π_ref,i·f_A(u_i) with ℓ = log(π/π_ref), written so that neither A → 0 nor A → 1 cancels:
 * numerator π e^{−Aℓ} − (1−A)π − A·π_ref = π·expm1(−Aℓ) + A(π − π_ref) = π_ref·expm1((1−A)ℓ) − (1−A)(π − π_ref).
 * At π = 0 the term is π_ref·f_A(0) = π_ref/(1 − A): finite, unlike the forward KL.
 */
function term(A: number, pi: number, logRatio: number, ref: number): number {
  if (pi === 0) return ref / (1 - A);
  const numerator = A < 0.5 ? pi * Math.expm1(-A * logRatio) + A * (pi - ref) : ref * Math.expm1((1 - A) * logRatio) - (1 - A) * (pi - ref);
  return numerator / (A * (A - 1));
}

/** The entry for one A in (0, 1). */
export function alphaDivergence(A: number): Divergence {
  // f_A′(u) = (1 − u^{−A})/A < 1/A: with z = 1/A − s, (f′)⁻¹(z) = (A·s)^{−1/A}
  const edge: EdgeRatio = {
    ratio: (s) => Math.exp(-Math.log(A * s) / A),
    slope: (s) => -Math.exp(-Math.log(A * s) / A) / (A * s),
    inverse: (y) => Math.exp(-A * Math.log(y)) / A,
  };
  // a decimal, never exponent notation (1e-7), so that the name parses back
  const digits = String(A).includes("e") ? A.toFixed(20).replace(/0+$/, "") : String(A);
  const name = `alpha:${digits}`;
  return {
    name,
    label: `α-divergence D_α(π‖π_ref), α = ${digits}`,
    short: `α=${digits}`,
    symbol: `D_α(π‖π_ref), α = ${digits}`,
    value(pi, logPi, ref, logRef) {
      let s = 0;
      for (let i = 0; i < ref.length; i++) s += term(A, pi[i]!, logPi[i]! - logRef[i]!, ref[i]!);
      return s < 0 ? 0 : s;
    },
    // w_i = π_i·f_A′(u_i) = π_i(1 − e^{−Aℓ_i})/A, → 0 as π_i → 0
    logitGradient(pi, logPi, _ref, logRef, reward, meanReward, beta, _value, out) {
      for (let i = 0; i < pi.length; i++) out[i] = pi[i]! > 0 ? (-pi[i]! * Math.expm1(-A * (logPi[i]! - logRef[i]!))) / A : 0;
      logitGradientFromWeights(pi, reward, meanReward, beta, out);
    },
    optimum: (ref, _logRef, reward, beta) => edgeOptimum(edge, ref, reward, beta),
    estimable: false,
  };
}
