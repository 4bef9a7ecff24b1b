/**
 * The estimator lab's table (`klsim estimators`): for each estimator × placement (× baseline where
 * it moves the fixed point), what its expected KL gradient is the gradient of, how it points against
 * ∇KL(π‖π_ref) and ∇KL(π_ref‖π) just off π_ref and at the reverse optimum, where expected-mode
 * training settles (or the step it diverges at), and how noisy one sample's estimate is. Pure data;
 * the command prints it.
 */
import { type Baseline, baselineNamed } from "../core/baselines.js";
import { forwardKL } from "../core/divergences/forward.js";
import { reverseKL } from "../core/divergences/reverse.js";
import { ESTIMATOR_LIST, type Estimator } from "../core/estimators.js";
import { fixedPointOf, klGradientsAt } from "../core/fixed-points.js";
import { totalVariation } from "../core/information.js";
import { optimumOf } from "../core/optima.js";
import type { Problem } from "../core/problem.js";
import { TokenSampler } from "../core/sampler.js";
import type { SampledConfig } from "../core/steppers/sampled.js";
import { DivergenceError } from "../errors.js";
import { Simulation, type SimConfig } from "../sim/simulation.js";

export interface EstimatorRow {
  estimator: string;
  /** "reward", "loss", or "exact" for the exact KL (`full`, the same in either). */
  kl_in: string;
  baseline: string;
  /** What its expected KL gradient is the gradient of: "reverse KL", "forward KL", "reverse − forward (unbounded)", "nothing", …. */
  optimises: string;
  /** Cosine of its expected KL gradient with ∇KL(π‖π_ref): just off π_ref (where the gradients vanish; the first step's direction), and at the reverse optimum π*. */
  cos_reverse: { ref: number; opt: number };
  cos_forward: { ref: number; opt: number };
  /** Where expected-mode training settled after the steps, or null when it diverged. */
  fixed_point: { policy: number[]; reward: number; reverse_kl: number; forward_kl: number; tv_to_reverse: number; tv_to_forward: number } | null;
  /** The step at which expected-mode training diverged, or null. */
  diverged_at: number | null;
  /** Standard deviation of one sample's estimate k(ℓ), x from the sampler: at π_ref (0: ℓ = 0 there) and at the reverse optimum π*. */
  sd_ref: number;
  sd_opt: number;
}

export interface EstimatorLabInput {
  problem: Problem;
  /** The scenario's run: penalty, β, optimiser, steps, controller … (its training settings are replaced per row). */
  sim: SimConfig;
  /** The scenario's sampled settings (batch, algorithm, sampler, baseline …). */
  sampling: SampledConfig;
  steps: number;
}

/** The rows: every estimator × placement with the scenario's baseline, plus the mean baseline where the KL is in the loss. */
export function estimatorRows(input: EstimatorLabInput): EstimatorRow[] {
  const rows: EstimatorRow[] = [];
  const mean = baselineNamed("mean")!;
  for (const estimator of ESTIMATOR_LIST) {
    if (!estimator.perSample) {
      rows.push(rowFor(input, estimator, "reward", input.sampling.baseline, "exact"));
      continue;
    }
    for (const klIn of ["reward", "loss"] as const) {
      rows.push(rowFor(input, estimator, klIn, input.sampling.baseline));
      if (klIn === "loss" && input.sampling.baseline !== mean) rows.push(rowFor(input, estimator, klIn, mean));
    }
  }
  return rows;
}

function rowFor(input: EstimatorLabInput, estimator: Estimator, klIn: "reward" | "loss", baseline: Baseline, label: string = klIn): EstimatorRow {
  const { problem } = input;
  const penalty = input.sim.penalty;
  const beta = input.sim.beta;
  const config: SampledConfig = { ...input.sampling, estimator, klIn, baseline };
  // the two targets an estimator of KL(π‖π_ref) can end up serving
  const reverseOptimum = optimumOf(reverseKL, problem.ref, problem.logRef, problem.reward, beta);
  const forwardOptimum = optimumOf(forwardKL, problem.ref, problem.logRef, problem.reward, beta);
  // just off π_ref, along the reward: the direction the first steps take (at π_ref itself both KL gradients vanish)
  let meanReward = 0;
  for (let i = 0; i < problem.V; i++) meanReward += problem.ref[i]! * problem.reward[i]!;
  const nearRef = Float64Array.from(problem.logRef, (l, i) => l + 1e-3 * (problem.reward[i]! - meanReward));
  const atOpt = Float64Array.from(reverseOptimum, (p) => Math.log(p));
  const cos = (theta: Float64Array) => {
    const g = klGradientsAt(problem, config, penalty, beta > 0 ? beta : 1, theta);
    return { reverse: cosine(g.estimated, g.reverse), forward: cosine(g.estimated, g.forward) };
  };
  const [ref, opt] = [cos(nearRef), cos(atOpt)];
  const settled = settle(input, config);
  return {
    estimator: estimator.name,
    kl_in: label,
    baseline: baseline.name,
    optimises: fixedPointOf(problem, config, penalty, beta).optimises,
    cos_reverse: { ref: ref.reverse, opt: opt.reverse },
    cos_forward: { ref: ref.forward, opt: opt.forward },
    fixed_point: settled.policy
      ? {
          policy: Array.from(settled.policy),
          reward: settled.reward,
          reverse_kl: settled.reverseKL,
          forward_kl: settled.forwardKL,
          tv_to_reverse: totalVariation(settled.policy, reverseOptimum),
          tv_to_forward: totalVariation(settled.policy, forwardOptimum),
        }
      : null,
    diverged_at: settled.divergedAt,
    sd_ref: sampleSd(problem, config, problem.ref),
    sd_opt: sampleSd(problem, config, reverseOptimum),
  };
}

/** Expected-mode training with this configuration for the scenario's steps. */
function settle(input: EstimatorLabInput, config: SampledConfig) {
  const sim = new Simulation(input.problem, { ...input.sim, training: { mode: "expected", config, random: () => () => Number.NaN }, historyCapacity: 2 });
  let divergedAt: number | null = null;
  try {
    for (let done = 0; done < input.steps; done += 4096) sim.step(Math.min(4096, input.steps - done));
  } catch (error) {
    if (!(error instanceof DivergenceError)) throw error;
    divergedAt = sim.divergedAt;
  }
  const m = sim.metrics();
  return { policy: divergedAt === null ? sim.policy.slice() : null, reward: m.reward, reverseKL: m.reverseKL, forwardKL: m.forwardKL, divergedAt };
}

/** cos(a, b); 0 when a vanishes next to b (k1 in the loss has no KL term: what is left is rounding). */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa <= 1e-18 * bb || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** The standard deviation of k(ℓ(x)) for one x drawn from the configuration's sampler of π. */
function sampleSd(problem: Problem, config: SampledConfig, pi: Float64Array): number {
  if (!config.estimator.perSample) return 0;
  const logPi = Float64Array.from(pi, Math.log);
  const sampler = new TokenSampler(problem.V, config);
  sampler.update(pi, logPi);
  let mean = 0;
  let square = 0;
  for (let i = 0; i < problem.V; i++) {
    const q = sampler.q[i]!;
    if (q === 0) continue;
    const k = config.estimator.value(logPi[i]! - problem.logRef[i]!);
    mean += q * k;
    square += q * k * k;
  }
  return Math.sqrt(Math.max(0, square - mean * mean));
}
