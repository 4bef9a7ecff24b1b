/**
 * The over-optimisation forms of Gao, Schulman & Hilton (2022), fitted by least squares to the gold
 * reward gain R = gold(π) − gold(π_ref) against d = √KL(π‖π_ref):
 *   RL:        R(d) = d(α − β_g log d)
 *   best-of-n: R(d) = d(α − β_g d)
 * Both are linear in (α, β_g): R = α·d + β_g·h(d), so the 2×2 normal equations give the fit.
 */

export interface GaoForm {
  name: "rl" | "best-of-n";
  formula: string;
  /** h(d), the term β_g multiplies. */
  shape(d: number): number;
}

export const GAO_FORMS: Readonly<Record<GaoForm["name"], GaoForm>> = {
  rl: { name: "rl", formula: "R(d) = d(α − β_g log d)", shape: (d) => (d === 0 ? 0 : -d * Math.log(d)) },
  "best-of-n": { name: "best-of-n", formula: "R(d) = d(α − β_g d)", shape: (d) => -d * d },
};

export interface GaoFit {
  form: GaoForm["name"];
  formula: string;
  alpha: number;
  betaG: number;
  /** 1 − SS_res/SS_tot over the fitted points. */
  r2: number;
  points: number;
  /** R(d) of the fit. */
  at(d: number): number;
}

/** Least squares of R ≈ α·d + β_g·h(d) over the finite points; null with fewer than two or a singular system. */
export function fitGao(form: GaoForm, ds: readonly number[], rs: readonly number[]): GaoFit | null {
  let sdd = 0;
  let sdh = 0;
  let shh = 0;
  let sdr = 0;
  let shr = 0;
  const kept: Array<[number, number]> = [];
  for (let k = 0; k < Math.min(ds.length, rs.length); k++) {
    const d = ds[k]!;
    const r = rs[k]!;
    if (!Number.isFinite(d) || !Number.isFinite(r) || d < 0) continue;
    const h = form.shape(d);
    sdd += d * d;
    sdh += d * h;
    shh += h * h;
    sdr += d * r;
    shr += h * r;
    kept.push([d, r]);
  }
  const det = sdd * shh - sdh * sdh;
  if (kept.length < 2 || !(Math.abs(det) > 1e-12 * sdd * shh)) return null;
  const alpha = (shh * sdr - sdh * shr) / det;
  const betaG = (sdd * shr - sdh * sdr) / det;
  const at = (d: number) => alpha * d + betaG * form.shape(d);
  const mean = kept.reduce((s, [, r]) => s + r, 0) / kept.length;
  let ssRes = 0;
  let ssTot = 0;
  for (const [d, r] of kept) {
    ssRes += (r - at(d)) ** 2;
    ssTot += (r - mean) ** 2;
  }
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { form: form.name, formula: form.formula, alpha, betaG, r2, points: kept.length, at };
}
