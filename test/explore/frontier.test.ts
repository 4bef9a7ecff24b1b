/**
 * The frontier's optimum curve and best β: on every shipped scenario a higher β gives a lower penalty
 * divergence and a lower proxy reward at the optimum (the optimality argument: J_β(π*_β) ≥ J_β(π*_β′)
 * both ways); the refined best β beats a fine brute-force grid.
 */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { metricsOf } from "../../src/core/metrics.js";
import { reverseOptimum } from "../../src/core/optima.js";
import { makeProblem } from "../../src/core/problem.js";
import { bestBetaAtOptimum, bestConvergedRow, denseBetas, KL_AXES, optimumCurve } from "../../src/explore/frontier.js";
import { listScenarioNames, loadScenario } from "../../src/scenario/loader.js";

describe("optimum curve", () => {
  it("is monotone in β on the shipped scenarios: higher β, lower KL of the penalty and lower proxy reward", async () => {
    const names = listScenarioNames();
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const scenario = await loadScenario(name);
      const penalty = divergenceNamed(scenario.spec.penalty);
      const curve = optimumCurve(scenario.problem, penalty, denseBetas(0.01, 10, 60));
      for (let k = 1; k < curve.length; k++) {
        const [a, b] = [curve[k - 1]!.metrics, curve[k]!.metrics];
        const slack = 1e-9 * (1 + Math.abs(a.reward));
        expect(b.reward, `${name} β=${curve[k]!.beta}`).toBeLessThanOrEqual(a.reward + slack);
        expect(b.penaltyValue, `${name} β=${curve[k]!.beta}`).toBeLessThanOrEqual(a.penaltyValue + 1e-9 * (1 + a.penaltyValue));
        const axis = KL_AXES[penalty.name];
        if (axis) expect(axis.of(b), name).toBeLessThanOrEqual(axis.of(a) + 1e-9 * (1 + axis.of(a)));
      }
    }
  });

  it("the refined best β at the optimum is at least as good as a fine grid of 20 000 β", async () => {
    const scenario = await loadScenario("reward-hacking");
    const penalty = divergenceNamed("reverse");
    const best = bestBetaAtOptimum(scenario.problem, penalty, 0.01, 3)!;
    const { ref, logRef, reward } = scenario.problem;
    let top = -Infinity;
    let topBeta = 0;
    for (const beta of denseBetas(0.01, 3, 20_000)) {
      const gold = metricsOf(scenario.problem, reverseOptimum(ref, logRef, reward, beta), penalty, beta).goldReward!;
      if (gold > top) [top, topBeta] = [gold, beta];
    }
    expect(best.metrics.goldReward!).toBeGreaterThanOrEqual(top - 1e-12);
    expect(best.beta).toBeCloseTo(topBeta, 3);
    // the grid pick, 0.42, is near it; the maximiser is ≈ 0.395
    expect(Math.abs(best.beta - 0.42)).toBeLessThan(0.03);
  });

  it("no gold: no best β; best converged row ignores unconverged ones", () => {
    const problem = makeProblem([0.5, 0.5], [1, 0], null);
    expect(bestBetaAtOptimum(problem, divergenceNamed("reverse"), 0.1, 1)).toBeNull();
    const rows = [
      { beta: 0.1, gold_reward: 5, converged: false },
      { beta: 1, gold_reward: 1, converged: true },
      { beta: 2, gold_reward: 2, converged: true },
    ];
    expect(bestConvergedRow(rows)?.beta).toBe(2);
  });
});
