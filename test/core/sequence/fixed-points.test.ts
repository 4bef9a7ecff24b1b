/**
 * Where expected-mode training settles, per kl_placement × estimator: k1 with return-to-go (PPO-RLHF)
 * reaches the sequence optimum; token-level k2 and k3 losses (GRPO) settle at fixed points derived
 * here from the stationarity of what they actually optimise.
 */
import { describe, expect, it } from "vitest";
import { aggregationNamed } from "../../../src/core/sequence/aggregations.js";
import { baselineNamed } from "../../../src/core/sequence/baselines.js";
import { tokenEstimator } from "../../../src/core/sequence/estimator.js";
import { evaluateSequencePolicy } from "../../../src/core/sequence/evaluate.js";
import { SequenceExpectedTrainer } from "../../../src/core/sequence/expected.js";
import { reverseSequenceOptimum } from "../../../src/core/sequence/optimum.js";
import { placementNamed } from "../../../src/core/sequence/placements.js";
import { makeSequenceProblem, type SequenceProblem } from "../../../src/core/sequence/problem.js";
import { SequenceState } from "../../../src/core/sequence/state.js";
import type { TreeShape } from "../../../src/core/sequence/tree.js";
import { nodeOf } from "./enumeration.js";
import { referenceWeights } from "./fixtures.js";

const beta = 0.5;

/**
 * A delayed reward: 1 for starting with token 1, or 1.6 for the continuation 0 1 1, which costs KL at
 * later positions (a token-level loss does not see that cost when it chooses the first token); plus
 * 0.3 per token, so that with eos the length matters too.
 */
function rewardOf(body: number[]): number {
  const delayed = body.join(" ") === "0 1 1" ? 1.6 : body[0] === 1 ? 1 : 0;
  return delayed + 0.3 * body.length;
}

function problemOf(shape: TreeShape): { problem: SequenceProblem; reference: (t: number, prev: number) => number[] } {
  const weights = referenceWeights(shape.V);
  const reference = (t: number, prev: number) => {
    const w = weights(t, prev);
    const z = w.reduce((x, y) => x + y, 0);
    return w.map((x) => x / z);
  };
  const problem = makeSequenceProblem({ ...shape, reference, reward: (tokens, length) => rewardOf(Array.from(tokens.subarray(0, length))) });
  return { problem, reference };
}

/** Plain gradient ascent on θ with the expected gradient of a placement × estimator (sum, loo, B = 4). */
function settle(problem: SequenceProblem, placement: string, estimator: "k1" | "k2" | "k3", steps = 5000): SequenceState {
  const state = new SequenceState(problem);
  const trainer = new SequenceExpectedTrainer(state, {
    batch: 4,
    estimator: tokenEstimator(estimator),
    placement: placementNamed(placement)!,
    aggregation: aggregationNamed("sum")!,
    baseline: baselineNamed("loo")!,
  });
  for (let step = 0; step < steps; step++) {
    evaluateSequencePolicy(state);
    trainer.gradient(beta);
    for (let i = 0; i < state.theta.length; i++) state.theta[i] = state.theta[i]! + 4 * state.grad[i]!;
  }
  evaluateSequencePolicy(state);
  return state;
}

/** Every prefix (token list) that chooses a next token, shortest first. */
function prefixesOf(shape: TreeShape): number[][] {
  const out: number[][] = [[]];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    if (p.length + 1 < shape.horizon) for (let a = 0; a < shape.V; a++) if (a !== shape.eos) out.push([...p, a]);
  }
  return out;
}

/**
 * The fixed point of a token-level KL loss, bottom-up: at each prefix s the loss's expected gradient is
 * P(s)·[∇_{θ_s} E_π[R] − β·∇_{θ_s}(local penalty)], with the rewards-to-go Q(s,a) = E_π[R | s·a] of the
 * deeper prefixes already settled. `local` turns (π_ref(·|s), Q(s,·)) into π(·|s) at stationarity.
 */
function tokenLossFixedPoint(shape: TreeShape, reference: (t: number, prev: number) => number[], local: (ref: number[], q: number[]) => number[]) {
  const policy = new Map<string, number[]>();
  const q = (prefix: number[], a: number): number => {
    const next = [...prefix, a];
    if (a === shape.eos) return rewardOf(prefix);
    if (next.length === shape.horizon) return rewardOf(next);
    const pi = policy.get(next.join(" "))!;
    return pi.reduce((s, p, b) => s + p * q(next, b), 0);
  };
  for (const prefix of prefixesOf(shape).reverse()) {
    const ref = reference(prefix.length, prefix.length === 0 ? -1 : prefix[prefix.length - 1]!);
    const qs = ref.map((_, a) => q(prefix, a));
    policy.set(prefix.join(" "), local(ref, qs));
  }
  return policy;
}

/** k2 in the loss: E_π[ℓ·∇log π] = ∇KL(π(·|s)‖π_ref(·|s)) at fixed P(s) ⇒ π(a|s) ∝ π_ref(a|s)·exp(Q(s,a)/β) (myopic: no KL-to-go). */
const k2Local = (ref: number[], qs: number[]) => {
  const w = ref.map((r, a) => r * Math.exp(qs[a]! / beta));
  const z = w.reduce((x, y) => x + y, 0);
  return w.map((x) => x / z);
};

/** k3 in the loss: E_π[(1 − π_ref/π)·∇log π] = π − π_ref, the local forward KL's gradient ⇒ π(a|s) = β·π_ref(a|s)/(λ − Q(s,a)). */
const k3Local = (ref: number[], qs: number[]) => {
  const qMax = Math.max(...qs);
  let lo = qMax;
  let hi = qMax + beta;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    const sum = ref.reduce((s, r, a) => s + (beta * r) / (mid - qs[a]!), 0);
    if (sum > 1) lo = mid;
    else hi = mid;
  }
  const lambda = 0.5 * (lo + hi);
  return ref.map((r, a) => (beta * r) / (lambda - qs[a]!));
};

function worstDifference(shape: TreeShape, state: SequenceState, policy: Map<string, number[]> | ((prefix: number[]) => number[])): number {
  let worst = 0;
  for (const prefix of prefixesOf(shape)) {
    const n = nodeOf(state.problem.tree, prefix);
    const target = typeof policy === "function" ? policy(prefix) : policy.get(prefix.join(" "))!;
    for (let a = 0; a < shape.V; a++) worst = Math.max(worst, Math.abs(state.pi[n * shape.V + a]! - target[a]!));
  }
  return worst;
}

describe("where the placements settle in expected mode (sum, leave-one-out, B = 4, β = ½)", () => {
  for (const shape of [
    { V: 3, horizon: 3, eos: -1 },
    { V: 3, horizon: 3, eos: 2 },
  ]) {
    const { problem, reference } = problemOf(shape);
    const optimum = new SequenceState(problem);
    reverseSequenceOptimum(problem, beta, optimum.theta);
    evaluateSequencePolicy(optimum);
    const atOptimum = (prefix: number[]) => {
      const n = nodeOf(problem.tree, prefix);
      return Array.from(optimum.pi.subarray(n * shape.V, n * shape.V + shape.V));
    };
    const label = `V = 3, T = 3${shape.eos >= 0 ? ", eos" : ""}`;

    it(`${label}: k1 per-token in the reward with return-to-go reaches the soft-Bellman optimum`, () => {
      const state = settle(problem, "token-reward", "k1");
      expect(worstDifference(shape, state, atOptimum)).toBeLessThan(1e-9);
    });

    it(`${label}: k1 summed into the sequence reward (RLOO) and k2 of the summed log-ratio in the loss reach it too`, () => {
      expect(worstDifference(shape, settle(problem, "sequence-reward", "k1"), atOptimum)).toBeLessThan(1e-9);
      expect(worstDifference(shape, settle(problem, "sequence-loss", "k2"), atOptimum)).toBeLessThan(1e-9);
    });

    it(`${label}: a token-level k2 loss settles at π(a|s) ∝ π_ref·exp(E_π[R|s·a]/β), away from the optimum`, () => {
      const state = settle(problem, "token-loss", "k2");
      const fixed = tokenLossFixedPoint(shape, reference, k2Local);
      expect(worstDifference(shape, state, fixed)).toBeLessThan(1e-9);
      expect(worstDifference(shape, state, atOptimum)).toBeGreaterThan(0.05);
      // It ignores the KL still to come, so it drifts further than the optimum does.
      expect(state.reverseKL).toBeGreaterThan(optimum.reverseKL + 0.05);
    });

    it(`${label}: a token-level k3 loss settles at the per-prefix forward-KL optimum on E_π[R|s·a], away from the optimum`, () => {
      const state = settle(problem, "token-loss", "k3");
      const fixed = tokenLossFixedPoint(shape, reference, k3Local);
      expect(worstDifference(shape, state, fixed)).toBeLessThan(1e-9);
      expect(worstDifference(shape, state, atOptimum)).toBeGreaterThan(0.05);
    });
  }
});
