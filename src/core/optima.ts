/**
 * Closed-form maximisers of J(π) = E_π[r] − β·KL_dir over the simplex.
 * All return a normalised Float64Array π*.
 */
import { argmax, logSumExp } from "./distributions.js";
import type { Penalty } from "./objective.js";

/** β = 0: all mass on argmax r; ties share it in proportion to π_ref. */
export function argmaxOptimum(ref: ArrayLike<number>, reward: ArrayLike<number>): Float64Array {
  const best = reward[argmax(reward)]!;
  const out = new Float64Array(ref.length);
  let mass = 0;
  for (let i = 0; i < ref.length; i++) if (reward[i] === best) mass += ref[i]!;
  for (let i = 0; i < ref.length; i++) out[i] = reward[i] === best ? ref[i]! / mass : 0;
  return out;
}

/** Reverse KL: π* ∝ π_ref · exp(r/β)  (Korbak et al. 2022; the DPO identity r = β log(π* ∕ π_ref) + c). */
export function reverseOptimum(logRef: ArrayLike<number>, reward: ArrayLike<number>, beta: number, ref?: ArrayLike<number>): Float64Array {
  const V = logRef.length;
  const logits = new Float64Array(V);
  // Shifted by max r (π* is unchanged): (r − max r)/β ≤ 0, so a tiny β gives −huge or −Infinity
  // instead of r/β ≈ 1e13…1e301, whose rounding (ulp ~1e-3 at 1e13) made π* miss summing to 1
  // (to 2 with tied rewards at β = 1e-300).
  const rMax = reward[argmax(reward)]!;
  for (let i = 0; i < V; i++) logits[i] = logRef[i]! + (reward[i]! - rMax) / beta;
  const logZ = logSumExp(logits);
  // r/β overflowing to ±Infinity means β is effectively 0.
  if (!Number.isFinite(logZ)) return argmaxOptimum(ref ?? Array.from(logRef, Math.exp), reward);
  const out = new Float64Array(V);
  for (let i = 0; i < V; i++) out[i] = Math.exp(logits[i]! - logZ);
  return out;
}

/**
 * Forward KL: π*_i = β·π_ref,i / (λ − r_i) with λ > max r and Σ π* = 1.
 * Solved for δ = λ − max r ∈ [β·π_ref(argmax), β] with Newton from the left, which is monotone
 * because h(δ) = Σ β π_ref,i/(δ + d_i) − 1 is convex and decreasing (d_i = max r − r_i ≥ 0).
 * Working in δ avoids the cancellation in λ − r_i when β is tiny.
 */
export function forwardOptimum(ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number): Float64Array {
  const V = ref.length;
  const rMax = reward[argmax(reward)]!;
  const gap = new Float64Array(V);
  let topMass = 0;
  for (let i = 0; i < V; i++) {
    gap[i] = rMax - reward[i]!;
    if (gap[i] === 0) topMass += ref[i]!;
  }
  let lo = beta * topMass; // h(lo) ≥ 0: the argmax terms alone already sum to 1
  let hi = beta; // h(hi) ≤ 0: every term ≤ π_ref,i
  if (!(lo > 0) || !Number.isFinite(hi)) return argmaxOptimum(ref, reward);
  let delta = lo;
  for (let iter = 0; iter < 200; iter++) {
    let h = -1;
    let dh = 0;
    for (let i = 0; i < V; i++) {
      const term = (beta * ref[i]!) / (delta + gap[i]!);
      h += term;
      dh -= term / (delta + gap[i]!);
    }
    if (h > 0) lo = delta;
    else hi = delta;
    if (h === 0) break;
    let next = delta - h / dh;
    // Safeguard: stay inside the bracket (bisect when Newton would leave it).
    if (!(next > lo && next < hi)) next = lo + 0.5 * (hi - lo); // not (lo + hi)/2: that overflows for β near 1e308
    if (Math.abs(next - delta) <= 1e-17 * delta || hi - lo <= 4e-16 * hi) {
      delta = next;
      break;
    }
    delta = next;
  }
  const out = new Float64Array(V);
  let total = 0;
  for (let i = 0; i < V; i++) {
    out[i] = (beta * ref[i]!) / (delta + gap[i]!);
    total += out[i]!;
  }
  // β so small that β·π_ref underflows (β = 5e-324): the terms are 0/0; that is the β → 0 limit.
  if (!(total > 0 && Number.isFinite(total))) return argmaxOptimum(ref, reward);
  for (let i = 0; i < V; i++) out[i] = out[i]! / total;
  return out;
}

/** π* for either penalty direction and any β ≥ 0. */
export function optimum(penalty: Penalty, ref: ArrayLike<number>, logRef: ArrayLike<number>, reward: ArrayLike<number>, beta: number): Float64Array {
  if (beta === 0) return argmaxOptimum(ref, reward);
  return penalty === "reverse" ? reverseOptimum(logRef, reward, beta, ref) : forwardOptimum(ref, reward, beta);
}
