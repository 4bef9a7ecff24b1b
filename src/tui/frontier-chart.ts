/**
 * The TUI's frontier screen as a pure function: the closed-form optimum's gold (or proxy) reward
 * against KL(π‖π_ref) over β, exact best-of-n, and the live run as a moving point. Curves depend
 * only on the problem and the penalty (computed once per pair); the point on every frame.
 */
import type { Divergence } from "../core/divergence.js";
import type { PolicyMetrics } from "../core/metrics.js";
import type { Problem } from "../core/problem.js";
import { bestOfN } from "../explore/best-of-n.js";
import { type CurvePoint, denseBetas, optimumCurve } from "../explore/frontier.js";
import { type ChartLines, renderChart } from "./chart/braille.js";

export interface FrontierCurves {
  /** Sorted by KL(π‖π_ref). */
  optimum: CurvePoint[];
  bestOfN: Array<{ kl: number; gold: number | null; reward: number }>;
}

/** β from 0.01 to 100 (log) and n from 1 to 4096: the whole frontier for rewards of order one. */
export function frontierCurves(problem: Problem, penalty: Divergence): FrontierCurves {
  const optimum = optimumCurve(problem, penalty, denseBetas(0.01, 100, 160)).sort((a, b) => a.metrics.reverseKL - b.metrics.reverseKL);
  const ns = [...new Set(denseBetas(1, 4096, 48).map(Math.round))];
  const bestOfNCurve = ns.map((n) => bestOfN(problem, n)).map((b) => ({ kl: b.reverseKL, gold: b.goldReward, reward: b.reward }));
  return { optimum, bestOfN: bestOfNCurve };
}

/** The chart: gold when the scenario has one (else the proxy) against KL(π‖π_ref). */
export function frontierChart(curves: FrontierCurves, live: PolicyMetrics, penaltyLabel: string, width: number, height: number): ChartLines {
  const gold = live.goldReward !== null;
  const y = (m: { goldReward: number | null; reward: number }) => (gold ? (m.goldReward ?? Number.NaN) : m.reward);
  return renderChart({
    title: `${gold ? "gold" : "proxy"} vs KL(π‖π_ref)`,
    width,
    height,
    xName: "KL",
    series: [
      {
        label: `optimum, ${penaltyLabel}`,
        color: "green",
        xs: curves.optimum.map((p) => p.metrics.reverseKL),
        ys: curves.optimum.map((p) => y(p.metrics)),
      },
      {
        label: "best-of-n",
        color: "magenta",
        style: "dashed",
        xs: curves.bestOfN.map((b) => b.kl),
        ys: curves.bestOfN.map((b) => y({ goldReward: b.gold, reward: b.reward })),
      },
    ],
    points: [{ label: "this run", color: "cyan", glyph: "●", xs: [live.reverseKL], ys: [y(live)] }],
    xLabel: "f or Esc closes",
  });
}
