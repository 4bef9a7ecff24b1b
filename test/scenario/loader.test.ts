import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/cli/run.js";
import { InputError } from "../../src/errors.js";
import { listScenarioNames, loadScenario, tokenNames } from "../../src/scenario/loader.js";

const dir = mkdtempSync(join(tmpdir(), "klsim-loader-"));
function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe("loader", () => {
  it("ships the six required scenarios and loads every shipped one", async () => {
    const names = listScenarioNames();
    for (const required of ["basic", "mode-seeking", "reward-hacking", "adaptive", "schedule", "large-vocab"]) expect(names).toContain(required);
    for (const name of names) {
      const scenario = await loadScenario(name);
      expect(scenario.spec.description.length).toBeGreaterThan(40);
      // a sequence scenario's problem is the bandit over its sequences; its tokens are the tree's vocabulary
      expect(tokenNames(scenario)).toHaveLength(scenario.sequence?.tree.V ?? scenario.problem.V);
    }
  });

  it("large-vocab: V = 1024 from expressions, Zipf reference 1/(i+1) normalised", async () => {
    const { problem } = await loadScenario("large-vocab");
    expect(problem.V).toBe(1024);
    let harmonic = 0;
    for (let i = 1; i <= 1024; i++) harmonic += 1 / i;
    expect(problem.ref[0]).toBeCloseTo(1 / harmonic, 14);
    expect(problem.ref[9]).toBeCloseTo(1 / 10 / harmonic, 14);
  });

  it("reads UTF-8 text as UTF-8 and ASCII as ASCII: token names, a BOM, default names t0…", async () => {
    const named = await loadScenario(file("utf8.json", { reference: [0.5, 0.5], reward: [1, 0], tokens: ["café", "π→∞"] }));
    expect(tokenNames(named)).toEqual(["café", "π→∞"]);
    const bom = join(dir, "bom.json");
    writeFileSync(bom, "\uFEFF" + JSON.stringify({ reference: [0.5, 0.5], reward: [1, 0], tokens: ["naïve", "b"] }));
    expect(tokenNames(await loadScenario(bom))).toEqual(["naïve", "b"]);
    const plain = await loadScenario(file("ascii.json", { reference: [0.25, 0.25, 0.5], reward: [1, 0, 0] }));
    expect(tokenNames(plain)).toEqual(["t0", "t1", "t2"]);
    expect(tokenNames(await loadScenario(file("ascii4.json", { reference: [0.25, 0.25, 0.25, 0.25], reward: [1, 0, 0, 0] })))).toEqual([
      "t0",
      "t1",
      "t2",
      "t3",
    ]);
  });

  it("reference as logits is a softmax: logits (0, ln 3) → (¼, ¾)", async () => {
    const s = await loadScenario(file("logits.json", { reference: { logits: [0, Math.log(3)] }, reward: [1, 0] }));
    expect(s.problem.ref[0]).toBeCloseTo(0.25, 15);
    expect(s.problem.ref[1]).toBeCloseTo(0.75, 15);
    expect(s.spec.name).toBe("logits"); // defaults to the file name
  });

  it("errors name the file and the field", async () => {
    const bad = file("bad.json", { reference: [0.4, 0.4, 0.2, 0.1], reward: [1, 0, 0, 0] });
    await expect(loadScenario(bad)).rejects.toThrow(new InputError("probabilities sum to 1.1, expected 1", "reference", bad));
    const typo = file("typo.json", { reference: [0.5, 0.5], reward: [1, 0], betta: 1 });
    await expect(loadScenario(typo)).rejects.toThrow(`${typo}: betta: unknown key (did you mean "beta"?)`);
    const expr = file("expr.json", { vocab: 3, reference: { expr: "1" }, reward: { expr: "log(i)" } });
    await expect(loadScenario(expr)).rejects.toThrow(`${expr}: reward.expr:`);
  });

  it("sampled mode: deterministic for a seed, kl_estimate recorded, another seed differs", async () => {
    const scenario = await loadScenario("sampled-grpo");
    const short = (seed: number) => ({ ...scenario, spec: { ...scenario.spec, steps: 200, seed } });
    const out = (name: string) => join(dir, name);
    await runScenario(short(1), { every: 1, out: out("s1.csv") });
    await runScenario(short(1), { every: 1, out: out("s1b.csv") });
    await runScenario(short(2), { every: 1, out: out("s2.csv") });
    const a = readFileSync(out("s1.csv"), "utf8");
    expect(a).toBe(readFileSync(out("s1b.csv"), "utf8"));
    expect(a).not.toBe(readFileSync(out("s2.csv"), "utf8"));
    const rows = a
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    for (const row of rows) expect(Number.isFinite(Number(row[8]))).toBe(true); // kl_estimate present
    expect(rows[0]![8]).toBe("0"); // at π = π_ref every log-ratio is 0, so k3 = 0
  });
});
