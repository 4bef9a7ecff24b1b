import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { makeProblem } from "../../src/core/problem.js";
import { listScenarioNames, loadScenario, simConfigOf, type Scenario } from "../../src/scenario/loader.js";
import { Simulation } from "../../src/sim/simulation.js";
import { formatValue } from "../../src/tui/number-format.js";
import { staticReport } from "../../src/tui/report.js";

async function finished(name: string, steps?: number): Promise<{ scenario: Scenario; sim: Simulation }> {
  const scenario = await loadScenario(name);
  const sim = new Simulation(scenario.problem, simConfigOf(scenario));
  sim.step(steps ?? scenario.spec.steps);
  return { scenario, sim };
}

/** The metrics table row for `label`: [π, optimum π*]. */
function row(report: string, label: string): [string, string] {
  const lines = report.split("\n");
  const table = lines.slice(lines.findIndex((l) => l.startsWith("final ")));
  const line = table.find((l) => l.startsWith(label + " "));
  if (!line) throw new Error(`no row ${label}`);
  const cells = line.slice(label.length).trim().split(/\s+/);
  return [cells[0] ?? "", cells[1] ?? ""];
}

describe("staticReport", () => {
  it("has the three charts, drawn in braille, with step ranges", async () => {
    const { scenario, sim } = await finished("basic");
    const report = staticReport(scenario, sim, 100);
    for (const title of ["reward", "reverse KL(π‖π_ref)", "forward KL(π_ref‖π)"]) {
      expect(report.split("\n").some((l) => l.startsWith(title + " "))).toBe(true);
    }
    expect(report).toMatch(/[\u2801-\u28ff]/);
    expect(report.match(/└step 0 +step 2000/g)).toHaveLength(3);
  });

  it("reports the final numbers beside the optimum's, both at basic's closed form after 2000 steps", async () => {
    const { scenario, sim } = await finished("basic");
    const report = staticReport(scenario, sim, 100);
    // basic at β = ½: π* = (p, q, q, q), p = e²/(e² + 3), q = (1 − p)/3, π_ref uniform, r = g = e₀
    const p = Math.exp(2) / (Math.exp(2) + 3);
    const q = (1 - p) / 3;
    const reverse = p * Math.log(4 * p) + 3 * q * Math.log(4 * q);
    const forward = 0.25 * (Math.log(0.25 / p) + 3 * Math.log(0.25 / q));
    const entropy = -p * Math.log(p) - 3 * q * Math.log(q);
    for (const [label, value] of [
      ["reward (proxy)", p],
      ["gold reward", p],
      ["reverse KL(π‖π_ref)", reverse],
      ["forward KL(π_ref‖π)", forward],
    ] as const) {
      expect(row(report, label), label).toEqual([formatValue(value), formatValue(value)]);
    }
    expect(row(report, "entropy")[0]).toBe(formatValue(entropy));
    expect(row(report, "objective")[0]).toBe(formatValue(p - 0.5 * reverse));
    // And the numbers are right: after 2000 SGD steps basic sits at its optimum, 0.711 on 'good'.
    expect(Number(row(report, "reward (proxy)")[0])).toBeCloseTo(0.7112, 4);
    expect(report).toMatch(/^after 2000 steps · β 0\.5 \(fixed\) · penalty reverse KL\(π‖π_ref\) · sgd lr 1$/m);
    expect(report).toMatch(/^good\s+0\.711\s+0\.250\s+0\.711 /m);
  });

  it("lists the top tokens by π for a large vocabulary", async () => {
    const { scenario, sim } = await finished("large-vocab", 300);
    const report = staticReport(scenario, sim, 100);
    expect(report).toContain("top 20 of 1024 tokens by π");
    const tokenRows = report.split("\n").filter((l) => /^t\d+ /.test(l));
    expect(tokenRows).toHaveLength(20);
    const masses = tokenRows.map((l) => Number(l.split(/\s+/)[1]));
    expect([...masses].sort((a, b) => b - a)).toEqual(masses);
  });

  it.each(listScenarioNames())("never prints NaN, and fits 100 and 80 columns (%s)", async (name) => {
    const { scenario, sim } = await finished(name, 500);
    for (const width of [100, 80]) {
      const report = staticReport(scenario, sim, width);
      expect(report).not.toMatch(/NaN/);
      for (const line of report.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(width);
    }
  });

  it("shows an infinite optimum KL as ∞ (β = 0, forward penalty) and a divergence as the reason it stopped", async () => {
    const { scenario, sim } = await finished("basic", 10);
    sim.setPenalty(divergenceNamed("forward"));
    sim.setBeta(0);
    const report = staticReport(scenario, sim, 100);
    expect(report).not.toMatch(/NaN/);
    expect(row(report, "forward KL(π_ref‖π)")[1]).toBe("∞");

    const problem = makeProblem([0.5, 0.5], [1e300, 0]);
    const broken = new Simulation(problem, {
      penalty: divergenceNamed("reverse"),
      beta: 0,
      controller: { kind: "fixed" },
      optimizer: { kind: "sgd", lr: 1e300 },
    });
    expect(() => broken.step(5)).toThrow();
    const failed = staticReport({ ...scenario, spec: { ...scenario.spec, vocab: 2, tokens: ["a", "b"] }, problem }, broken, 100);
    expect(failed).toMatch(/^stopped: diverged at step 1: /m);
    expect(failed).not.toMatch(/NaN/);
  });
});
