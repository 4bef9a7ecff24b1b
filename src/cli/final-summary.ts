/** The final-summary object of `run --json` and `optimum --json` (README: Commands), and its text form. */
import type { PolicyMetrics } from "../core/metrics.js";
import { type Scenario, tokenNames } from "../scenario/loader.js";
import { jsonNumber } from "../sim/record-format.js";

export interface SummaryInput {
  policy: ArrayLike<number>;
  /** Its metrics; `penaltyValue` is D(π, π_ref) from the divergence registry. */
  metrics: PolicyMetrics;
  beta: number;
  steps: number | null;
  /** The penalty's name in the divergence registry. */
  penalty: string;
  /** Sampled mode: the last step's KL estimate; null otherwise. */
  klEstimate: number | null;
}

/** {policy, reward, gold_reward, forward_kl, reverse_kl, entropy, objective, beta, steps, penalty, penalty_value, kl_estimate} */
export function summaryJson(input: SummaryInput): Record<string, unknown> {
  const m = input.metrics;
  return {
    policy: Array.from(input.policy, (p) => jsonNumber(p)),
    reward: jsonNumber(m.reward),
    gold_reward: m.goldReward === null ? null : jsonNumber(m.goldReward),
    forward_kl: jsonNumber(m.forwardKL),
    reverse_kl: jsonNumber(m.reverseKL),
    entropy: jsonNumber(m.entropy),
    objective: jsonNumber(m.objective),
    beta: jsonNumber(input.beta),
    steps: input.steps,
    penalty: input.penalty,
    penalty_value: jsonNumber(m.penaltyValue),
    kl_estimate: input.klEstimate === null ? null : jsonNumber(input.klEstimate),
  };
}

/** What names the run's scenario in a JSON result: its token labels and name. */
export function scenarioJson(scenario: Scenario): { tokens: readonly string[]; scenario: string } {
  return { tokens: tokenNames(scenario), scenario: scenario.spec.name };
}

/** Compact human form of a number: 6 significant digits, never "NaN". */
export function fmt(x: number | null): string {
  if (x === null || Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-4) return x.toExponential(4);
  return String(Number(x.toPrecision(6)));
}

/** A small table of metrics rows (e.g. "final" and "optimum"). */
export function metricsTable(rows: Array<[string, PolicyMetrics]>): string {
  const headers = ["", "reward", "gold", "reverse_kl", "forward_kl", "penalty", "entropy", "objective"];
  const body = rows.map(([label, m]) => [
    label,
    fmt(m.reward),
    fmt(m.goldReward),
    fmt(m.reverseKL),
    fmt(m.forwardKL),
    fmt(m.penaltyValue),
    fmt(m.entropy),
    fmt(m.objective),
  ]);
  const widths = headers.map((h, c) => Math.max(h.length, ...body.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(headers), ...body.map(line)].join("\n");
}

/** The top tokens by probability, "good 0.7112  ok 0.0963 …". */
export function topTokens(tokens: readonly string[] | ((i: number) => string), policy: ArrayLike<number>, count = 8, what = "tokens"): string {
  const name = typeof tokens === "function" ? tokens : (i: number) => tokens[i] ?? String(i);
  const order = Array.from(policy, (p, i) => [p, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const shown = order.slice(0, count).map(([p, i]) => `${name(i)} ${fmt(p)}`);
  const rest = policy.length - shown.length;
  return shown.join("  ") + (rest > 0 ? `  … (+${rest} ${what})` : "");
}
