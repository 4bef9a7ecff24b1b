import { mkdtempSync, readFileSync } from "node:fs";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProblem } from "../../src/core/problem.js";
import { loadScenario } from "../../src/scenario/loader.js";
import { RECORD_FIELDS } from "../../src/sim/record.js";
import { Simulation, type SimConfig } from "../../src/sim/simulation.js";
import { runScenario } from "../../src/cli/run.js";

const basicProblem = () => makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0], [1, 0, 0, 0]);
const sgd = (penalty: "reverse" | "forward", beta = 0.5): SimConfig => ({
  penalty: divergenceNamed(penalty),
  beta,
  controller: { kind: "fixed" },
  optimizer: { kind: "sgd", lr: 1 },
});

describe("Simulation, exact mode", () => {
  it("SGD from θ = log π_ref converges to e²/(e²+3) under the reverse penalty (β = ½)", () => {
    const sim = new Simulation(basicProblem(), sgd("reverse"));
    sim.step(2000);
    const e2 = Math.exp(2);
    expect(Math.abs(sim.policy[0]! - e2 / (e2 + 3))).toBeLessThan(1e-9);
  });

  it("SGD converges to 0.125/δ, δ = (√0.75 − ½)/2, under the forward penalty (β = ½)", () => {
    const sim = new Simulation(basicProblem(), sgd("forward"));
    sim.step(2000);
    const delta = (Math.sqrt(0.75) - 0.5) / 2;
    expect(Math.abs(sim.policy[0]! - 0.125 / delta)).toBeLessThan(1e-9);
  });

  it("reproduces the textbook SGD trajectory written from scratch (to 1e-12 over 300 steps)", () => {
    const ref = [0.1, 0.2, 0.3, 0.4];
    const r = [0.3, -0.2, 1, 0.5];
    const beta = 0.2;
    const lr = 0.7;
    const sim = new Simulation(makeProblem(ref, r), { ...sgd("reverse", beta), optimizer: { kind: "sgd", lr } });
    // The textbook loop: π = softmax θ; g_i = π_i (f_i − Σ π f), f = r − β log(π/π_ref); θ += lr g.
    const theta = ref.map(Math.log);
    for (let t = 0; t < 300; t++) {
      const z = theta.reduce((s, x) => s + Math.exp(x), 0);
      const pi = theta.map((x) => Math.exp(x) / z);
      const f = pi.map((p, i) => r[i]! - beta * Math.log(p / ref[i]!));
      const mean = pi.reduce((s, p, i) => s + p * f[i]!, 0);
      pi.forEach((p, i) => (theta[i]! += lr * p * (f[i]! - mean)));
    }
    sim.step(300);
    for (let i = 0; i < 4; i++) expect(Math.abs(sim.family.theta[i]! - theta[i]!)).toBeLessThan(1e-12);
  });

  it("step 0 is the reference policy: zero KLs, objective = E_ref[r]", () => {
    const sim = new Simulation(basicProblem(), sgd("reverse"));
    const m = sim.metrics();
    expect(m.reward).toBeCloseTo(0.25, 15);
    expect(m.reverseKL).toBeLessThan(1e-15);
    expect(m.forwardKL).toBeLessThan(1e-15);
    expect(m.entropy).toBeCloseTo(Math.log(4), 14);
    expect(m.objective).toBeCloseTo(0.25, 15);
  });

  it("setBeta and setPenalty move the optimum at once; reset restores the scenario", () => {
    const sim = new Simulation(basicProblem(), sgd("reverse"));
    sim.step(10);
    const before = sim.snapshot();
    sim.setBeta(0.5 * 1.25);
    const after = sim.snapshot();
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.beta).toBe(0.625);
    const e = Math.exp(1 / 0.625);
    expect(after.optimum.policy[0]).toBeCloseTo(e / (e + 3), 14);
    sim.setPenalty(divergenceNamed("forward"));
    expect(sim.snapshot().optimum.penalty.name).toBe("forward");
    sim.reset();
    expect(sim.currentStep).toBe(0);
    expect(sim.beta).toBe(0.5);
    expect(sim.penalty.name).toBe("reverse");
  });

  it("a diverging run stops with a message naming the step and keeps what it computed", () => {
    const problem = makeProblem([0.5, 0.5], [1e300, -1e300]);
    const sim = new Simulation(problem, { ...sgd("reverse", 0.1), optimizer: { kind: "sgd", lr: 1e10 } });
    expect(() => sim.step(100)).toThrow(/diverged at step \d+/);
    expect(sim.failed).toMatch(/diverged at step/);
    for (const column of sim.snapshot().history) for (const v of column) expect(Number.isFinite(v) || Number.isNaN(v)).toBe(true);
    // Rows kept in the history are complete (only the not-applicable columns are NaN).
    const reward = sim.snapshot().history[RECORD_FIELDS.indexOf("reward")]!;
    for (const v of reward) expect(Number.isFinite(v)).toBe(true);
  });
});

describe("runs", () => {
  it("the same scenario and seed give byte-identical CSV", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klsim-det-"));
    const scenario = await loadScenario("reward-hacking");
    const short = { ...scenario, spec: { ...scenario.spec, steps: 500 } };
    await runScenario(short, { every: 1, out: join(dir, "a.csv") });
    await runScenario(short, { every: 1, out: join(dir, "b.csv") });
    const a = readFileSync(join(dir, "a.csv"));
    expect(a.equals(readFileSync(join(dir, "b.csv")))).toBe(true);
    const lines = a.toString().trim().split("\n");
    expect(lines[0]).toBe("step,beta,reward,gold_reward,forward_kl,reverse_kl,entropy,objective,kl_estimate,penalty_value");
    expect(lines).toHaveLength(502); // header + steps 0..500
    expect(lines[1]!.startsWith("0,0.1,")).toBe(true);
    expect(lines[1]!.endsWith(",,0")).toBe(true); // kl_estimate empty in exact mode; the penalty 0 at π_ref
  });

  it("--every K writes steps 0, K, 2K, … and always the last step", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klsim-every-"));
    const scenario = await loadScenario("basic");
    await runScenario({ ...scenario, spec: { ...scenario.spec, steps: 25 } }, { every: 10, out: join(dir, "e.ndjson") });
    const steps = readFileSync(join(dir, "e.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([0, 10, 20, 25]);
  });
});
