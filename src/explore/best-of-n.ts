/**
 * Exact best-of-n over a finite vocabulary: draw n outcomes from π_ref, keep the one with the highest
 * proxy reward. With F the reward CDF under π_ref and F⁻ its left limit, a reward level g is the
 * maximum with probability P_g = F(g)ⁿ − F⁻(g)ⁿ; within a tie group the winner is distributed as
 * π_ref restricted to the group (each of the tied draws is), so π_bon(y) = P_g·π_ref(y)/m_g.
 * KL(π_bon‖π_ref) ≤ log n − (n−1)/n (Beirami et al. 2024; loose for a small vocabulary).
 */
import type { Problem } from "../core/problem.js";

export interface BestOfN {
  n: number;
  policy: Float64Array;
  /** KL(π_bon‖π_ref). */
  reverseKL: number;
  /** KL(π_ref‖π_bon). */
  forwardKL: number;
  reward: number;
  goldReward: number | null;
  /** log n − (n−1)/n. */
  bound: number;
  /** bound − KL(π_bon‖π_ref) ≥ 0. */
  gap: number;
}

/** The analytic bound of Beirami et al. (2024) on KL(π_bon‖π_ref). */
export function bestOfNBound(n: number): number {
  return Math.log(n) - (n - 1) / n;
}

interface Level {
  members: number[];
  /** m_g = π_ref mass of the level. */
  mass: number;
  /** Mass of the levels strictly above / strictly below (each summed from its own end, so small tails keep their digits). */
  above: number;
  below: number;
}

/** The reward levels of the vocabulary, lowest first. */
function levelsOf(ref: ArrayLike<number>, reward: ArrayLike<number>): Level[] {
  const order = Array.from({ length: ref.length }, (_, i) => i).sort((a, b) => reward[a]! - reward[b]!);
  const levels: Level[] = [];
  for (const i of order) {
    const last = levels[levels.length - 1];
    if (last && reward[last.members[0]!] === reward[i]) {
      last.members.push(i);
      last.mass += ref[i]!;
    } else levels.push({ members: [i], mass: ref[i]!, above: 0, below: 0 });
  }
  let below = 0;
  for (const level of levels) {
    level.below = below;
    below += level.mass;
  }
  let above = 0;
  for (let g = levels.length - 1; g >= 0; g--) {
    levels[g]!.above = above;
    above += levels[g]!.mass;
  }
  return levels;
}

/** log of a CDF value c = 1 − tail = head, from whichever of the two is small (no cancellation). */
function logCdf(head: number, tail: number): number {
  if (head <= 0) return Number.NEGATIVE_INFINITY;
  return tail < 0.5 ? Math.log1p(-tail) : Math.log(head);
}

/** π_bon for n ≥ 1 draws, with its KLs against π_ref and its rewards. */
export function bestOfN(problem: Problem, n: number): BestOfN {
  const { ref, logRef, reward, gold } = problem;
  const policy = new Float64Array(ref.length);
  let reverseKL = 0;
  let forwardKL = 0;
  for (const level of levelsOf(ref, reward)) {
    const logF = logCdf(level.below + level.mass, level.above);
    const logFMinus = logCdf(level.below, level.above + level.mass);
    // log P_g = n log F + log(1 − (F⁻/F)ⁿ), the second term by expm1 so P_g keeps its digits when F⁻ ≈ F
    const logP = n * logF + Math.log(-Math.expm1(n * (logFMinus - logF)));
    const logMass = Math.log(level.mass);
    const p = Math.exp(logP);
    if (p > 0) reverseKL += p * (logP - logMass);
    forwardKL += level.mass * (logMass - logP);
    for (const i of level.members) policy[i] = Math.exp(logP + logRef[i]! - logMass);
  }
  let r = 0;
  let g = 0;
  for (let i = 0; i < ref.length; i++) {
    r += policy[i]! * reward[i]!;
    if (gold) g += policy[i]! * gold[i]!;
  }
  const bound = bestOfNBound(n);
  reverseKL = Math.max(0, reverseKL);
  return { n, policy, reverseKL, forwardKL: Math.max(0, forwardKL), reward: r, goldReward: gold ? g : null, bound, gap: bound - reverseKL };
}
