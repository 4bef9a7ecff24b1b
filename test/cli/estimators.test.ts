/**
 * The estimator lab from the command line: `klsim estimators` rows and `run` with the training
 * flags, checked against closed forms derived here (π* ∝ π_ref·e^(r/β), the forward optimum from
 * its stationarity, and the β·B/(B − 1) of the mean baseline in the loss).
 */
import { describe, expect, it } from "vitest";
import type { EstimatorRow } from "../../src/explore/estimators.js";
import { klsim } from "./klsim.js";

/** basic: π_ref uniform over 4, r = e₀. Reverse optimum: π*₀ = e^(1/β)/(e^(1/β) + 3). */
const reverseGood = (beta: number) => Math.exp(1 / beta) / (Math.exp(1 / beta) + 3);
/** Forward optimum: π*_i = β·¼/(λ − r_i), Σ = 1: with d = λ − 1, β/4·(1/d + 3/(d + 1)) = 1 ⇒ 4d² + (4 − 4β)d − β = 0. */
function forwardGood(beta: number): number {
  const d = (-(4 - 4 * beta) + Math.sqrt((4 - 4 * beta) ** 2 + 16 * beta)) / 8;
  return beta / 4 / d;
}

type Row = EstimatorRow;

describe("klsim estimators", () => {
  it("one row per estimator × placement (and the mean baseline in the loss), with the keys of the design", async () => {
    const result = await klsim(["estimators", "basic", "--beta", "0.5", "--steps", "20000", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as Row[];
    expect(Object.keys(rows[0]!)).toEqual([
      "estimator",
      "kl_in",
      "baseline",
      "optimises",
      "cos_reverse",
      "cos_forward",
      "fixed_point",
      "diverged_at",
      "sd_ref",
      "sd_opt",
    ]);
    const row = (estimator: string, klIn: string, baseline = "loo") =>
      rows.find((r) => r.estimator === estimator && r.kl_in === klIn && r.baseline === baseline)!;
    // where expected-mode training settles, against the closed forms
    for (const [estimator, klIn] of [
      ["k1", "reward"],
      ["k2", "loss"],
      ["rho-k3", "loss"],
    ]) {
      expect(row(estimator!, klIn!).optimises).toBe("reverse KL");
      expect(row(estimator!, klIn!).fixed_point!.reward).toBeCloseTo(reverseGood(0.5), 8);
    }
    expect(row("k3", "loss").optimises).toBe("forward KL");
    expect(row("k3", "loss").fixed_point!.reward).toBeCloseTo(forwardGood(0.5), 8);
    expect(row("k3", "loss").fixed_point!.tv_to_forward).toBeLessThan(1e-8);
    // B = 64: the mean baseline in the loss is the reverse optimum at β·64/63
    expect(row("k2", "loss", "mean").fixed_point!.reward).toBeCloseTo(reverseGood((0.5 * 64) / 63), 8);
    expect(row("k1", "loss").optimises).toBe("nothing");
    expect(row("k1", "loss").fixed_point!.reward).toBeGreaterThan(0.999);
    expect(row("k3", "reward").optimises).toBe("reverse − forward (unbounded)");
    expect(row("k3", "reward").fixed_point).toBeNull();
    expect(row("k3", "reward").diverged_at).toBeGreaterThan(0);
    // at π_ref every per-sample estimate is 0 (ℓ = 0); at π* the k1 spread is the sd of log(π*/π_ref)
    const p = reverseGood(0.5);
    const l = [Math.log(4 * p), Math.log((4 * (1 - p)) / 3)];
    const mean = p * l[0]! + (1 - p) * l[1]!;
    const sd = Math.sqrt(p * l[0]! ** 2 + (1 - p) * l[1]! ** 2 - mean * mean);
    expect(row("k1", "reward").sd_ref).toBe(0);
    expect(row("k1", "reward").sd_opt).toBeCloseTo(sd, 12);
    // k3 in the loss points along the forward KL's gradient at π*, k1 in the reward along the reverse one's
    expect(row("k3", "loss").cos_forward.opt).toBeCloseTo(1, 9);
    expect(row("k1", "reward").cos_reverse.opt).toBeCloseTo(1, 9);
  });

  it("a text table, and one line naming the field for a bad setting", async () => {
    const text = await klsim(["estimators", "estimators"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^estimators: β 0\.5, 5000 steps/);
    expect(text.stdout).toContain("reverse − forward (unbounded)");
    const bad = await klsim(["estimators", "basic", "--set", "sampling.baseline=median"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("--set sampling.baseline");
  });
});

describe("klsim run with the training flags", () => {
  it("basic in sampled mode with the defaults (k1 in the reward, loo) and β = 5 settles at the reverse optimum, 0.289 on good", async () => {
    const result = await klsim(["run", "basic", "--mode", "sampled", "--beta", "5", "--steps", "20000", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { policy: number[]; kl_estimate: number };
    expect(summary.policy[0]).toBeCloseTo(reverseGood(5), 3);
    expect(reverseGood(5).toFixed(3)).toBe("0.289");
    expect(Number.isFinite(summary.kl_estimate)).toBe(true);
  });

  it("--mode expected --estimator k3 --kl-in loss --baseline mean --batch 4: the forward optimum at β·4/3", async () => {
    const result = await klsim([
      "run",
      "basic",
      "--mode",
      "expected",
      "--estimator",
      "k3",
      "--kl-in",
      "loss",
      "--baseline",
      "mean",
      "--batch",
      "4",
      "--steps",
      "20000",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { policy: number[] }).policy[0]).toBeCloseTo(forwardGood((0.5 * 4) / 3), 8);
    const bad = await klsim(["run", "basic", "--kl-in", "lost"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--kl-in: expected one of reward, loss, got 'lost' \(did you mean loss\?\)/);
  });
});
