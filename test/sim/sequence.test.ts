/**
 * Sequence scenarios end to end (loader → Simulation → records), with every expected number derived
 * here by another method: the sequences enumerated as token lists, π_ref(y) as the product of the
 * scenario's reference rows written out by hand, the optimum as π_ref(y)·exp(R(y)/β)/Z, and the
 * token-level losses' fixed points from their stationarity conditions, solved prefix by prefix.
 */
import { describe, expect, it } from "vitest";
import { listScenarioNames, type Scenario, simConfigOf } from "../../src/scenario/loader.js";
import { loadWithSettings, parseSetting } from "../../src/scenario/settings.js";
import { FIELD } from "../../src/sim/record.js";
import { Simulation } from "../../src/sim/simulation.js";
import { allSequences, nodeOf } from "../core/sequence/enumeration.js";

const load = (name: string, ...settings: string[]) =>
  loadWithSettings(
    name,
    settings.map((s) => parseSetting(s)),
  );

function simulate(scenario: Scenario, steps = scenario.spec.steps): Simulation {
  const sim = new Simulation(scenario.problem, simConfigOf(scenario));
  sim.step(steps);
  return sim;
}

/** The index of a token list among the tree's sequences (its terminal edge). */
function indexOf(scenario: Scenario, seq: number[]): number {
  const tree = scenario.sequence!.tree;
  const node = nodeOf(tree, seq.slice(0, -1));
  const y = -1 - tree.next[node * tree.V + seq[seq.length - 1]!]!;
  expect(y).toBeGreaterThanOrEqual(0);
  return y;
}

/** π*(y) = π_ref(y)·exp(R(y)/β)/Z over a list of sequences. */
function tilted(refs: number[], rewards: number[], beta: number): number[] {
  const logits = refs.map((r, k) => Math.log(r) + rewards[k]! / beta);
  const max = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - max));
  const z = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / z);
}

describe("the shipped sequence scenarios", () => {
  const names = listScenarioNames().filter((n) => ["sequence-basic", "length-hacking", "token-loss-bias"].includes(n));

  it("are shipped", () => expect(names.sort()).toEqual(["length-hacking", "sequence-basic", "token-loss-bias"]));

  it.each(names)("%s loads and runs: records carry mean_length and token_mean_kl, finite", async (name) => {
    const scenario = await load(name);
    const sim = simulate(scenario, 50);
    expect(sim.recordFields).toContain("mean_length");
    expect(sim.recordFields).toContain("token_mean_kl");
    for (const f of ["reward", "reverse_kl", "forward_kl", "entropy", "mean_length", "token_mean_kl"] as const)
      expect(Number.isFinite(sim.row[FIELD[f]]!)).toBe(true);
    // π over sequences sums to 1; the mean length lies in [0, T]
    expect(sim.policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(sim.row[FIELD.mean_length]!).toBeGreaterThanOrEqual(0);
    expect(sim.row[FIELD.mean_length]!).toBeLessThanOrEqual(scenario.sequence!.tree.horizon + 1e-12);
  });

  it("a bandit scenario's records have no sequence columns", async () => {
    const sim = simulate(await load("basic"), 1);
    expect(sim.recordFields).not.toContain("mean_length");
    expect(sim.recordFields).not.toContain("token_mean_kl");
  });
});

describe("sequence-basic (V = 3, T = 4; π_ref(a|prev) ∝ 2 if a = prev else 1; R = #good − ½·#bad)", () => {
  const beta = 0.5;
  const seqs = allSequences(3, 4, -1);
  // π_ref by hand: the first token uniform; then 2/4 to repeat the previous token, 1/4 to each other one
  const refOf = (seq: number[]) => seq.reduce((p, a, t) => p * (t === 0 ? 1 / 3 : a === seq[t - 1] ? 0.5 : 0.25), 1);
  const rewardOf = (seq: number[]) => seq.filter((a) => a === 0).length - 0.5 * seq.filter((a) => a === 2).length;

  it("the scenario's π_ref(y) and R(y) are those (1e-15), and the optimum is π_ref·exp(R/β)/Z (1e-12)", async () => {
    const scenario = await load("sequence-basic");
    const sim = new Simulation(scenario.problem, simConfigOf(scenario));
    const expected = tilted(seqs.map(refOf), seqs.map(rewardOf), beta);
    const optimum = sim.optimum().policy;
    seqs.forEach((seq, k) => {
      const y = indexOf(scenario, seq);
      expect(Math.abs(scenario.problem.ref[y]! - refOf(seq))).toBeLessThan(1e-15);
      expect(scenario.problem.reward[y]).toBe(rewardOf(seq));
      expect(Math.abs(optimum[y]! - expected[k]!)).toBeLessThan(1e-12);
    });
  });

  it("exact training as shipped (Adam, 6000 steps) converges to that optimum: every π(y) within 1e-7", async () => {
    const scenario = await load("sequence-basic");
    const sim = simulate(scenario);
    const expected = tilted(seqs.map(refOf), seqs.map(rewardOf), beta);
    let worst = 0;
    seqs.forEach((seq, k) => {
      worst = Math.max(worst, Math.abs(sim.policy[indexOf(scenario, seq)]! - expected[k]!));
    });
    expect(worst).toBeLessThan(1e-7);
    // and its recorded sequence KL is the enumerated KL of π* (1e-6)
    const kl = expected.reduce((s, p, k) => s + p * Math.log(p / refOf(seqs[k]!)), 0);
    expect(Math.abs(sim.row[FIELD.reverse_kl]! - kl)).toBeLessThan(1e-6);
  });

  it("the adaptive controller steers the KL it is told to: without eos the token-mean KL is KL/T, so kl = token-mean settles at T× the sequence target", async () => {
    const base = ["controller.target=0.3", "controller.horizon=20"];
    const bySequence = simulate(await load("sequence-basic", ...base, "controller.kl=sequence"), 6000);
    const byTokenMean = simulate(await load("sequence-basic", ...base, "controller.kl=token-mean"), 6000);
    expect(bySequence.row[FIELD.reverse_kl]!).toBeCloseTo(0.3, 2);
    expect(byTokenMean.row[FIELD.token_mean_kl]!).toBeCloseTo(0.3, 2);
    expect(byTokenMean.row[FIELD.reverse_kl]!).toBeCloseTo(4 * 0.3, 2);
  });
});

describe("token-loss-bias (expected mode, V = 3, T = 3, uniform π_ref, R = 1.6 for x y y, 1 for y · ·)", () => {
  const beta = 0.5;
  const V = 3;
  const T = 3;
  const reward = (seq: number[]) => (seq.join(" ") === "0 1 1" ? 1.6 : seq[0] === 1 ? 1 : 0);

  /**
   * A token-level loss's fixed point, bottom-up: its expected gradient at prefix s is P(s)·[∇_{θ_s}E_π[R]
   * − β·∇_{θ_s}(local KL)] with Q(s,a) = E_π[R | s·a] of the settled deeper prefixes, so each prefix solves
   * its own bandit on Q(s,·). Returns π(a|s) by prefix.
   */
  function fixedPoint(local: (q: number[]) => number[]): Map<string, number[]> {
    const policy = new Map<string, number[]>();
    const q = (prefix: number[], a: number): number => {
      const next = [...prefix, a];
      if (next.length === T) return reward(next);
      return policy.get(next.join(" "))!.reduce((s, p, b) => s + p * q(next, b), 0);
    };
    const prefixes: number[][] = [[]];
    for (let i = 0; i < prefixes.length; i++) if (prefixes[i]!.length + 1 < T) for (let a = 0; a < V; a++) prefixes.push([...prefixes[i]!, a]);
    for (const prefix of prefixes.reverse()) policy.set(prefix.join(" "), local([0, 1, 2].map((a) => q(prefix, a))));
    return policy;
  }
  // k2 in the loss: the local reverse KL's gradient ⇒ π(a|s) ∝ exp(Q(s,a)/β) (uniform π_ref)
  const k2 = (q: number[]) => tilted([1, 1, 1], q, beta);
  // k3 in the loss: the local forward KL's gradient π − π_ref ⇒ π(a|s) = β·(1/3)/(λ − Q(s,a)), λ by bisection
  const k3 = (q: number[]) => {
    let lo = Math.max(...q);
    let hi = lo + beta;
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (q.reduce((s, x) => s + beta / 3 / (mid - x), 0) > 1) lo = mid;
      else hi = mid;
    }
    return q.map((x) => beta / 3 / (0.5 * (lo + hi) - x));
  };

  function worst(scenario: Scenario, sim: Simulation, policy: Map<string, number[]>): number {
    const s = (sim.family as unknown as { state: { pi: Float64Array } }).state;
    let w = 0;
    for (const [key, target] of policy) {
      const n = nodeOf(scenario.sequence!.tree, key === "" ? [] : key.split(" ").map(Number));
      for (let a = 0; a < V; a++) w = Math.max(w, Math.abs(s.pi[n * V + a]! - target[a]!));
    }
    return w;
  }

  const seqs = allSequences(V, T, -1);
  const optimum = tilted(
    seqs.map(() => 1 / 27),
    seqs.map(reward),
    beta,
  );
  const distance = (scenario: Scenario, sim: Simulation) => Math.max(...seqs.map((seq, k) => Math.abs(sim.policy[indexOf(scenario, seq)]! - optimum[k]!)));

  it("its reward table is that reward", async () => {
    const scenario = await load("token-loss-bias");
    for (const seq of seqs) expect(scenario.problem.reward[indexOf(scenario, seq)]).toBe(reward(seq));
  });

  it("k1 per token in the reward with return-to-go (PPO-RLHF) reaches the sequence optimum π_ref·exp(R/β)/Z (1e-9)", async () => {
    const scenario = await load("token-loss-bias", "sampling.kl_placement=token-reward", "sampling.estimator=k1");
    expect(distance(scenario, simulate(scenario))).toBeLessThan(1e-9);
  });

  it("k3 per token in the loss (the scenario as shipped, GRPO) settles at its own fixed point, 0.05+ away from the optimum", async () => {
    const scenario = await load("token-loss-bias");
    const sim = simulate(scenario);
    expect(worst(scenario, sim, fixedPoint(k3))).toBeLessThan(1e-9);
    expect(distance(scenario, sim)).toBeGreaterThan(0.05);
  });

  it("k2 per token in the loss settles at π(a|s) ∝ exp(E_π[R|s·a]/β), 0.05+ away from the optimum, with more KL", async () => {
    const scenario = await load("token-loss-bias", "sampling.estimator=k2");
    const sim = simulate(scenario);
    expect(worst(scenario, sim, fixedPoint(k2))).toBeLessThan(1e-9);
    expect(distance(scenario, sim)).toBeGreaterThan(0.05);
    const optimumKL = optimum.reduce((s, p) => s + p * Math.log(p * 27), 0);
    expect(sim.row[FIELD.reverse_kl]!).toBeGreaterThan(optimumKL + 0.05);
    expect(sim.row[FIELD.kl_estimate]!).toBeGreaterThan(0); // expected-mode estimate Σ_t k2 at θ_t
  });
});
