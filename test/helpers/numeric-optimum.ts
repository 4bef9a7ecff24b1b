/** A maximiser written for the tests, independent of the code under test. */
import { softmaxOf } from "../../src/core/distributions.js";

/**
 * argmax_θ ⟨softmax θ, r⟩ − β·D(softmax θ, π_ref) by a damped Newton method on θ₁…θ_{V−1} (θ₀ = 0
 * removes softmax's flat direction) with central finite differences of the definition for the
 * gradient and the Hessian: no use of the entry under test. The fixed point is where the
 * finite-difference gradient vanishes, within ~1e-10 of the true optimum here.
 */
export function numericOptimum(define: (pi: number[], ref: number[]) => number, ref: number[], reward: number[], beta: number): number[] {
  const n = ref.length - 1;
  const full = (x: number[]) => [0, ...x];
  const J = (x: number[]) => {
    const pi = Array.from(softmaxOf(full(x)));
    return pi.reduce((s, p, i) => s + p * reward[i]!, 0) - beta * define(pi, ref);
  };
  const shifted = (x: number[], moves: Array<[number, number]>) => {
    const y = x.slice();
    for (const [i, by] of moves) y[i]! += by;
    return y;
  };
  let x = ref.slice(1).map((q) => Math.log(q / ref[0]!));
  for (let iter = 0; iter < 500; iter++) {
    const h = 1e-5;
    const g = x.map((_, i) => (J(shifted(x, [[i, h]])) - J(shifted(x, [[i, -h]]))) / (2 * h));
    if (Math.hypot(...g) < 1e-10) break; // the finite differences' own noise is ~1e-11
    const k = 1e-4;
    const H = x.map((_, i) =>
      x.map(
        (_, j) =>
          (J(
            shifted(x, [
              [i, k],
              [j, k],
            ]),
          ) -
            J(
              shifted(x, [
                [i, k],
                [j, -k],
              ]),
            ) -
            J(
              shifted(x, [
                [i, -k],
                [j, k],
              ]),
            ) +
            J(
              shifted(x, [
                [i, -k],
                [j, -k],
              ]),
            )) /
          (4 * k * k),
      ),
    );
    // Newton direction d = −H⁻¹g by Gaussian elimination (H is negative definite near the maximum)
    const A = H.map((row, i) => [...row.map((v) => -v), g[i]!]);
    for (let c = 0; c < n; c++) {
      const p = A.reduce((best, row, r) => (r >= c && Math.abs(row[c]!) > Math.abs(A[best]![c]!) ? r : best), c);
      [A[c], A[p]] = [A[p]!, A[c]!];
      for (let r = 0; r < n; r++) {
        if (r === c) continue;
        const f = A[r]![c]! / A[c]![c]!;
        for (let q = c; q <= n; q++) A[r]![q]! -= f * A[c]![q]!;
      }
    }
    let d = A.map((row, i) => row[n]! / row[i]!);
    // not an ascent direction (far from the maximum, where J is not concave in θ): the gradient
    if (d.reduce((s, v, i) => s + v * g[i]!, 0) <= 0) d = g.map((v) => v / Math.max(...g.map(Math.abs)));
    // a trust region of one nat per step, and Armijo's sufficient increase (J flattens far out)
    const longest = Math.max(...d.map(Math.abs));
    if (longest > 1) d = d.map((v) => v / longest);
    const slope = d.reduce((s, v, i) => s + v * g[i]!, 0);
    let t = 1;
    const value = J(x);
    while (t > 1e-12 && J(x.map((v, i) => v + t * d[i]!)) < value + 1e-4 * t * slope) t /= 2;
    x = x.map((v, i) => v + t * d[i]!);
    if (t * Math.max(...d.map(Math.abs)) < 1e-13) break; // no more progress at this precision
  }
  return Array.from(softmaxOf(full(x)));
}
