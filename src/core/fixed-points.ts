/**
 * What a sampled configuration (estimator × placement × baseline × sampler × algorithm) really
 * optimises, and where it settles. Its expected gradient (steppers/expected.ts) is split as
 *   E[ĝ] = α·∇E_π[r] − β·(a·∇KL(π‖π_ref) + b·∇KL(π_ref‖π)) + residual
 * by least squares over a few policies (the identities of Tang & Munos 2025 make the residual 0 for
 * every per-sample estimator on the policy's own samples: k1 in the reward (1, 0); k3 in the reward
 * (1, −1); k1 in the loss (0, 0); k2 and ρ·k3 in the loss (1, 0); k3 in the loss (0, 1); the mean
 * baseline scales α, and a and b in the reward, by (B − 1)/B). The fixed point follows: the reverse
 * or forward optimum at β·a/α or β·b/α, the argmax of r, none (reverse − forward is unbounded), or —
 * anything else — where expected-mode training from π_ref settles.
 */
import type { Divergence } from "./divergence.js";
import { forwardKL } from "./divergences/forward.js";
import { reverseKL } from "./divergences/reverse.js";
import { SoftmaxFamily } from "./families/softmax.js";
import { emptyMetricRow, METRIC } from "./metric-row.js";
import { argmaxOptimum, optimumOf } from "./optima.js";
import { Sgd } from "./optimizers.js";
import type { Problem } from "./problem.js";
import { ExpectedStepper } from "./steppers/expected.js";
import { estimatesPenalty } from "./steppers/policy-gradient.js";
import type { SampledConfig } from "./steppers/sampled.js";

/** The split of a configuration's expected gradient. */
export interface GradientSplit {
  /** The reward's weight α. */
  reward: number;
  /** The weights of ∇KL(π‖π_ref) and ∇KL(π_ref‖π), relative to α (so that β·a/α is the effective β). */
  reverse: number;
  forward: number;
  /** |residual| / |E[ĝ]| over the probe policies: 0 when the KL part is a combination of the two KLs' gradients. */
  residual: number;
}

/** What the configuration's KL term is the gradient of, in words, and where training settles. */
export interface FixedPoint {
  /** "reverse KL", "forward KL", "reverse − forward (unbounded)", "nothing", "the penalty itself (exact)", "neither KL". */
  optimises: string;
  /** Where it settles: the policy, or null when there is no fixed point (it diverges). */
  policy: Float64Array | null;
  /** How the policy was found: "closed form" or "expected-mode training". */
  method: "closed form" | "expected-mode training";
  /** The effective β of a closed-form fixed point (β·a/α or β·b/α), or NaN. */
  effectiveBeta: number;
}

/** Relative residual below which the split is exact (the probes' rounding is ~1e-13). */
const EXACT = 1e-7;

/** A scratch expected stepper on `problem` at policy logits θ. */
function probe(problem: Problem, config: SampledConfig, penalty: Divergence, theta: ArrayLike<number>): ExpectedStepper {
  const family = new SoftmaxFamily(problem);
  family.theta.set(theta);
  family.updated(Math.max(...Array.from(theta)));
  family.evaluate(penalty, emptyMetricRow());
  return new ExpectedStepper(family, new Sgd({ kind: "sgd", lr: 0 }), config);
}

/** The policies the split is fitted on: π_ref tilted towards the reward, and away from it, by a few amounts. */
function probeLogits(problem: Problem): Float64Array[] {
  const { logRef, reward, ref, V } = problem;
  let mean = 0;
  for (let i = 0; i < V; i++) mean += ref[i]! * reward[i]!;
  return [0.7, 2, -0.8].map((s) => Float64Array.from(logRef, (l, i) => l + s * (reward[i]! - mean) + 0.3 * Math.sin(3 * i + s)));
}

/** ∇_θ of the two KLs for π = softmax θ: π ⊙ (ℓ − KL(π‖π_ref)) and π − π_ref. */
function klGradients(family: SoftmaxFamily): { reverse: Float64Array; forward: Float64Array } {
  const reverse = new Float64Array(family.vocab);
  const forward = new Float64Array(family.vocab);
  reverseKL.logitGradient(family.state.pi, family.logProbabilities(), family.problem.ref, family.problem.logRef, null, 0, -1, family.state.reverseKL, reverse);
  forwardKL.logitGradient(family.state.pi, family.logProbabilities(), family.problem.ref, family.problem.logRef, null, 0, -1, 0, forward);
  return { reverse, forward };
}

/**
 * At policy logits θ: the KL part of the configuration's expected gradient per unit β,
 * −(E[ĝ](β) − E[ĝ](0))/β, beside ∇KL(π‖π_ref) and ∇KL(π_ref‖π) — what the estimator lab compares.
 */
export function klGradientsAt(
  problem: Problem,
  config: SampledConfig,
  penalty: Divergence,
  beta: number,
  theta: ArrayLike<number>,
): { estimated: Float64Array; reverse: Float64Array; forward: Float64Array } {
  const stepper = probe(problem, config, penalty, theta);
  const withKL = stepper.expectedGradient(penalty, beta, 0).slice();
  const without = stepper.expectedGradient(penalty, 0, 0);
  const estimated = Float64Array.from(withKL, (g, i) => -(g - without[i]!) / beta);
  return { estimated, ...klGradients(stepper.family) };
}

/** Splits the configuration's expected gradient (see the file's comment). */
export function splitGradient(problem: Problem, config: SampledConfig, penalty: Divergence, beta: number): GradientSplit {
  // normal equations of [∇E r | ∇rKL | ∇fKL] against the expected gradient, over every probe's tokens
  const A = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const y = [0, 0, 0];
  const probes = probeLogits(problem).map((theta) => probe(problem, config, penalty, theta));
  const columns = probes.map((stepper) => {
    const family = stepper.family;
    const { pi } = family.state;
    const dReward = Float64Array.from(pi, (p, i) => p * (problem.reward[i]! - family.state.reward));
    const { reverse, forward } = klGradients(family);
    const g = stepper.expectedGradient(penalty, beta, 0).slice();
    return { basis: [dReward, reverse, forward], g };
  });
  for (const { basis, g } of columns) {
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) for (let i = 0; i < g.length; i++) A[r]![c]! += basis[r]![i]! * basis[c]![i]!;
      for (let i = 0; i < g.length; i++) y[r]! += basis[r]![i]! * g[i]!;
    }
  }
  const [alpha, u, v] = solve3(A, y);
  let residual = 0;
  let norm = 0;
  for (const { basis, g } of columns) {
    for (let i = 0; i < g.length; i++) {
      const fit = alpha * basis[0]![i]! + u * basis[1]![i]! + v * basis[2]![i]!;
      residual += (g[i]! - fit) ** 2;
      norm += g[i]! * g[i]!;
    }
  }
  // u = −β·a and v = −β·b: the split's weights per unit β, relative to the reward's
  const scale = beta > 0 ? -beta * alpha : 1;
  return {
    reward: alpha,
    reverse: beta > 0 ? u / scale : 0,
    forward: beta > 0 ? v / scale : 0,
    residual: norm > 0 ? Math.sqrt(residual / norm) : 0,
  };
}

/** The configuration's fixed point at β under the penalty. */
export function fixedPointOf(problem: Problem, config: SampledConfig, penalty: Divergence, beta: number): FixedPoint {
  const { ref, logRef, reward } = problem;
  if (!estimatesPenalty(config, penalty) || beta === 0) {
    const split = splitGradient(problem, config, penalty, 0);
    const effectiveBeta = beta / split.reward;
    return { optimises: "the penalty itself (exact)", policy: optimumOf(penalty, ref, logRef, reward, effectiveBeta), method: "closed form", effectiveBeta };
  }
  const split = splitGradient(problem, config, penalty, beta);
  const near = (x: number, target: number) => Math.abs(x - target) < 1e-6;
  if (split.residual < EXACT) {
    const { reverse: a, forward: b } = split;
    if (near(a, 0) && near(b, 0)) return { optimises: "nothing", policy: argmaxOptimum(ref, reward), method: "closed form", effectiveBeta: 0 };
    if (near(b, 0) && a > 0)
      return { optimises: "reverse KL", policy: reverseKL.optimum(ref, logRef, reward, beta * a), method: "closed form", effectiveBeta: beta * a };
    if (near(a, 0) && b > 0)
      return { optimises: "forward KL", policy: forwardKL.optimum(ref, logRef, reward, beta * b), method: "closed form", effectiveBeta: beta * b };
    if (a > 0 && b < 0) return { optimises: "reverse − forward (unbounded)", policy: null, method: "closed form", effectiveBeta: Number.NaN };
  }
  return { optimises: "neither KL", policy: settle(problem, config, penalty, beta), method: "expected-mode training", effectiveBeta: Number.NaN };
}

/** Where expected-mode SGD from π_ref settles (the gradient's largest entry below 1e-10), or null if it diverges; bounded work. */
function settle(problem: Problem, config: SampledConfig, penalty: Divergence, beta: number): Float64Array | null {
  const family = new SoftmaxFamily(problem);
  const stepper = new ExpectedStepper(family, new Sgd({ kind: "sgd", lr: 1 }), config);
  stepper.reset(penalty);
  const row = emptyMetricRow();
  const steps = Math.min(200_000, Math.max(200, Math.floor(4e6 / problem.V)));
  for (let t = 0; t < steps; t += 64) {
    const done = stepper.advance(penalty, beta, 64);
    stepper.readCurrent(row);
    if (done < 64 || !Number.isFinite(row[METRIC.forward_kl]!)) return null;
    let largest = 0;
    for (const g of family.grad) largest = Math.max(largest, Math.abs(g));
    if (largest < 1e-10) break;
  }
  return stepper.policy().slice();
}

/** Solves a 3×3 system (Gaussian elimination with partial pivoting). */
function solve3(A: number[][], y: number[]): [number, number, number] {
  const M = A.map((row, i) => [...row, y[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const pivot = M[c]![c]!;
    if (pivot === 0) continue;
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / pivot;
      for (let k = c; k < 4; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = M.map((row, i) => (row[i] === 0 ? 0 : row[3]! / row[i]!));
  return [x[0]!, x[1]!, x[2]!];
}
