/** Forward KL, KL(π_ref‖π) = Σ π_ref log(π_ref/π): mass-covering; the f-divergence with f(u) = −log u. */
import type { Divergence } from "../divergence.js";
import { METRIC } from "../metric-row.js";
import { edgeOptimum, type EdgeRatio } from "../optima.js";

/** f′(u) = −1/u has sup 0: with s = −z, (f′)⁻¹(−s) = 1/s, so π*_i = β·π_ref,i/(λ − r_i), λ > max r. */
const edge: EdgeRatio = {
  ratio: (s) => 1 / s,
  slope: (s) => -1 / (s * s),
  inverse: (y) => 1 / y,
};

export const forwardKL: Divergence = {
  name: "forward",
  label: "forward KL(π_ref‖π)",
  short: "forward KL",
  symbol: "KL(π_ref‖π)",
  // Σ π_ref (log π_ref − log π): +Infinity where π has a zero (π_ref > 0 everywhere)
  value(_pi, logPi, ref, logRef) {
    let s = 0;
    for (let i = 0; i < ref.length; i++) s += ref[i]! * (logRef[i]! - logPi[i]!);
    return s < 0 ? 0 : s;
  },
  // w_i = π_i·(−π_ref,i/π_i) = −π_ref,i, Σw = −1: ∇_ℓ J = π ⊙ (r − E_π[r]) + β(π_ref − π)
  logitGradient(pi, _logPi, ref, _logRef, reward, meanReward, beta, _value, out) {
    if (!reward) for (let i = 0; i < pi.length; i++) out[i] = beta * (ref[i]! - pi[i]!);
    else for (let i = 0; i < pi.length; i++) out[i] = pi[i]! * (reward[i]! - meanReward) + beta * (ref[i]! - pi[i]!);
  },
  optimum: (ref, _logRef, reward, beta) => edgeOptimum(edge, ref, reward, beta),
  sameAs: METRIC.forward_kl,
  estimable: false,
};
