/**
 * The static report printed instead of the live UI when stdout is not a terminal: the same three
 * charts rendered once, the final numbers beside the closed-form optimum's, and the token table.
 * Plain text, no colour; must not import ink or react (it runs where neither is wanted).
 */
import type { PolicyMetrics } from "../core/metrics.js";
import { type Scenario, tokenNames } from "../scenario/loader.js";
import type { Simulation } from "../sim/simulation.js";
import { formatAxisNumber, renderChart } from "./chart/braille.js";
import { betaStrip, latestEstimate, metricCharts } from "./charts.js";
import { fit, formatProbability, formatValue, wrap } from "./number-format.js";
import { controllerText, optimizerText, penaltyText, samplingText } from "./status.js";
import { barSpans, formatLogRatio, logRatio } from "./token-rows.js";
import { sequencePanelInput } from "./sequence-input.js";
import { sequencePanel } from "./sequence-rows.js";
import { scenarioScale, topIndices, type TokenProbabilities } from "./tokens.js";

// Tokens listed in full up to this many; beyond it the top ones by π mass.
const MAX_TOKEN_ROWS = 20;

/** `budgetMs`: time for new points of the optimum line (default: all of them; `bench --frames` passes the live UI's). */
export function staticReport(scenario: Scenario, sim: Simulation, width: number, budgetMs = Infinity): string {
  const w = Math.max(40, Math.min(Math.floor(width) || 100, 160));
  const snap = sim.snapshot();
  const sampling = snap.sampling;
  const out: string[] = [];
  out.push(`klsim · ${scenario.spec.name}`);
  out.push(...wrap(scenario.spec.description, w));
  out.push("");
  out.push(
    ...wrap(
      `after ${snap.step} steps · β ${formatValue(snap.beta)} (${controllerText(snap.controller)}) · ` +
        `penalty ${penaltyText(snap.penalty)} · ${optimizerText(snap.optimizer)}` +
        (sampling ? ` · ${samplingText(snap, scenario.spec.mode)}` : ""),
      w,
    ),
  );
  if (snap.failure) out.push(`stopped: ${snap.failure}`);
  out.push("");
  const height = w >= 80 ? 12 : 10;
  const chartWidth = Math.min(w, 120);
  const options = { problem: sim.problem, estimator: sampling?.estimator.name, budgetMs };
  for (const spec of [betaStrip(snap, chartWidth, 4, options), ...metricCharts(snap, chartWidth, [height, height, height], options)]) {
    out.push(...renderChart(spec).lines.map((line) => line.trimEnd()), "");
  }
  out.push(...metricsTable(snap.metrics, snap.optimum.metrics, sampling ? latestEstimate(snap) : null), "");
  const tokens = tokenNames(scenario);
  const labels = tokens.length === snap.policy.length ? tokens : [];
  const p: TokenProbabilities = { policy: snap.policy, reference: sim.problem.ref, optimum: snap.optimum.policy, labels, reward: sim.problem.reward };
  if (sim.family.tokenLogProbabilities) {
    const logPolicy = new Float64Array(sim.family.vocab);
    sim.family.tokenLogProbabilities(logPolicy); // log π = θ − logZ
    p.logPolicy = logPolicy;
    p.logReference = sim.problem.logRef;
  }
  if (scenario.sequence) {
    // sequence scenarios: the live UI's sequence panel, as plain text
    const panel = sequencePanel(sequencePanelInput(scenario, snap), Math.min(w, 60), 20 + (snap.sequence?.profile.length ?? 0) + 2, 0);
    out.push(
      ...panel.lines.map((line) =>
        line
          .map((span) => span.text)
          .join("")
          .trimEnd(),
      ),
    );
  } else out.push(...tokenTable(p, w));
  return out.join("\n") + "\n";
}

/** Final metrics beside the optimum's, one per line. */
function metricsTable(now: PolicyMetrics, best: PolicyMetrics, klEstimate: number | null): string[] {
  type Row = [string, number | null, number | null];
  const rows: Row[] = [
    ["reward (proxy)", now.reward, best.reward],
    ...(now.goldReward === null ? [] : ([["gold reward", now.goldReward, best.goldReward]] as Row[])),
    ["reverse KL(π‖π_ref)", now.reverseKL, best.reverseKL],
    ...(klEstimate === null ? [] : ([["KL estimate (batch)", klEstimate, null]] as Row[])),
    ["forward KL(π_ref‖π)", now.forwardKL, best.forwardKL],
    ["entropy", now.entropy, best.entropy],
    ["objective", now.objective, best.objective],
  ];
  const line = (a: string, b: string, c: string) => `${fit(a, 22)}${fit(b, 12, "right")}${fit(c, 14, "right")}`;
  return [line("final", "π", "optimum π*"), ...rows.map(([name, a, b]) => line(name, formatValue(a), formatValue(b)))];
}

/** Token, π, π_ref, π*, reward r, ℓ = log π/π_ref and a bar (π solid, │ π_ref, ◆ π*); the top tokens by π when V is large. */
function tokenTable(p: TokenProbabilities, width: number): string[] {
  const V = p.policy.length;
  const indices = V <= MAX_TOKEN_ROWS ? Array.from({ length: V }, (_, i) => i) : topIndices(p.policy, MAX_TOKEN_ROWS);
  const scale = scenarioScale(p);
  const labelWidth = Math.min(16, Math.max(5, ...indices.map((i) => Array.from(p.labels[i] ?? `t${i}`).length)));
  const barWidth = Math.max(10, Math.min(40, width - labelWidth - 5 * 9 - 2));
  const what = V <= MAX_TOKEN_ROWS ? `tokens (${V})` : `top ${MAX_TOKEN_ROWS} of ${V} tokens by π`;
  const title = wrap(`${what} · r reward, ℓ = log π/π_ref · bar 0–${formatAxisNumber(scale)}: █ π  │ π_ref  ◆ π*`, width);
  const head = `${fit("token", labelWidth)}${["π", "π_ref", "π*", "r", "ℓ"].map((h) => fit(h, 9, "right")).join("")}  bar`;
  const rows = indices.map((i) => {
    const pi = p.policy[i] ?? NaN;
    const ref = p.reference[i] ?? NaN;
    const opt = p.optimum[i] ?? NaN;
    const bar = barSpans(pi, ref, opt, scale, barWidth)
      .map((s) => s.text)
      .join("");
    const numbers = [pi, ref, opt].map((v) => fit(formatProbability(v), 9, "right")).join("");
    const extra = fit(formatValue(p.reward?.[i] ?? NaN, 4), 9, "right") + fit(formatLogRatio(logRatio(p, i)), 9, "right");
    return `${fit(p.labels[i] ?? `t${i}`, labelWidth)}${numbers}${extra}  ${bar}`.trimEnd();
  });
  return [...title, head, ...rows];
}
