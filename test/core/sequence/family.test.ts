/**
 * The sequence PolicyFamily: its metric row is the enumeration's; every penalty's gradient — the two
 * KLs by their tree recursions, JS and α by the bandit's logit gradient chained through the tree —
 * matches central finite differences of J computed by enumeration (D written out here over the list
 * of sequences); the chained path agrees with the recursions for the KLs (two methods).
 */
import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../../src/core/divergences/registry.js";
import { SequenceFamily } from "../../../src/core/families/sequence.js";
import { emptyMetricRow, METRIC } from "../../../src/core/metric-row.js";
import { mulberry32 } from "../../../src/core/random.js";
import { enumerate, randomTheta, total } from "./enumeration.js";
import { fixture, goldOf, rewardOf, SHAPES } from "./fixtures.js";

/** D(π, π_ref) over a list of sequences, from its definition (DESIGN §1). */
const DEFINITIONS: Record<string, (pi: number[], ref: number[]) => number> = {
  reverse: (pi, ref) => pi.reduce((s, p, k) => s + (p > 0 ? p * Math.log(p / ref[k]!) : 0), 0),
  forward: (pi, ref) => ref.reduce((s, r, k) => s + r * Math.log(r / pi[k]!), 0),
  js: (pi, ref) => {
    const kl = (p: number[], q: number[]) => p.reduce((s, x, k) => s + (x > 0 ? x * Math.log(x / q[k]!) : 0), 0);
    const m = pi.map((p, k) => (p + ref[k]!) / 2);
    return 0.5 * kl(pi, m) + 0.5 * kl(ref, m);
  },
  "alpha:0.3": (pi, ref) => {
    const A = 0.3;
    return ref.reduce((s, r, k) => {
      const u = pi[k]! / r;
      return s + (r * (u ** (1 - A) - (1 - A) * u - A)) / (A * (A - 1));
    }, 0);
  },
};

describe("SequenceFamily", () => {
  const shape = SHAPES[1]!; // V = 3, T = 3 with eos
  const { problem, reference } = fixture(shape);

  it("fills the metric row with the enumeration's values (1e-12), mean_length and token_mean_kl included", () => {
    const family = new SequenceFamily(problem);
    family.theta.set(randomTheta(problem, mulberry32(5), 1));
    const row = emptyMetricRow();
    family.evaluate(divergenceNamed("js"), row);
    const list = enumerate(problem.tree, family.theta, reference, rewardOf, goldOf);
    const pi = list.map((e) => e.pi);
    const ref = list.map((e) => e.ref);
    expect(row[METRIC.reward]).toBeCloseTo(
      total(list, (e) => e.pi * e.reward),
      12,
    );
    expect(row[METRIC.gold_reward]).toBeCloseTo(
      total(list, (e) => e.pi * e.gold),
      12,
    );
    expect(row[METRIC.reverse_kl]).toBeCloseTo(DEFINITIONS.reverse!(pi, ref), 12);
    expect(row[METRIC.forward_kl]).toBeCloseTo(DEFINITIONS.forward!(pi, ref), 12);
    expect(row[METRIC.penalty_value]).toBeCloseTo(DEFINITIONS.js!(pi, ref), 12);
    expect(row[METRIC.mean_length]).toBeCloseTo(
      total(list, (e) => e.pi * e.body.length),
      12,
    );
    expect(row[METRIC.token_mean_kl]).toBeCloseTo(
      total(list, (e) => (e.pi * (e.logPi - e.logRef)) / e.steps),
      12,
    );
    // its outcomes are the sequences: π(y) in the family's order sums to 1
    expect(family.tokenProbabilities().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  for (const name of Object.keys(DEFINITIONS)) {
    it(`${name}: the exact gradient of E[R] − β·D matches central finite differences over the enumeration (1e-8)`, () => {
      const penalty = divergenceNamed(name);
      const family = new SequenceFamily(problem);
      const beta = 0.7;
      family.theta.set(randomTheta(problem, mulberry32(11), 1));
      family.evaluate(penalty, emptyMetricRow());
      family.gradient(penalty, beta);
      const J = (theta: Float64Array) => {
        const list = enumerate(problem.tree, theta, reference, rewardOf);
        return (
          total(list, (e) => e.pi * e.reward) -
          beta *
            DEFINITIONS[name]!(
              list.map((e) => e.pi),
              list.map((e) => e.ref),
            )
        );
      };
      const theta = Float64Array.from(family.theta);
      const h = 1e-5;
      let worst = 0;
      for (let i = 0; i < theta.length; i++) {
        const saved = theta[i]!;
        theta[i] = saved + h;
        const up = J(theta);
        theta[i] = saved - h;
        const down = J(theta);
        theta[i] = saved;
        worst = Math.max(worst, Math.abs((up - down) / (2 * h) - family.grad[i]!));
      }
      expect(worst).toBeLessThan(1e-8);
    });
  }

  it("the chained penalty gradient equals the tree recursions' for both KLs (1e-12): two methods", () => {
    for (const name of ["reverse", "forward"]) {
      const penalty = divergenceNamed(name);
      const family = new SequenceFamily(problem);
      family.theta.set(randomTheta(problem, mulberry32(3), 1.3));
      family.evaluate(penalty, emptyMetricRow());
      const beta = 0.9;
      const chained = new Float64Array(family.theta.length);
      family.penaltyGradient(penalty, beta, chained); // −β·∇D alone, through the bandit
      family.gradient(penalty, beta); // the recursion: ∇E[R] − β·∇D
      const withReward = Float64Array.from(family.grad);
      family.gradient(penalty, 0); // ∇E[R] alone
      let worst = 0;
      for (let i = 0; i < chained.length; i++) worst = Math.max(worst, Math.abs(withReward[i]! - family.grad[i]! - chained[i]!));
      expect(worst).toBeLessThan(1e-12);
    }
  });
});
