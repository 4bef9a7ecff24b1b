/**
 * The β-exploration analysis behind `klsim frontier`: the optimum curve over β (closed form, dense),
 * best-of-n over n, the Gao et al. (2022) fits of gold gain against d = √KL, and the β that
 * maximises gold reward at the optimum and among converged trained runs. Pure: rows in, data out.
 */
import type { Divergence } from "../core/divergence.js";
import { metricsOf, type PolicyMetrics } from "../core/metrics.js";
import { optimumOf } from "../core/optima.js";
import type { Problem } from "../core/problem.js";
import { type BestOfN, bestOfN } from "./best-of-n.js";
import { fitGao, GAO_FORMS, type GaoFit } from "./gao-fit.js";
import type { Row } from "./sweep-rows.js";

/** Which KL the frontier's x axis is: one entry each, everything else reads it. */
export interface KlAxis {
  name: string;
  label: string;
  /** The sweep row's column of this KL. */
  column: "reverse_kl" | "forward_kl";
  of(m: { reverseKL: number; forwardKL: number }): number;
}

export const KL_AXES: Readonly<Record<string, KlAxis>> = {
  reverse: { name: "reverse", label: "KL(π‖π_ref)", column: "reverse_kl", of: (m) => m.reverseKL },
  forward: { name: "forward", label: "KL(π_ref‖π)", column: "forward_kl", of: (m) => m.forwardKL },
};
export const KL_AXIS_NAMES = Object.keys(KL_AXES);

export interface CurvePoint {
  beta: number;
  metrics: PolicyMetrics;
}

/** The closed-form optimum π*(β) at each β. */
export function optimumCurve(problem: Problem, penalty: Divergence, betas: readonly number[]): CurvePoint[] {
  return betas.map((beta) => ({ beta, metrics: metricsOf(problem, optimumOf(penalty, problem.ref, problem.logRef, problem.reward, beta), penalty, beta) }));
}

/** `count` β log-spaced over [lo, hi] (lo = 0 starts four decades below hi). */
export function denseBetas(lo: number, hi: number, count: number): number[] {
  const a = lo > 0 ? lo : hi * 1e-4;
  if (!(hi > a) || count < 2) return [hi];
  return Array.from({ length: count }, (_, k) => Math.exp(Math.log(a) + ((Math.log(hi) - Math.log(a)) * k) / (count - 1)));
}

/** Gold reward at the optimum as a function of β. */
function goldAt(problem: Problem, penalty: Divergence, beta: number): number {
  return metricsOf(problem, optimumOf(penalty, problem.ref, problem.logRef, problem.reward, beta), penalty, beta).goldReward ?? Number.NaN;
}

/**
 * The β in [lo, hi] maximising gold at the optimum: the best of a dense log grid, then golden-section
 * search in log β between its neighbours (gold(β) is smooth and, near its peak, unimodal).
 */
export function bestBetaAtOptimum(problem: Problem, penalty: Divergence, lo: number, hi: number): CurvePoint | null {
  if (!problem.gold) return null;
  const grid = denseBetas(lo, hi, 400);
  const golds = grid.map((b) => goldAt(problem, penalty, b));
  let k = 0;
  for (let j = 1; j < grid.length; j++) if (golds[j]! > golds[k]!) k = j;
  let a = Math.log(grid[Math.max(0, k - 1)]!);
  let b = Math.log(grid[Math.min(grid.length - 1, k + 1)]!);
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let gc = goldAt(problem, penalty, Math.exp(c));
  let gd = goldAt(problem, penalty, Math.exp(d));
  for (let iter = 0; iter < 80 && b - a > 1e-10; iter++) {
    if (gc >= gd) {
      b = d;
      d = c;
      gd = gc;
      c = b - phi * (b - a);
      gc = goldAt(problem, penalty, Math.exp(c));
    } else {
      a = c;
      c = d;
      gc = gd;
      d = a + phi * (b - a);
      gd = goldAt(problem, penalty, Math.exp(d));
    }
  }
  const refined = Math.exp((a + b) / 2);
  const beta = goldAt(problem, penalty, refined) >= golds[k]! ? refined : grid[k]!;
  return optimumCurve(problem, penalty, [beta])[0]!;
}

/** The row with the highest `column` among those `keep` accepts, or null. */
function bestRowBy(rows: readonly Row[], column: string, keep: (row: Row) => boolean): Row | null {
  let best: Row | null = null;
  for (const row of rows) {
    const value = row[column];
    if (!keep(row) || typeof value !== "number" || !Number.isFinite(value)) continue;
    if (best === null || value > (best[column] as number)) best = row;
  }
  return best;
}

/** The converged row with the highest gold reward, or null. */
export function bestConvergedRow(rows: readonly Row[]): Row | null {
  return bestRowBy(rows, "gold_reward", (row) => row.converged === true);
}

/** The row whose optimum (at its β of the grid) has the highest gold reward, or null. */
export function bestGridRow(rows: readonly Row[]): Row | null {
  return bestRowBy(rows, "opt_gold_reward", () => true);
}

export interface FrontierFits {
  /** RL form on the converged trained runs. */
  runs: GaoFit | null;
  /** RL form on the optimum curve. */
  optimum: GaoFit | null;
  /** Best-of-n form on the best-of-n curve. */
  bestOfN: GaoFit | null;
}

/** Gold gain R = gold − gold(π_ref) against d = √KL: what Gao et al. fit (R(0) = 0 in both forms). */
export function gaoFits(problem: Problem, axis: KlAxis, rows: readonly Row[], curve: readonly CurvePoint[], bon: readonly BestOfN[]): FrontierFits {
  if (!problem.gold) return { runs: null, optimum: null, bestOfN: null };
  let gold0 = 0;
  for (let i = 0; i < problem.V; i++) gold0 += problem.ref[i]! * problem.gold[i]!;
  const converged = rows.filter((r) => r.converged === true && typeof r[axis.column] === "number" && typeof r.gold_reward === "number");
  return {
    runs: fitGao(
      GAO_FORMS.rl,
      converged.map((r) => Math.sqrt(r[axis.column] as number)),
      converged.map((r) => (r.gold_reward as number) - gold0),
    ),
    optimum: fitGao(
      GAO_FORMS.rl,
      curve.map((p) => Math.sqrt(axis.of(p.metrics))),
      curve.map((p) => (p.metrics.goldReward ?? Number.NaN) - gold0),
    ),
    bestOfN: fitGao(
      GAO_FORMS["best-of-n"],
      bon.map((b) => Math.sqrt(axis.of(b))),
      bon.map((b) => (b.goldReward ?? Number.NaN) - gold0),
    ),
  };
}

export interface Frontier {
  axis: KlAxis;
  curve: CurvePoint[];
  bestOfN: BestOfN[];
  fits: FrontierFits;
  /** optimum: the maximiser of gold at the optimum over [lo, hi] (refined); grid: the best optimum on the sweep's β grid; converged: the best converged run. */
  best: { optimum: CurvePoint | null; grid: Row | null; converged: Row | null };
}

/** The whole analysis for the sweep's rows over [lo, hi]. */
export function frontierOf(problem: Problem, penalty: Divergence, axis: KlAxis, rows: readonly Row[], lo: number, hi: number, ns: readonly number[]): Frontier {
  const curve = optimumCurve(problem, penalty, denseBetas(lo, hi, 200));
  const bon = ns.map((n) => bestOfN(problem, n));
  return {
    axis,
    curve,
    bestOfN: bon,
    fits: gaoFits(problem, axis, rows, curve, bon),
    best: { optimum: bestBetaAtOptimum(problem, penalty, lo, hi), grid: bestGridRow(rows), converged: bestConvergedRow(rows) },
  };
}
