/**
 * Every student × every divergence: the exact gradient ∇_θ[E_π[r] − β·D(π, π_ref)] the family gives
 * against central finite differences of that objective computed here from the definitions — each
 * family's π(θ) written out directly (plain exp and sums, the mixture as Σ_k w_k q_k) and each
 * divergence from its textbook formula.
 */
import { describe, expect, it } from "vitest";
import type { Divergence } from "../../../src/core/divergence.js";
import { divergenceNamed } from "../../../src/core/divergences/registry.js";
import { GaussianStudent } from "../../../src/core/families/gaussian.js";
import { LowRankStudent } from "../../../src/core/families/lowrank.js";
import { MixtureStudent } from "../../../src/core/families/mixture.js";
import { randomFeatures } from "../../../src/core/families/students.js";
import type { StudentFamily } from "../../../src/core/families/student.js";
import { emptyMetricRow, METRIC } from "../../../src/core/metric-row.js";
import { makeProblem, type Problem } from "../../../src/core/problem.js";
import { seededRandom } from "../../helpers/random.js";

const normalise = (w: number[]) => {
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
};
const range = (V: number) => Array.from({ length: V }, (_, i) => i);
const bumpOf = (V: number, mu: number, sigma: number) => normalise(range(V).map((i) => Math.exp(-((i - mu) ** 2) / (2 * sigma * sigma))));

/** π(θ) of each family from its definition, θ in the family's own parameterisation. */
const DISTRIBUTIONS = {
  gaussian: (V: number, t: number[]) => bumpOf(V, t[0]!, Math.exp(t[1]!)),
  mixture: (V: number, t: number[]) => {
    const K = t.length / 3;
    const w = normalise(t.slice(0, K).map(Math.exp));
    const out = new Array<number>(V).fill(0);
    for (let k = 0; k < K; k++) {
      const q = bumpOf(V, t[K + k]!, Math.exp(t[2 * K + k]!));
      for (let i = 0; i < V; i++) out[i]! += w[k]! * q[i]!;
    }
    return out;
  },
  lowrank: (U: Float64Array, r: number) => (V: number, t: number[]) =>
    normalise(range(V).map((i) => Math.exp(t.reduce((s, w, k) => s + U[i * r + k]! * w, 0)))),
};

const kl = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x > 0 ? x * Math.log(x / b[i]!) : 0), 0);
function definition(d: Divergence): (pi: number[], ref: number[]) => number {
  if (d.name === "reverse") return kl;
  if (d.name === "forward") return (pi, ref) => kl(ref, pi);
  if (d.name === "js") {
    return (pi, ref) => {
      const m = pi.map((p, i) => (p + ref[i]!) / 2);
      return 0.5 * kl(pi, m) + 0.5 * kl(ref, m);
    };
  }
  const A = Number(d.name.slice("alpha:".length));
  return (pi, ref) => ref.reduce((s, q, i) => s + (q * ((pi[i]! / q) ** (1 - A) - (1 - A) * (pi[i]! / q) - A)) / (A * (A - 1)), 0);
}

const DIVERGENCES = ["reverse", "forward", "js", "alpha:0.5", "alpha:0.2", "alpha:0.85"].map(divergenceNamed);

function problemOf(V: number, rand: () => number, withReward: boolean): Problem {
  const ref = normalise(range(V).map(() => 0.05 + rand()));
  const reward = range(V).map(() => (withReward ? 2 * rand() - 1 : 0));
  return makeProblem(ref, reward);
}

interface Case {
  name: string;
  make: (problem: Problem, rand: () => number) => { family: StudentFamily; pi: (V: number, t: number[]) => number[] };
}

const V = 9;
const CASES: Case[] = [
  { name: "gaussian", make: (p, rand) => ({ family: new GaussianStudent(p, 1 + 6 * rand(), 0.8 + 2 * rand()), pi: DISTRIBUTIONS.gaussian }) },
  {
    name: "mixture of 3",
    make: (p, rand) => ({
      family: new MixtureStudent(
        p,
        [0.2 + rand(), 0.2 + rand(), 0.2 + rand()],
        [1 + rand(), 4 + rand(), 6.5 + rand()],
        [0.7 + rand(), 0.9 + rand(), 1.2 + rand()],
      ),
      pi: DISTRIBUTIONS.mixture,
    }),
  },
  {
    name: "low-rank, r = 3",
    make: (p, rand) => {
      const U = randomFeatures(V, 3, 7);
      return { family: new LowRankStudent(p, U, [rand() - 0.5, rand() - 0.5, rand() - 0.5]), pi: DISTRIBUTIONS.lowrank(U, 3) };
    },
  },
];

describe("student gradients against central finite differences", () => {
  for (const c of CASES) {
    for (const d of DIVERGENCES) {
      for (const withReward of [false, true]) {
        it(`${c.name} × ${d.name}${withReward ? " with a reward" : " (fit: r = 0)"}`, () => {
          const rand = seededRandom(c.name.length * 131 + d.name.length * 17 + (withReward ? 1 : 0));
          const problem = problemOf(V, rand, withReward);
          const { family, pi } = c.make(problem, rand);
          const beta = 0.7;
          const ref = Array.from(problem.ref);
          const D = definition(d);
          const objective = (t: number[]) => {
            const p = pi(V, t);
            return p.reduce((s, x, i) => s + x * problem.reward[i]!, 0) - beta * D(p, ref);
          };
          family.evaluate(d, emptyMetricRow());
          family.gradient(d, beta);
          const theta = Array.from(family.theta);
          const h = 1e-5;
          for (let k = 0; k < theta.length; k++) {
            const up = theta.slice();
            const down = theta.slice();
            up[k]! += h;
            down[k]! -= h;
            const fd = (objective(up) - objective(down)) / (2 * h);
            expect(Math.abs(family.grad[k]! - fd), `∂J/∂θ_${k}: exact ${family.grad[k]}, fd ${fd}`).toBeLessThan(1e-8 + 1e-6 * Math.abs(fd));
          }
        });
      }
    }
  }

  it("the metrics of an evaluation are the definitions' (π, both KLs, the penalty)", () => {
    const rand = seededRandom(5);
    const problem = problemOf(V, rand, false);
    const { family, pi } = CASES[1]!.make(problem, rand);
    const row = emptyMetricRow();
    const js = divergenceNamed("js");
    family.evaluate(js, row);
    const p = pi(V, Array.from(family.theta));
    const ref = Array.from(problem.ref);
    for (let i = 0; i < V; i++) expect(family.tokenProbabilities()[i]).toBeCloseTo(p[i]!, 14);
    expect(row[METRIC.reverse_kl]).toBeCloseTo(kl(p, ref), 13);
    expect(row[METRIC.forward_kl]).toBeCloseTo(kl(ref, p), 13);
    expect(row[METRIC.penalty_value]).toBeCloseTo(definition(js)(p, ref), 13);
  });
});
