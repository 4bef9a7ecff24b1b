/** The `f` frontier screen: its key, its reducer state, and the chart's curves against hand values. */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { metricsOf } from "../../src/core/metrics.js";
import { makeProblem } from "../../src/core/problem.js";
import { frontierChart, frontierCurves } from "../../src/tui/frontier-chart.js";
import { commandForKey } from "../../src/tui/keys.js";
import { initialUiState, uiReducer } from "../../src/tui/state.js";

describe("frontier screen", () => {
  it("f toggles it; Esc closes the help first, then it", () => {
    expect(commandForKey("f", {}, false)).toBe("toggleFrontier");
    let state = uiReducer(initialUiState("basic"), { type: "toggleFrontier" });
    expect(state.frontierOpen).toBe(true);
    state = uiReducer(state, { type: "toggleHelp" });
    state = uiReducer(state, { type: "closeHelp" });
    expect([state.helpOpen, state.frontierOpen]).toEqual([false, true]);
    state = uiReducer(state, { type: "closeHelp" });
    expect(state.frontierOpen).toBe(false);
  });

  it("curves: the optimum's KL increases along the sorted curve; best-of-n on two tokens is 1 − (1 − p)ⁿ", () => {
    const problem = makeProblem([0.2, 0.8], [1, 0], [1, 0]);
    const curves = frontierCurves(problem, divergenceNamed("reverse"));
    const kls = curves.optimum.map((p) => p.metrics.reverseKL);
    for (let k = 1; k < kls.length; k++) expect(kls[k]!).toBeGreaterThanOrEqual(kls[k - 1]!);
    // n = 1 is π_ref: KL 0, gold = 0.2; the largest n puts nearly all mass on the top token
    expect(curves.bestOfN[0]!.kl).toBeCloseTo(0, 15);
    expect(curves.bestOfN[0]!.gold).toBeCloseTo(0.2, 15);
    expect(curves.bestOfN.at(-1)!.gold).toBeCloseTo(1 - 0.8 ** 4096, 12);
  });

  it("the chart shows the live run as a point and the legend", () => {
    const problem = makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0], [1, 0, 0, 0]);
    const penalty = divergenceNamed("reverse");
    const live = metricsOf(problem, [0.5, 0.5 / 3, 0.5 / 3, 0.5 / 3], penalty, 0.5);
    const chart = frontierChart(frontierCurves(problem, penalty), live, penalty.label, 80, 16);
    expect(chart.lines).toHaveLength(16);
    expect(chart.lines[0]).toMatch(/^gold vs KL\(π‖π_ref\) .*best-of-n.*● this run/);
    expect(chart.lines.slice(1).join("\n")).toContain("●");
  });
});
