/** Reverse KL, KL(π‖π_ref) = Σ π log(π/π_ref): the standard RLHF penalty (Ziegler et al. 2019; Ouyang et al. 2022). */
import type { Divergence } from "../divergence.js";
import { METRIC } from "../metric-row.js";
import { reverseOptimum } from "../optima.js";

export const reverseKL: Divergence = {
  name: "reverse",
  label: "reverse KL(π‖π_ref)",
  short: "reverse KL",
  symbol: "KL(π‖π_ref)",
  // Σ π (log π − log π_ref), 0·log 0 = 0
  value(pi, logPi, _ref, logRef) {
    let s = 0;
    for (let i = 0; i < pi.length; i++) if (pi[i]! > 0) s += pi[i]! * (logPi[i]! - logRef[i]!);
    return s < 0 ? 0 : s;
  },
  // ∂D/∂π_i = log(π_i/π_ref,i) + 1, so w = π ⊙ log(π/π_ref) (the 1 is a multiple of π and drops
  // out) and Σw = D: ∇_ℓ J = π ⊙ (f − ⟨π, f⟩), f = r − β log(π/π_ref), ⟨π, f⟩ = E_π[r] − β·D
  logitGradient(pi, logPi, _ref, logRef, reward, meanReward, beta, value, out) {
    if (!reward) {
      for (let i = 0; i < pi.length; i++) out[i] = -beta * pi[i]! * (logPi[i]! - logRef[i]! - value);
      return;
    }
    const mean = meanReward - beta * value;
    for (let i = 0; i < pi.length; i++) out[i] = pi[i]! * (reward[i]! - beta * (logPi[i]! - logRef[i]!) - mean);
  },
  // π* ∝ π_ref·exp(r/β) (Korbak et al. 2022; Rafailov et al. 2023)
  optimum: reverseOptimum,
  sameAs: METRIC.reverse_kl,
  estimable: true,
};
