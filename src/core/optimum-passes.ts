/**
 * The passes over the vocabulary that the reverse-KL optimum (optima.ts), the metrics of a
 * policy whose log is known (metrics.ts) and a run's distance to the optimum (explore/convergence.ts)
 * take: the plain loops here, and a fast kernel's with the same bits (src/engine/native.ts;
 * test/engine/optimum-passes.test.ts holds them equal). A sweep at V = 65 536 takes them once per β.
 */
import { totalVariation } from "./information.js";

export interface OptimumPasses {
  /** out ← log π_ref + (r − rMax)/β; returns m = max out (Math.max's); if m is finite, out ← out − m and log (if given) ← the same. */
  tilt(logRef: ArrayLike<number>, reward: ArrayLike<number>, rMax: number, beta: number, out: Float64Array, log: Float64Array | null): number;
  /** out ← out·invZ; log (if given) ← log + negLogZ: π = e/Σe, log π = s − log Σe. */
  normalize(out: Float64Array, invZ: number, log: Float64Array | null, negLogZ: number): void;
  /**
   * sums ← [KL(π‖π_ref), KL(π_ref‖π), H(π), E_π[r]] as sums of terms, unclamped; log π where given,
   * else Math.log of each probability. E_π[r] is distributions.ts dot(π, r), the same bits: one pass
   * for the four, where a sweep at V = 65 536 took a second one per β for the reward.
   */
  divergences(
    pi: ArrayLike<number>,
    logPi: ArrayLike<number> | undefined,
    ref: ArrayLike<number>,
    logRef: ArrayLike<number>,
    reward: ArrayLike<number>,
    sums: Float64Array,
  ): void;
  /** TV(p, q) = ½Σ|p − q| over p's tokens (information.ts totalVariation: eight running sums). */
  totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number;
}

// One loop a function: each is optimised on its own, on its first long call, instead of the whole
// function being optimised mid-loop and deoptimised after it.

/** out ← log π_ref + (r − r_max)/β; returns max out. */
function tiltedLogits(logRef: ArrayLike<number>, reward: ArrayLike<number>, rMax: number, beta: number, out: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const logit = logRef[i]! + (reward[i]! - rMax) / beta;
    out[i] = logit;
    max = Math.max(max, logit); // not a branch: random rewards mispredict it
  }
  return max;
}

function addTo(x: Float64Array, c: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + c;
}

function scaleBy(x: Float64Array, c: number): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * c;
}

/** KL(π‖π_ref) = Σ p·(log p − log q), KL(π_ref‖π) = Σ q·(log q − log p), H(π) = −Σ p·log p, with 0·log 0 = 0; E_π[r] = Σ p·r. */
const divergenceSums: OptimumPasses["divergences"] = (pi, logPi, ref, logRef, reward, sums) => {
  let reverse = 0;
  let forward = 0;
  let h = 0;
  let expected = 0;
  for (let i = 0; i < pi.length; i++) {
    const p = pi[i]!;
    const q = ref[i]!;
    const logP = p === 0 ? -Infinity : logPi ? logPi[i]! : Math.log(p);
    if (p !== 0) reverse += q === 0 ? Infinity : p * (logP - logRef[i]!);
    if (q !== 0) forward += p === 0 ? Infinity : q * (logRef[i]! - logP);
    if (p > 0) h -= p * logP;
    expected += p * reward[i]!;
  }
  sums[0] = reverse;
  sums[1] = forward;
  sums[2] = h;
  sums[3] = expected;
};

export const PLAIN_PASSES: OptimumPasses = {
  tilt(logRef, reward, rMax, beta, out, log) {
    const max = tiltedLogits(logRef, reward, rMax, beta, out);
    if (!Number.isFinite(max)) return max;
    addTo(out, -max);
    log?.set(out);
    return max;
  },
  normalize(out, invZ, log, negLogZ) {
    scaleBy(out, invZ);
    if (log) addTo(log, negLogZ);
  },
  divergences: divergenceSums,
  totalVariation,
};
