/**
 * Maximisers of J(π) = E_π[r] − β·D(π, π_ref) over the simplex: the β = 0 limit, the closed form
 * of the reverse KL, and the f-form root that every f-divergence with a bounded f′ shares. Each
 * divergence entry (divergences/*.ts) picks its own; `optimumOf` adds the β = 0 case for all.
 * All return a normalised Float64Array π*.
 */
import type { Divergence } from "./divergence.js";
import { argmax, mathExp, type OptimumWork } from "./distributions.js";
import { PLAIN_PASSES } from "./optimum-passes.js";

/** β = 0: all mass on argmax r; ties share it in proportion to π_ref. */
export function argmaxOptimum(ref: ArrayLike<number>, reward: ArrayLike<number>): Float64Array {
  const best = reward[argmax(reward)]!;
  const out = new Float64Array(ref.length);
  let mass = 0;
  for (let i = 0; i < ref.length; i++) if (reward[i] === best) mass += ref[i]!;
  for (let i = 0; i < ref.length; i++) out[i] = reward[i] === best ? ref[i]! / mass : 0;
  return out;
}

/** π* for any penalty and any β ≥ 0. */
export function optimumOf(
  penalty: Divergence,
  ref: ArrayLike<number>,
  logRef: ArrayLike<number>,
  reward: ArrayLike<number>,
  beta: number,
  work?: OptimumWork,
): Float64Array {
  return beta === 0 ? argmaxOptimum(ref, reward) : penalty.optimum(ref, logRef, reward, beta, work);
}

/** Reverse KL: π* ∝ π_ref · exp(r/β)  (Korbak et al. 2022; the DPO identity r = β log(π* ∕ π_ref) + c). */
export function reverseOptimum(
  ref: ArrayLike<number>,
  logRef: ArrayLike<number>,
  reward: ArrayLike<number>,
  beta: number,
  work: OptimumWork = {},
): Float64Array {
  const V = logRef.length;
  const out = work.out ?? new Float64Array(V);
  // Shifted by max r (π* is unchanged): (r − max r)/β ≤ 0, so a tiny β gives −huge or −Infinity
  // instead of r/β ≈ 1e13…1e301, whose rounding (ulp ~1e-3 at 1e13) made π* miss summing to 1
  // (to 2 with tied rewards at β = 1e-300).
  const log = work.log?.length === V ? work.log : null;
  const passes = work.passes ?? PLAIN_PASSES;
  // logits ℓ = log π_ref + (r − max r)/β, shifted by their max
  const rMax = work.rewardMax?.of === reward ? work.rewardMax.value : reward[argmax(reward)]!;
  const max = passes.tilt(logRef, reward, rMax, beta, out, log);
  // r/β overflowing to ±Infinity means β is effectively 0.
  if (!Number.isFinite(max)) return argmaxOptimum(ref, reward);
  // softmax of the logits with one exp per token: π* = exp(ℓ − max ℓ) / Σ exp(ℓ − max ℓ)
  const z = (work.exp ?? mathExp)(out, out);
  // log π* = (ℓ − max ℓ) − log Σ exp(ℓ − max ℓ)
  passes.normalize(out, 1 / z, log, -Math.log(z));
  if (log) work.hasLog = true;
  return out;
}

/**
 * The density ratio u = π* ∕ π_ref of an f-divergence penalty, as a function of the distance s > 0 to
 * the edge of the domain of (f′)⁻¹. Stationarity of E_π[r] − β·E_ref[f(π/π_ref)] on the simplex
 * gives π*_i = π_ref,i·(f′)⁻¹((r_i − λ)/β) (Wang et al. 2023, f-DPO); where sup f′ = z_max is
 * finite, writing λ = max r − β·z_max + δ makes every argument z_max − s_i with s_i = (δ + d_i)/β,
 * d_i = max r − r_i ≥ 0, so δ > 0 is exactly the domain restriction (a root with δ ≤ 0 is spurious).
 */
export interface EdgeRatio {
  /** ψ(s) = (f′)⁻¹(z_max − s): decreasing and convex, from +∞ at s → 0 to 0 at s → ∞. */
  ratio(s: number): number;
  /** ψ′(s) < 0. */
  slope(s: number): number;
  /** ψ⁻¹(y) for y > 0. */
  inverse(y: number): number;
}

/**
 * π* of an f-divergence penalty with a bounded f′ (forward KL, JS, α): π*_i = π_ref,i·ψ((δ + d_i)/β)
 * with δ > 0 fixed by Σπ* = 1. h(δ) = Σ π_ref,i ψ((δ + d_i)/β) − 1 is convex and decreasing, so
 * Newton from the left converges monotonically inside the exact bracket
 * [β·ψ⁻¹(1/π_ref(argmax)), β·ψ⁻¹(1)] (the argmax terms alone reach 1 at the left end; every term is
 * at most π_ref,i at the right end). Working in δ avoids the cancellation in λ − r_i when β is tiny.
 */
export function edgeOptimum(edge: EdgeRatio, ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number): Float64Array {
  const V = ref.length;
  const rMax = reward[argmax(reward)]!;
  const gap = new Float64Array(V);
  let topMass = 0;
  for (let i = 0; i < V; i++) {
    gap[i] = rMax - reward[i]!;
    if (gap[i] === 0) topMass += ref[i]!;
  }
  let lo = beta * edge.inverse(1 / topMass); // h(lo) ≥ 0
  let hi = beta * edge.inverse(1); // h(hi) ≤ 0
  if (!(lo > 0) || !Number.isFinite(hi)) return argmaxOptimum(ref, reward);
  let delta = lo;
  for (let iter = 0; iter < 200; iter++) {
    let h = -1;
    let dh = 0;
    for (let i = 0; i < V; i++) {
      const s = (delta + gap[i]!) / beta;
      h += ref[i]! * edge.ratio(s);
      dh += (ref[i]! * edge.slope(s)) / beta;
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
    out[i] = ref[i]! * edge.ratio((delta + gap[i]!) / beta);
    total += out[i]!;
  }
  // β so small that the ratios underflow or overflow (β = 5e-324): that is the β → 0 limit.
  if (!(total > 0 && Number.isFinite(total))) return argmaxOptimum(ref, reward);
  for (let i = 0; i < V; i++) out[i] = out[i]! / total;
  return out;
}
