/**
 * The shipped fit scenarios through the loader and the Simulation: every record's both KLs are
 * KL(teacher‖student) and KL(student‖teacher) of the policy it reports (computed here from the
 * two distributions), the objective is −D with no reward, a run is reproducible bit for bit, and
 * the scenarios show what they say they show.
 */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../../src/core/divergences/registry.js";
import { loadScenario, simConfigOf } from "../../../src/scenario/loader.js";
import { FIELD } from "../../../src/sim/record.js";
import { Simulation } from "../../../src/sim/simulation.js";

const kl = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > 0) s += a[i]! * Math.log(a[i]! / b[i]!);
  return s;
};

async function simulate(name: string, penalty?: string, steps?: number) {
  const scenario = await loadScenario(name);
  const config = simConfigOf(scenario);
  if (penalty) config.penalty = divergenceNamed(penalty);
  const sim = new Simulation(scenario.problem, config);
  const rows: number[][] = [];
  sim.step(steps ?? scenario.spec.steps, (row) => rows.push(Array.from(row)));
  return { scenario, sim, rows };
}

describe("fit scenarios", () => {
  it.each(["bimodal-distill", "alpha-path", "lowrank-distill"])(
    "%s: records hold both KLs of the student it reports, and −D as the objective",
    async (name) => {
      const { scenario, sim, rows } = await simulate(name, undefined, 200);
      const last = rows[rows.length - 1]!;
      const teacher = scenario.problem.ref;
      expect(last[FIELD.forward_kl]).toBeCloseTo(kl(teacher, sim.policy), 10);
      expect(last[FIELD.reverse_kl]).toBeCloseTo(kl(sim.policy, teacher), 10);
      for (const row of rows) {
        expect(row[FIELD.reward]).toBe(0);
        expect(row[FIELD.objective]).toBeCloseTo(-row[FIELD.penalty_value]!, 14);
      }
      expect(sim.parameters?.length).toBeGreaterThan(0);
    },
  );

  it("a run is reproducible bit for bit", async () => {
    const a = await simulate("lowrank-distill", "js", 300);
    const b = await simulate("lowrank-distill", "js", 300);
    expect(b.rows).toEqual(a.rows);
  });

  it("bimodal-distill: forward KL covers (a wide bump between the modes), reverse KL sits on the heavy mode at 13", async () => {
    const forward = Object.fromEntries((await simulate("bimodal-distill", "forward")).sim.parameters!.map((p) => [p.name, p.value]));
    const reverse = Object.fromEntries((await simulate("bimodal-distill", "reverse")).sim.parameters!.map((p) => [p.name, p.value]));
    expect(forward.mu).toBeGreaterThan(15);
    expect(forward.mu).toBeLessThan(20);
    expect(forward.sigma).toBeGreaterThan(5);
    expect(Math.abs(reverse.mu! - 13)).toBeLessThan(0.05);
    expect(Math.abs(reverse.sigma! - 2)).toBeLessThan(0.05);
  });

  it("lowrank-distill: reverse KL keeps the two outer modes and drops the middle one; forward KL keeps mass on all three", async () => {
    const forward = (await simulate("lowrank-distill", "forward")).sim.policy;
    const reverse = (await simulate("lowrank-distill", "reverse")).sim.policy;
    // the teacher's modes are at 5, 16 and 27
    expect(reverse[5]!).toBeGreaterThan(0.1);
    expect(reverse[27]!).toBeGreaterThan(0.05);
    expect(reverse[16]!).toBeLessThan(1e-3);
    for (const mode of [5, 16, 27]) expect(forward[mode]!).toBeGreaterThan(0.01);
  });
});

describe("the instability watch and fit mode", () => {
  it("a student that starts far from its teacher is not called unstable: J(π_ref) = 0 is out of its reach", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "klsim-far-"));
    const file = join(dir, "far.json");
    // teacher on token 2, a narrow student on token 37: KL(teacher‖student) ≈ (37 − 2)²/2 ≫ 10 reward ranges
    writeFileSync(
      file,
      JSON.stringify({
        mode: "fit",
        vocab: 40,
        teacher: { expr: "exp(-(i-2)^2/2)" },
        student: { family: "gaussian", mu: 37, sigma: 1 },
        penalty: "forward",
        optimizer: { kind: "adam", lr: 1e-4 },
        steps: 100,
      }),
    );
    const scenario = await loadScenario(file);
    const sim = new Simulation(scenario.problem, simConfigOf(scenario));
    const objectives: number[] = [];
    expect(sim.step(100, (row) => objectives.push(row[FIELD.objective]!))).toBe(100);
    expect(sim.failed).toBeNull();
    expect(Math.max(...objectives)).toBeLessThan(-100); // far below J(π_ref) = 0 the whole time
  });
});
