/**
 * A mixture of K discretised Gaussian bumps over ordered tokens: π_i = Σ_k w_k q_k,i with
 * q_k,i ∝ exp(−(i − μ_k)²/(2σ_k²)) each normalised over the tokens and w = softmax a;
 * θ = (a_1…a_K, μ_1…μ_K, log σ_1…log σ_K). Its logits are ℓ_i = logsumexp_k c_ik with
 * c_ik = log w_k + log q_k,i, so ∂ℓ_i/∂c_ik is the responsibility ρ_ik = e^{c_ik − ℓ_i}.
 */
import type { Problem } from "../problem.js";
import { type StudentParameter, StudentFamily } from "./student.js";

export class MixtureStudent extends StudentFamily {
  readonly name = "mixture";
  readonly components: number;
  /** c_ik then ρ_ik, row k. */
  private readonly joint: Float64Array;
  /** q_k,i, row k. */
  private readonly bump: Float64Array;
  private readonly weights: Float64Array;

  /** Starts with mixture weights `weights` (positive, normalised here), means and widths σ_k > 0. */
  constructor(problem: Problem, weights: ArrayLike<number>, means: ArrayLike<number>, sigmas: ArrayLike<number>) {
    const K = means.length;
    let total = 0;
    for (let k = 0; k < K; k++) total += weights[k]!;
    const theta = new Float64Array(3 * K);
    for (let k = 0; k < K; k++) {
      theta[k] = Math.log(weights[k]! / total);
      theta[K + k] = means[k]!;
      theta[2 * K + k] = Math.log(sigmas[k]!);
    }
    super(problem, theta);
    this.components = K;
    this.joint = new Float64Array(K * problem.V);
    this.bump = new Float64Array(K * problem.V);
    this.weights = new Float64Array(K);
  }

  protected logitsInto(theta: Float64Array, out: Float64Array): void {
    const K = this.components;
    const V = out.length;
    const { joint, bump, weights } = this;
    // log w = a − logsumexp a
    let aMax = -Infinity;
    for (let k = 0; k < K; k++) if (theta[k]! > aMax) aMax = theta[k]!;
    let aZ = 0;
    for (let k = 0; k < K; k++) aZ += Math.exp(theta[k]! - aMax);
    const logA = aMax + Math.log(aZ);
    for (let k = 0; k < K; k++) {
      const logW = theta[k]! - logA;
      weights[k] = Math.exp(logW);
      const mu = theta[K + k]!;
      const inv = Math.exp(-2 * theta[2 * K + k]!);
      // log q_k,i = b_ik − logsumexp_i b_ik, b_ik = −(i − μ_k)²/(2σ_k²); b's max is at the token nearest μ_k
      const row = k * V;
      let bMax = -Infinity;
      for (let i = 0; i < V; i++) {
        const b = -0.5 * (i - mu) * (i - mu) * inv;
        joint[row + i] = b;
        if (b > bMax) bMax = b;
      }
      let bZ = 0;
      for (let i = 0; i < V; i++) bZ += Math.exp(joint[row + i]! - bMax);
      const logZk = bMax + Math.log(bZ);
      for (let i = 0; i < V; i++) {
        const logQ = joint[row + i]! - logZk;
        bump[row + i] = Math.exp(logQ);
        joint[row + i] = logW + logQ;
      }
    }
    // ℓ_i = logsumexp_k c_ik, then ρ_ik = e^{c_ik − ℓ_i} in place of c
    for (let i = 0; i < V; i++) {
      let cMax = -Infinity;
      for (let k = 0; k < K; k++) if (joint[k * V + i]! > cMax) cMax = joint[k * V + i]!;
      let cZ = 0;
      for (let k = 0; k < K; k++) cZ += Math.exp(joint[k * V + i]! - cMax);
      const l = cMax + Math.log(cZ);
      out[i] = l;
      for (let k = 0; k < K; k++) joint[k * V + i] = Math.exp(joint[k * V + i]! - l);
    }
  }

  /**
   * With G_ik = g_i·ρ_ik, n_k = Σ_i G_ik and x ∈ {(i − μ_k)/σ_k², (i − μ_k)²/σ_k²} (∂b_ik/∂μ_k, ∂b_ik/∂s_k):
   * ∂/∂a_j = n_j − w_j Σ_k n_k;  ∂/∂φ_k = Σ_i G_ik x_ik − n_k·E_{q_k}[x_k] (the −log Z_k term).
   */
  protected chainInto(g: Float64Array, out: Float64Array): void {
    const K = this.components;
    const V = g.length;
    const { joint, bump, weights, theta } = this;
    let total = 0;
    for (let k = 0; k < K; k++) {
      const mu = theta[K + k]!;
      const inv = Math.exp(-2 * theta[2 * K + k]!);
      const row = k * V;
      let n = 0;
      let gMu = 0;
      let gS = 0;
      let qMu = 0;
      let qS = 0;
      for (let i = 0; i < V; i++) {
        const G = g[i]! * joint[row + i]!;
        const d = i - mu;
        const q = bump[row + i]!;
        n += G;
        gMu += G * d;
        gS += G * d * d;
        qMu += q * d;
        qS += q * d * d;
      }
      out[k] = n;
      out[K + k] = (gMu - n * qMu) * inv;
      out[2 * K + k] = (gS - n * qS) * inv;
      total += n;
    }
    for (let k = 0; k < K; k++) out[k] = out[k]! - weights[k]! * total;
  }

  parameters(): StudentParameter[] {
    const K = this.components;
    const theta = this.theta;
    let aMax = -Infinity;
    for (let k = 0; k < K; k++) if (theta[k]! > aMax) aMax = theta[k]!;
    let aZ = 0;
    for (let k = 0; k < K; k++) aZ += Math.exp(theta[k]! - aMax);
    const out: StudentParameter[] = [];
    for (let k = 0; k < K; k++) {
      out.push({ name: `weight_${k + 1}`, value: Math.exp(theta[k]! - aMax) / aZ });
      out.push({ name: `mu_${k + 1}`, value: theta[K + k]! });
      out.push({ name: `sigma_${k + 1}`, value: Math.exp(theta[2 * K + k]!) });
    }
    return out;
  }
}
