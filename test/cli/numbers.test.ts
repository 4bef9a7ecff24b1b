/**
 * The numbers `klsim kl`, `klsim optimum`, `klsim run` and `klsim sweep` print, against values derived here:
 * the divergences of two given distributions by hand, the optimum of every penalty kind against a
 * numeric maximisation written for the tests (test/helpers/numeric-optimum.ts, 1e-8), and a run of
 * each kind converging onto it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { numericOptimum } from "../helpers/numeric-optimum.js";
import { klsim, ROOT } from "./klsim.js";

const json = <T>(text: string) => JSON.parse(text) as T;

describe("klsim kl", () => {
  it("prints KL both ways, the entropies, cross-entropies and JS of the two distributions", async () => {
    const p = [0.5, 0.3, 0.2];
    const q = [0.6, 0.2, 0.2];
    const result = await klsim(["kl", p.join(","), q.join(","), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = json<Record<string, number>>(result.stdout);
    const kl = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * Math.log(x / b[i]!), 0);
    const H = (a: number[]) => -a.reduce((s, x) => s + x * Math.log(x), 0);
    const m = p.map((x, i) => (x + q[i]!) / 2);
    expect(out.kl_pq).toBeCloseTo(kl(p, q), 14);
    expect(out.kl_qp).toBeCloseTo(kl(q, p), 14);
    expect(out.entropy_p).toBeCloseTo(H(p), 14);
    expect(out.cross_entropy_pq).toBeCloseTo(H(p) + kl(p, q), 14);
    expect(out.js).toBeCloseTo(0.5 * kl(p, m) + 0.5 * kl(q, m), 14);
    const bits = json<Record<string, number>>((await klsim(["kl", p.join(","), q.join(","), "--base", "2", "--json"])).stdout);
    expect(bits.kl_pq).toBeCloseTo(kl(p, q) / Math.LN2, 14);
    const infinite = json<Record<string, unknown>>((await klsim(["kl", "0.5,0.5", "1,0", "--json"])).stdout);
    expect(infinite.kl_pq).toBe("Infinity"); // p has mass where q has none
  });
});

/** mode-seeking: a bimodal π_ref and a reward that likes one mode. */
const SCENARIO = "mode-seeking";

describe("klsim optimum and klsim run for every kind of penalty", () => {
  it("the optimum agrees with a numeric maximisation to 1e-8, and a run converges onto it", async () => {
    for (const penalty of ["reverse", "forward", "js", "alpha:0.5", "alpha:0.2"]) {
      const result = await klsim(["optimum", SCENARIO, "--penalty", penalty, "--beta", "0.4", "--json"]);
      expect(result.code, result.stderr).toBe(0);
      const out = json<{ policy: number[]; penalty: string; penalty_value: number }>(result.stdout);
      expect(out.penalty).toBe(penalty);
      const { reference: ref, reward } = scenarioFile(SCENARIO);
      const define = definition(penalty);
      const expected = numericOptimum(define, ref, reward, 0.4);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(out.policy[i]! - expected[i]!), `${penalty} π*${i}`).toBeLessThan(1e-8);
      expect(out.penalty_value).toBeCloseTo(define(out.policy, ref), 10);
      const run = json<{ policy: number[] }>((await klsim(["run", SCENARIO, "--penalty", penalty, "--beta", "0.4", "--steps", "300000", "--json"])).stdout);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(run.policy[i]! - expected[i]!), `${penalty} run π${i}`).toBeLessThan(1e-6);
    }
  }, 120_000);
});

describe("klsim sweep", () => {
  it("per β: the optimum columns are the closed form π* ∝ π_ref·e^(r/β), and the final columns are those of a separate run", async () => {
    const betas = [0.5, 2];
    const result = await klsim(["sweep", "basic", "--beta", betas.join(","), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = json<Record<string, number>[]>(result.stdout);
    expect(rows.map((r) => r.beta)).toEqual(betas);
    const ref = [0.25, 0.25, 0.25, 0.25];
    const reward = [1, 0, 0, 0]; // scenarios/basic.json
    const kl = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * Math.log(x / b[i]!), 0);
    for (const [k, beta] of betas.entries()) {
      const row = rows[k]!;
      const weights = ref.map((q, i) => q * Math.exp(reward[i]! / beta));
      const Z = weights.reduce((a, b) => a + b, 0);
      const opt = weights.map((w) => w / Z);
      const optReward = opt.reduce((s, p, i) => s + p * reward[i]!, 0);
      expect(row.opt_reward).toBeCloseTo(optReward, 12);
      expect(row.opt_reverse_kl).toBeCloseTo(kl(opt, ref), 12);
      expect(row.opt_forward_kl).toBeCloseTo(kl(ref, opt), 12);
      expect(row.opt_objective).toBeCloseTo(beta * Math.log(Z), 12); // max_π E[r] − β·KL = β·log E_ref[e^(r/β)]
      const run = json<Record<string, number>>((await klsim(["run", "basic", "--beta", String(beta), "--json"])).stdout);
      for (const key of ["reward", "forward_kl", "reverse_kl", "entropy", "objective"]) expect(row[key], key).toBe(run[key]);
    }
  }, 60_000);
});

/** D(π, π_ref) from the definitions (the α family's f_A(u) = (u^{1−A} − (1−A)u − A)/(A(A−1))). */
function definition(penalty: string): (pi: number[], ref: number[]) => number {
  const kl = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x > 0 ? x * Math.log(x / b[i]!) : 0), 0);
  if (penalty === "reverse") return (pi, ref) => kl(pi, ref);
  if (penalty === "forward") return (pi, ref) => kl(ref, pi);
  if (penalty === "js")
    return (pi, ref) => {
      const m = pi.map((x, i) => (x + ref[i]!) / 2);
      return 0.5 * kl(pi, m) + 0.5 * kl(ref, m);
    };
  const A = Number(penalty.slice("alpha:".length));
  return (pi, ref) => ref.reduce((s, q, i) => s + (q * ((pi[i]! / q) ** (1 - A) - (1 - A) * (pi[i]! / q) - A)) / (A * (A - 1)), 0);
}

/** The scenario file's reference and reward (given as arrays in mode-seeking). */
function scenarioFile(name: string): { reference: number[]; reward: number[] } {
  return JSON.parse(readFileSync(join(ROOT, "scenarios", `${name}.json`), "utf8")) as { reference: number[]; reward: number[] };
}
