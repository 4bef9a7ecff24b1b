/**
 * The closed-form optimum over a chart's steps, for the β and penalty in force at each step (not
 * the current ones over the whole history), cached per (penalty, β). When only keys change β the
 * line is constant between the logged changes and needs a point at each. When a controller moves
 * β, it is evaluated at the chart's x resolution on a grid of power-of-two step multiples — so
 * the points stay put while the run grows (the grid's spacing doubles onto a subset of itself)
 * and while a window slides. A new (penalty, β) costs an O(V) optimum and its metrics: frames
 * spend `budgetMs` on them on average, coarse grid points first; the line joins the points it has.
 */
import type { Divergence } from "../core/divergence.js";
import { divergenceNamed } from "../core/divergences/registry.js";
import { metricsOf, type PolicyMetrics } from "../core/metrics.js";
import { optimumOf } from "../core/optima.js";
import type { Problem } from "../core/problem.js";
import type { SettingChange } from "../sim/change-log.js";

/**
 * Time left for new optima, per problem: each frame adds its `budgetMs` (never saving up more than
 * that) and each optimum computed costs what it took. At V = 65 536 one optimum takes longer than
 * a frame's budget; it then runs every few frames, and the average stays within the budget.
 */
const budgets = new WeakMap<Problem, { credit: number }>();

function budgetOf(problem: Problem): { credit: number } {
  let budget = budgets.get(problem);
  if (!budget) {
    budget = { credit: 0 };
    budgets.set(problem, budget);
  }
  return budget;
}

// (penalty, β) pairs kept per problem and penalty name; the oldest go first.
const CACHE_SIZE = 4096;
const caches = new WeakMap<Problem, Map<string, Map<number, PolicyMetrics>>>();

function cacheOf(problem: Problem, penalty: Divergence): Map<number, PolicyMetrics> {
  let byPenalty = caches.get(problem);
  if (!byPenalty) {
    byPenalty = new Map();
    caches.set(problem, byPenalty);
  }
  let byBeta = byPenalty.get(penalty.name);
  if (!byBeta) {
    byBeta = new Map();
    byPenalty.set(penalty.name, byBeta);
  }
  return byBeta;
}

function remember(cache: Map<number, PolicyMetrics>, beta: number, metrics: PolicyMetrics): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as number);
  cache.set(beta, metrics);
}

/** The metrics of π*(β, penalty), cached; computed now if not cached. */
export function optimumMetrics(problem: Problem, penalty: Divergence, beta: number): PolicyMetrics {
  const cache = cacheOf(problem, penalty);
  const hit = cache.get(beta);
  if (hit) return hit;
  const metrics = metricsOf(problem, optimumOf(penalty, problem.ref, problem.logRef, problem.reward, beta), penalty, beta);
  remember(cache, beta, metrics);
  return metrics;
}

export interface TrackInput {
  problem: Problem;
  /** The history's step and β columns; rows [0, length) are valid. */
  steps: ArrayLike<number>;
  betas: ArrayLike<number>;
  length: number;
  /** The current step, its β and penalty, and the optimum there (already known: it seeds the cache). */
  step: number;
  beta: number;
  penalty: Divergence;
  current: PolicyMetrics;
  /** Key-made changes, in step order: which penalty was in force at a past step. */
  changes: readonly SettingChange[];
  /** The steps on screen. */
  range: readonly [number, number];
  /** Points wanted across the range (the plot's dot columns). */
  resolution: number;
  /** Milliseconds a frame may spend on uncached optima, on average (see `budgets`); Infinity: all. */
  budgetMs: number;
  /** β moves by itself (an adaptive or schedule controller): read it off the history at grid points.
   *  Otherwise only keys changed it, and the change log says where. */
  betaVaries: boolean;
  now?: () => number;
}

export interface OptimumTrack {
  /** Steps of the points computed, increasing; the last is the current step. */
  steps: number[];
  metrics: PolicyMetrics[];
  /** False when the budget ran out and some grid points were left for the next frame. */
  complete: boolean;
}

/** Index of the last row whose step is ≤ `step`, or −1. */
export function lastAtOrBefore(steps: ArrayLike<number>, length: number, step: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as number) <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** How many times 2 divides k (k = 0 counts as the coarsest). */
function level(k: number): number {
  if (k === 0) return 64;
  let n = 0;
  while (k % 2 === 0) {
    k /= 2;
    n++;
  }
  return n;
}

/** A point of the line: its step and the (penalty, β) in force there. */
interface Point {
  step: number;
  penalty: Divergence;
  beta: number;
}

export function optimumTrack(input: TrackInput): OptimumTrack {
  remember(cacheOf(input.problem, input.penalty), input.beta, input.current);
  const { points, priority } = input.betaVaries ? gridPoints(input) : changePoints(input);
  const found: (PolicyMetrics | undefined)[] = points.map(({ penalty, beta }) => cacheOf(input.problem, penalty).get(beta));
  const missing = found.flatMap((m, i) => (m ? [] : [i]));
  let complete = true;
  if (missing.length > 0) {
    missing.sort((a, b) => priority(b) - priority(a) || a - b);
    const now = input.now ?? (() => performance.now());
    const budget = budgetOf(input.problem);
    budget.credit = Math.min(budget.credit + input.budgetMs, input.budgetMs);
    for (const i of missing) {
      const { penalty, beta } = points[i]!;
      const hit = cacheOf(input.problem, penalty).get(beta); // computed for an earlier point of this frame
      if (hit) found[i] = hit;
      else if (!(budget.credit > 0)) complete = false;
      else {
        const started = now();
        found[i] = optimumMetrics(input.problem, penalty, beta);
        budget.credit -= now() - started;
      }
    }
  }
  const track: OptimumTrack = { steps: [], metrics: [], complete };
  found.forEach((m, i) => {
    if (!m) return;
    track.steps.push(points[i]!.step);
    track.metrics.push(m);
  });
  track.steps.push(input.step);
  track.metrics.push(input.current);
  return track;
}

/**
 * β moved by the controller: points on the grid of power-of-two multiples of the history's stride
 * at least one point's worth of steps apart, each with the history's β and the logged penalty.
 * Coarse grid points are computed first.
 */
function gridPoints(input: TrackInput): { points: Point[]; priority: (i: number) => number } {
  const { steps, betas, length, range, changes } = input;
  const stride = length >= 2 ? Math.max(1, (steps[length - 1] as number) - (steps[length - 2] as number)) : 1;
  const perPoint = (range[1] - range[0]) / Math.max(1, input.resolution);
  let g = stride;
  while (g < perPoint) g *= 2;
  const first = length > 0 ? (steps[0] as number) : input.step;
  const lastRecorded = length > 0 ? (steps[length - 1] as number) : -Infinity;
  const penaltyChanges = changes.filter((c) => c.setting === "penalty");
  const points: Point[] = [];
  let p = 0;
  for (let s = Math.max(first, Math.floor(range[0] / g) * g); s < input.step && s <= range[1]; s += g) {
    const row = s <= lastRecorded ? lastAtOrBefore(steps, length, s) : -1;
    while (p < penaltyChanges.length && penaltyChanges[p]!.step < s) p++;
    const logged = p < penaltyChanges.length ? penaltyChanges[p]!.from : null;
    const penalty = logged === null ? input.penalty : divergenceNamed(logged);
    points.push({ step: s, penalty, beta: row >= 0 ? (betas[row] as number) : input.beta });
  }
  return { points, priority: (i) => level(points[i]!.step / g) };
}

/**
 * β fixed but for keys: the line is constant between logged changes, so it needs only its ends
 * and a pair of points at each change in the window (before and after, at the change's step).
 * No pass over the history.
 */
function changePoints(input: TrackInput): { points: Point[]; priority: (i: number) => number } {
  const { range, changes } = input;
  // The settings in force after each change, found backwards from the current ones.
  let after: Point = { step: input.step, penalty: input.penalty, beta: input.beta };
  const boundaries: { at: number; before: Point; after: Point }[] = [];
  for (let k = changes.length - 1; k >= 0; k--) {
    const change = changes[k]!;
    if (change.setting !== "beta" && change.setting !== "penalty") continue;
    const before: Point = {
      step: change.step,
      penalty: change.setting === "penalty" ? divergenceNamed(change.from ?? after.penalty.name) : after.penalty,
      beta: change.setting === "beta" ? Number(change.from) : after.beta,
    };
    boundaries.unshift({ at: change.step, before, after: { ...after, step: change.step } });
    after = before;
  }
  // In force at the window's start: what the first change at or after it changed from.
  const opening = boundaries.find((b) => b.at >= range[0]);
  const points: Point[] = [{ ...(opening ? opening.before : after), step: range[0] }];
  for (const b of boundaries) if (b.at >= range[0] && b.at <= range[1]) points.push(b.before, b.after);
  return { points, priority: () => 0 };
}
