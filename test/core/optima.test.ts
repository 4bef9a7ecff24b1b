import { describe, expect, it } from "vitest";
import { logOf, normalizedOf, rewardMaxOf } from "../../src/core/distributions.js";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { argmaxOptimum, optimumOf, reverseOptimum } from "../../src/core/optima.js";
import { seededRandom } from "../helpers/random.js";

const uniform4 = [0.25, 0.25, 0.25, 0.25];
const optimum = (name: string, ref: ArrayLike<number>, logRef: ArrayLike<number>, reward: ArrayLike<number>, beta: number) =>
  optimumOf(divergenceNamed(name), ref, logRef, reward, beta);
const forwardOptimum = (ref: ArrayLike<number>, reward: ArrayLike<number>, beta: number) => divergenceNamed("forward").optimum(ref, logOf(ref), reward, beta);
const r = [1, 0, 0, 0];

describe("closed-form optima, hand-derived", () => {
  it("reverse, π_ref uniform over 4, r = e₀, β = ½: π*₀ = e²/(e² + 3) = 0.71123", () => {
    const pi = reverseOptimum(uniform4, logOf(uniform4), r, 0.5);
    const e2 = Math.exp(2);
    expect(pi[0]).toBeCloseTo(e2 / (e2 + 3), 14);
    expect(pi[0]!.toFixed(5)).toBe("0.71123");
    expect(pi[1]).toBeCloseTo(1 / (e2 + 3), 14);
  });

  it("forward, same instance: π*₀ = 0.125/δ with δ² + ½δ − ⅛ = 0, i.e. 0.68301", () => {
    // π*_i = β π_ref,i/(λ − r_i): ⅛/δ + 3·⅛/(δ + 1) = 1 with δ = λ − 1  ⇒  δ² + ½δ − ⅛ = 0.
    const delta = (-0.5 + Math.sqrt(0.25 + 0.5)) / 2;
    const pi = forwardOptimum(uniform4, r, 0.5);
    expect(pi[0]).toBeCloseTo(0.125 / delta, 14);
    expect(pi[0]!.toFixed(5)).toBe("0.68301");
    expect(pi[1]).toBeCloseTo(0.125 / (delta + 1), 14);
  });

  it("β = 0: all mass on argmax r, ties shared in proportion to π_ref", () => {
    const ref = [0.1, 0.3, 0.6];
    for (const pi of [argmaxOptimum(ref, [1, 1, 0]), optimum("reverse", ref, logOf(ref), [1, 1, 0], 0), optimum("forward", ref, logOf(ref), [1, 1, 0], 0)]) {
      expect(pi[0]).toBeCloseTo(0.25, 15);
      expect(pi[1]).toBeCloseTo(0.75, 15);
      expect(pi[2]).toBe(0);
    }
  });

  it("extreme β: tiny β approaches the argmax, huge β stays at π_ref, never NaN", () => {
    const ref = [0.5, 0.3, 0.2];
    const reward = [0, 1, 0.5];
    for (const penalty of ["reverse", "forward"] as const) {
      const tiny = optimum(penalty, ref, logOf(ref), reward, 1e-12);
      expect(tiny[1]).toBeGreaterThan(1 - 1e-9);
      const huge = optimum(penalty, ref, logOf(ref), reward, 1e12);
      for (let i = 0; i < 3; i++) expect(huge[i]).toBeCloseTo(ref[i]!, 9);
      for (const v of [...tiny, ...huge]) expect(Number.isNaN(v)).toBe(false);
    }
  });

  it("a caller's max r is used for its own reward array only", () => {
    const ref = [0.5, 0.3, 0.2];
    const reward = [0, 1, 0.5];
    // π* ∝ π_ref · exp(r/β) by hand at β = 1: weights 0.5, 0.3e, 0.2e^0.5
    const w = [0.5, 0.3 * Math.E, 0.2 * Math.exp(0.5)];
    const z = w[0]! + w[1]! + w[2]!;
    const plain = reverseOptimum(ref, logOf(ref), reward, 1);
    for (let i = 0; i < 3; i++) expect(plain[i]).toBeCloseTo(w[i]! / z, 14);
    expect(rewardMaxOf(reward)).toEqual({ of: reward, value: 1 });
    expect([...reverseOptimum(ref, logOf(ref), reward, 1, { rewardMax: rewardMaxOf(reward) })]).toEqual([...plain]);
    // a max r of an equal but other array is not trusted: trusted, +Infinity would make every logit −Infinity (π* = argmax)
    const other = { of: [0, 1, 0.5], value: Infinity };
    expect([...reverseOptimum(ref, logOf(ref), reward, 1, { rewardMax: other })]).toEqual([...plain]);
  });
});

describe("optima on random instances", () => {
  const rand = seededRandom(7);
  const instances = Array.from({ length: 40 }, () => {
    const V = 2 + Math.floor(rand() * 30);
    const ref = normalizedOf(Array.from({ length: V }, () => 0.05 + rand()));
    const reward = Array.from({ length: V }, () => 4 * rand() - 2);
    const beta = Math.exp(6 * rand() - 4); // 0.018 … 7.4
    return { V, ref, reward, beta };
  });

  it("reverse optimum satisfies the DPO identity r = β log(π*/π_ref) + const", () => {
    for (const { ref, reward, beta } of instances) {
      const pi = reverseOptimum(ref, logOf(ref), reward, beta);
      const constant = reward[0]! - beta * Math.log(pi[0]! / ref[0]!);
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(reward[i]! - beta * Math.log(pi[i]! / ref[i]!) - constant)).toBeLessThan(1e-9);
      }
    }
  });

  it("forward optimum is a stationary point: π(r − ⟨π,r⟩) + β(π_ref − π) = 0, and sums to 1", () => {
    for (const { ref, reward, beta } of instances) {
      const pi = forwardOptimum(ref, reward, beta);
      const mean = pi.reduce((s, p, i) => s + p * reward[i]!, 0);
      expect(Math.abs(pi.reduce((s, p) => s + p, 0) - 1)).toBeLessThan(1e-12);
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs(pi[i]! * (reward[i]! - mean) + beta * (ref[i]! - pi[i]!))).toBeLessThan(1e-10);
      }
    }
  });

  it("the optimum beats nearby policies (it maximises E[r] − β·KL)", () => {
    for (const { ref, reward, beta } of instances.slice(0, 10)) {
      for (const penalty of ["reverse", "forward"] as const) {
        const pi = optimum(penalty, ref, logOf(ref), reward, beta);
        const J = (q: ArrayLike<number>) => {
          let s = 0;
          for (let i = 0; i < q.length; i++) {
            s += q[i]! * reward[i]!;
            s -= beta * (penalty === "reverse" ? q[i]! * Math.log(q[i]! / ref[i]!) : ref[i]! * Math.log(ref[i]! / q[i]!));
          }
          return s;
        };
        const best = J(pi);
        for (let k = 0; k < 5; k++) {
          const nudged = normalizedOf(Array.from(pi, (p) => p * (1 + 0.01 * (rand() - 0.5))));
          expect(J(nudged)).toBeLessThanOrEqual(best + 1e-12);
        }
      }
    }
  });
});
