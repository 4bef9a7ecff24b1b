/**
 * The low-rank softmax student: logits ℓ = U·w for a fixed V×r feature matrix U, θ = w ∈ R^r.
 * It can represent exactly the distributions whose logits lie in U's column span (a log-linear
 * model); ∇_w J = Uᵀ ∇_ℓ J.
 */
import type { Problem } from "../problem.js";
import { type StudentParameter, StudentFamily } from "./student.js";

export class LowRankStudent extends StudentFamily {
  readonly name = "lowrank";
  readonly rank: number;

  /** `features`: U row-major, V rows of r; starts at w = `init` (length r). */
  constructor(
    problem: Problem,
    readonly features: Float64Array,
    init: ArrayLike<number>,
  ) {
    super(problem, Float64Array.from(init));
    this.rank = init.length;
    if (features.length !== problem.V * this.rank) throw new RangeError(`features must be ${problem.V}×${this.rank}, got ${features.length} entries`);
  }

  // ℓ_i = Σ_k U_ik w_k
  protected logitsInto(theta: Float64Array, out: Float64Array): void {
    const r = this.rank;
    const U = this.features;
    for (let i = 0; i < out.length; i++) {
      let l = 0;
      for (let k = 0; k < r; k++) l += U[i * r + k]! * theta[k]!;
      out[i] = l;
    }
  }

  // (Uᵀ g)_k = Σ_i U_ik g_i
  protected chainInto(g: Float64Array, out: Float64Array): void {
    const r = this.rank;
    const U = this.features;
    out.fill(0);
    for (let i = 0; i < g.length; i++) for (let k = 0; k < r; k++) out[k] = out[k]! + U[i * r + k]! * g[i]!;
  }

  parameters(): StudentParameter[] {
    return Array.from(this.theta, (value, k) => ({ name: `w_${k + 1}`, value }));
  }
}
