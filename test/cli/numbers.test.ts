/**
 * The numbers `klsim kl`, `klsim optimum` and `klsim run` print, against values derived here:
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
