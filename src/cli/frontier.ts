/**
 * `klsim frontier`: the β-exploration analysis in one place: the sweep's trained rows, the dense
 * optimum curve, best-of-n, the Gao et al. (2022) fits and the best β, as a table, a braille plot
 * (--plot, the TUI's renderer) or JSON.
 */
import { divergenceNamed } from "../core/divergences/registry.js";
import { InputError } from "../errors.js";
import { type Frontier, frontierOf, KL_AXES, KL_AXIS_NAMES } from "../explore/frontier.js";
import type { GaoFit } from "../explore/gao-fit.js";
import type { Row } from "../explore/sweep-rows.js";
import { jsonNumber } from "../sim/record-format.js";
import { renderChart } from "../tui/chart/braille.js";
import { booleanFlag, type CommandSpec, numberFlag, type ParsedArgs, stringFlag } from "./args.js";
import { bestOfNJson, N_FLAG, parseNList } from "./best-of-n.js";
import { fmt } from "./final-summary.js";
import type { Io } from "./io.js";
import { JSON_FLAG } from "./overrides.js";
import { BETA_GRID_FLAG, jsonRow, planSweep, progressBar, runSweep, SWEEP_FLAGS, type SweepPlan, sweepTable } from "./sweep.js";

const DEFAULT_N = "1:1024:41:log";

export const frontierSpec: CommandSpec = {
  name: "frontier",
  summary:
    "Choosing β: trained runs per β (as klsim sweep, with converged), the closed-form optimum curve, best-of-n, Gao et al. (2022) fits of gold gain vs d = √KL (RL: d(α − β_g log d); best-of-n: d(α − β_g d)) and the β maximising gold at the optimum and among converged runs.",
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ or a path to a .json file" }],
  flags: [
    BETA_GRID_FLAG,
    { ...N_FLAG, describe: `best-of-n draws: 1,4,16 or 1:64 or 1:1e4:30:log (default ${DEFAULT_N})` },
    {
      name: "kl",
      type: "string",
      value: "K",
      describe: "the KL on the x axis: reverse = KL(π‖π_ref) (default) or forward = KL(π_ref‖π)",
      choices: KL_AXIS_NAMES,
    },
    { name: "plot", type: "boolean", describe: "draw the frontier (gold reward vs KL) as a braille chart" },
    ...SWEEP_FLAGS,
    JSON_FLAG,
  ],
  examples: ["klsim frontier reward-hacking --beta 0.01:3:30:log --plot", "klsim frontier reward-hacking --beta 0.05:2:12:log --kl forward --json"],
};

export async function frontierCommand(args: ParsedArgs, io: Io): Promise<number> {
  const ns = parseNList(stringFlag(args, "n") ?? DEFAULT_N);
  const axis = KL_AXES[stringFlag(args, "kl") ?? "reverse"]!;
  const quiet = booleanFlag(args, "quiet");
  const plan = await planSweep(args, true);
  const { scenario } = plan;
  if (!scenario.problem.gold) throw new InputError('the frontier is about gold reward; this scenario has none (add "gold")', "gold", scenario.file);
  const bar = progressBar(io, quiet, "frontier");
  const rows = await runSweep(plan, io, { jobs: numberFlag(args, "jobs"), progress: bar.update });
  bar.clear();
  const betas = plan.points.map((p) => p.beta ?? scenario.spec.beta);
  const frontier = frontierOf(scenario.problem, divergenceNamed(scenario.spec.penalty), axis, rows, Math.min(...betas), Math.max(...betas), ns);
  if (booleanFlag(args, "json")) {
    io.out(JSON.stringify(frontierJson(plan, rows, frontier)) + "\n");
    return 0;
  }
  const parts = quiet ? [] : [sweepTable(plan, rows)];
  if (booleanFlag(args, "plot")) parts.push(frontierPlot(rows, frontier).join("\n") + "\n");
  parts.push(summaryLines(frontier).join("\n") + "\n");
  io.out(parts.join("\n"));
  return 0;
}

function fitJson(fit: GaoFit | null): Record<string, unknown> | null {
  return fit && { formula: fit.formula, alpha: jsonNumber(fit.alpha), beta_g: jsonNumber(fit.betaG), r2: jsonNumber(fit.r2), points: fit.points };
}

function frontierJson(plan: SweepPlan, rows: Row[], f: Frontier): Record<string, unknown> {
  const at = (beta: number, gold: number | null, kl: number) => ({
    beta: jsonNumber(beta),
    gold_reward: gold === null ? null : jsonNumber(gold),
    kl: jsonNumber(kl),
  });
  const best = f.best.converged;
  return {
    scenario: plan.scenario.spec.name,
    kl: f.axis.name,
    rows: rows.map((r) => jsonRow(r, plan.columns)),
    optimum_curve: f.curve.map((p) => ({
      beta: jsonNumber(p.beta),
      reward: jsonNumber(p.metrics.reward),
      gold_reward: p.metrics.goldReward === null ? null : jsonNumber(p.metrics.goldReward),
      reverse_kl: jsonNumber(p.metrics.reverseKL),
      forward_kl: jsonNumber(p.metrics.forwardKL),
      d: jsonNumber(Math.sqrt(f.axis.of(p.metrics))),
    })),
    best_of_n: f.bestOfN.map((b) => ({ ...bestOfNJson(b), d: jsonNumber(Math.sqrt(f.axis.of(b))) })),
    fit: { rl_runs: fitJson(f.fits.runs), rl_optimum: fitJson(f.fits.optimum), best_of_n: fitJson(f.fits.bestOfN) },
    best: {
      optimum: f.best.optimum && at(f.best.optimum.beta, f.best.optimum.metrics.goldReward, f.axis.of(f.best.optimum.metrics)),
      optimum_on_grid: f.best.grid && at(f.best.grid.beta as number, f.best.grid.opt_gold_reward as number, f.best.grid[`opt_${f.axis.column}`] as number),
      converged_runs: best && at(best.beta as number, best.gold_reward as number, best[f.axis.column] as number),
    },
  };
}

function fitLine(name: string, fit: GaoFit | null): string {
  return fit
    ? `${name.padEnd(24)}${fit.formula}: α = ${fmt(fit.alpha)}, β_g = ${fmt(fit.betaG)}, R² = ${fmt(fit.r2)} (${fit.points} points)`
    : `${name.padEnd(24)}(too few points to fit)`;
}

function summaryLines(f: Frontier): string[] {
  const o = f.best.optimum;
  const c = f.best.converged;
  const g = f.best.grid;
  const lines = [
    g
      ? `best β at the optimum, on the --beta grid: ${fmt(g.beta as number)} (gold ${fmt(g.opt_gold_reward as number)}, ${f.axis.label} ${fmt(g[`opt_${f.axis.column}`] as number)})`
      : "best β at the optimum, on the --beta grid: -",
    o
      ? `best β at the optimum, refined:           ${fmt(o.beta)} (gold ${fmt(o.metrics.goldReward)}, ${f.axis.label} ${fmt(f.axis.of(o.metrics))})`
      : "best β at the optimum, refined:           -",
    c
      ? `best β among converged runs:              ${fmt(c.beta as number)} (gold ${fmt(c.gold_reward as number)}, ${f.axis.label} ${fmt(c[f.axis.column] as number)})`
      : "best β among converged runs:              none converged (raise --steps or --lr)",
  ];
  const topBon = f.bestOfN.reduce((a, b) => ((b.goldReward ?? -Infinity) > (a.goldReward ?? -Infinity) ? b : a), f.bestOfN[0]!);
  lines.push(`best n of best-of-n:                      ${topBon.n} (gold ${fmt(topBon.goldReward)}, ${f.axis.label} ${fmt(f.axis.of(topBon))})`);
  lines.push(
    "",
    `Gao et al. (2022) fits of the gold gain R = gold − gold(π_ref) against d = √${f.axis.label}:`,
    fitLine("  RL, converged runs", f.fits.runs),
    fitLine("  RL, optimum curve", f.fits.optimum),
    fitLine("  best-of-n", f.fits.bestOfN),
  );
  return lines;
}

const WIDTH = 96;
const HEIGHT = 24;

/** Gold reward against KL: the optimum curve (and its proxy reward), best-of-n, and the trained runs as points. */
export function frontierPlot(rows: readonly Row[], f: Frontier): string[] {
  const curve = [...f.curve].sort((a, b) => f.axis.of(a.metrics) - f.axis.of(b.metrics));
  const bon = [...f.bestOfN].sort((a, b) => f.axis.of(a) - f.axis.of(b));
  const runs = (converged: boolean) => rows.filter((r) => r.converged === converged);
  const xsOf = (list: readonly Row[]) => list.map((r) => (typeof r[f.axis.column] === "number" ? (r[f.axis.column] as number) : Number.NaN));
  const ysOf = (list: readonly Row[]) => list.map((r) => (typeof r.gold_reward === "number" ? r.gold_reward : Number.NaN));
  const good = runs(true);
  const bad = runs(false);
  const best = f.best.optimum;
  const chart = renderChart({
    title: "gold vs KL:",
    width: WIDTH,
    height: HEIGHT,
    xName: "KL",
    series: [
      { label: "optimum", color: "green", xs: curve.map((p) => f.axis.of(p.metrics)), ys: curve.map((p) => p.metrics.goldReward ?? Number.NaN) },
      { label: "its proxy", color: "yellow", xs: curve.map((p) => f.axis.of(p.metrics)), ys: curve.map((p) => p.metrics.reward), style: "dotted" },
      { label: "best-of-n", color: "magenta", xs: bon.map((b) => f.axis.of(b)), ys: bon.map((b) => b.goldReward ?? Number.NaN), style: "dashed" },
    ],
    points: [
      { label: "run", color: "cyan", glyph: "●", xs: xsOf(good), ys: ysOf(good) },
      { label: "run NOT converged", color: "red", glyph: "×", xs: xsOf(bad), ys: ysOf(bad) },
    ],
    markers: best ? [{ x: f.axis.of(best.metrics), label: "^", color: "green" }] : [],
    xLabel: best ? `^ best β ${fmt(best.beta)} · x: ${f.axis.label}` : `x: ${f.axis.label}`,
  });
  return chart.lines.map((line) => line.trimEnd());
}
