/**
 * Jensen–Shannon, JS(π, π_ref) = ½KL(π‖m) + ½KL(π_ref‖m), m = (π + π_ref)/2 (Lin 1991): bounded by
 * log 2, symmetric; the f-divergence with f(u) = ½[u log u − (1 + u) log((1 + u)/2)].
 */
import { type Divergence, logitGradientFromWeights } from "../divergence.js";
import { edgeOptimum, type EdgeRatio } from "../optima.js";

/** log m = log((π + π_ref)/2) from the two logs, without forming π + π_ref in the log's argument. */
function logMid(logP: number, logQ: number): number {
  const hi = logP > logQ ? logP : logQ;
  const lo = logP > logQ ? logQ : logP;
  return hi + Math.log1p(Math.exp(lo - hi)) - Math.LN2;
}

/** f′(u) = ½ log(2u/(1 + u)) < ½ log 2: with z = ½ log 2 − s, (f′)⁻¹(z) = 1/(e^{2s} − 1). */
const edge: EdgeRatio = {
  ratio: (s) => 1 / Math.expm1(2 * s),
  // −2e^{2s}/(e^{2s} − 1)², written so that it neither overflows nor divides ∞ by ∞
  slope: (s) => -2 / (Math.expm1(2 * s) * -Math.expm1(-2 * s)),
  inverse: (y) => 0.5 * Math.log1p(1 / y),
};

export const jensenShannon: Divergence = {
  name: "js",
  label: "Jensen–Shannon JS(π, π_ref)",
  short: "JS",
  symbol: "JS(π, π_ref)",
  value(pi, logPi, ref, logRef) {
    let s = 0;
    for (let i = 0; i < ref.length; i++) {
      const logM = logMid(logPi[i]!, logRef[i]!);
      if (pi[i]! > 0) s += pi[i]! * (logPi[i]! - logM);
      s += ref[i]! * (logRef[i]! - logM);
    }
    s *= 0.5;
    return s < 0 ? 0 : s > Math.LN2 ? Math.LN2 : s;
  },
  // w_i = π_i·f′(π_i/π_ref,i) = ½ π_i log(π_i/m_i)
  logitGradient(pi, logPi, _ref, logRef, reward, meanReward, beta, _value, out) {
    for (let i = 0; i < pi.length; i++) out[i] = pi[i]! > 0 ? 0.5 * pi[i]! * (logPi[i]! - logMid(logPi[i]!, logRef[i]!)) : 0;
    logitGradientFromWeights(pi, reward, meanReward, beta, out);
  },
  optimum: (ref, _logRef, reward, beta) => edgeOptimum(edge, ref, reward, beta),
  estimable: false,
};
