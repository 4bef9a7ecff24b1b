/** `klsim frontier` on reward-hacking: the runs far from their optimum are flagged, the best β found, the plot drawn. */
import { describe, expect, it } from "vitest";
import { klsim } from "./klsim.js";

describe("klsim frontier", () => {
  it("reward-hacking, β from 0.01 to 3: best β near 0.42 at the optimum, the small-β runs unconverged", async () => {
    const result = await klsim(["frontier", "reward-hacking", "--beta", "0.01:3:30:log", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    const grid = Array.from({ length: 30 }, (_, k) => 0.01 * 300 ** (k / 29));
    expect(out.rows.map((r: { beta: number }) => r.beta)).toEqual(grid.map((b) => expect.closeTo(b, 12)));
    // on the grid, the best optimum is the 20th β (0.4197); its gold at the optimum is E_π*[g] by hand
    expect(out.best.optimum_on_grid.beta).toBeCloseTo(grid[19]!, 12);
    const ref = [0.498, 0.3, 0.2, 0.002];
    const w = ref.map((p, i) => p * Math.exp([0, 1, 1.2, 2][i]! / grid[19]!));
    const z = w.reduce((a, b) => a + b, 0);
    expect(out.best.optimum_on_grid.gold_reward).toBeCloseTo(
      w.reduce((s, x, i) => s + (x / z) * [0, 1, 1.1, -1][i]!, 0),
      12,
    );
    expect(Math.abs(out.best.optimum.beta - 0.42)).toBeLessThan(0.03);
    // the unconverged runs are the ten smallest β (their TV to the optimum is near 1)
    const converged = out.rows.map((r: { converged: boolean }) => r.converged);
    expect(converged).toEqual(grid.map((_, k) => k >= 10));
    expect(out.best.converged_runs.beta).toBeCloseTo(grid[19]!, 12);
    expect(out.optimum_curve.length).toBe(200);
    expect(out.best_of_n[0].n).toBe(1);
    for (const key of ["rl_runs", "rl_optimum", "best_of_n"]) expect(out.fit[key].r2).toBeGreaterThan(0.9);
  });

  it("--plot: a braille chart with the legend, the unconverged runs marked ×, the converged ●", async () => {
    const result = await klsim(["frontier", "reward-hacking", "--beta", "0.01:3:12:log", "--plot", "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/optimum .*best-of-n .*● run .*× run NOT converged/);
    expect(result.stdout).toMatch(/[\u2800-\u28ff]/);
    expect(result.stdout).toMatch(/×/);
    expect(result.stdout).toMatch(/●/);
    expect(result.stdout).toMatch(/best β at the optimum, refined: +0\.39/);
  });

  it("a scenario without gold reward: exit 2, one line", async () => {
    const result = await klsim(["frontier", "adaptive", "--beta", "0.1,1"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
