/**
 * The closed-form optimum over a chart's steps, for the β and penalty in force at each step (not
 * the current ones over the whole history). Evaluated at the chart's x resolution on a grid of
 * power-of-two step multiples — so the points stay put while the run grows (the grid's spacing
 * doubles onto a subset of itself) and while a window slides — and cached per (penalty, β).
 * A new (penalty, β) costs an O(V) optimum and its metrics: a frame spends at most `budgetMs` on
 * them (at least one), computing the coarse grid first; the line joins the points it has.
 */
import type { Divergence } from "../core/divergence.js";
import { divergenceNamed } from "../core/divergences/registry.js";
import { metricsOf, type PolicyMetrics } from "../core/metrics.js";
import { optimumOf } from "../core/optima.js";
import type { Problem } from "../core/problem.js";
import type { SettingChange } from "../sim/change-log.js";

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
  /** Milliseconds this call may spend on uncached optima (at least one is computed); Infinity: all. */
  budgetMs: number;
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

export function optimumTrack(input: TrackInput): OptimumTrack {
  const { problem, steps, betas, length, range, changes } = input;
  const now = input.now ?? (() => performance.now());
  remember(cacheOf(problem, input.penalty), input.beta, input.current);

  // The grid: multiples of g, the smallest power-of-two multiple of the history's stride at least
  // one point's worth of steps, from the last multiple at or before the window's start.
  const stride = length >= 2 ? Math.max(1, (steps[length - 1] as number) - (steps[length - 2] as number)) : 1;
  const perPoint = (range[1] - range[0]) / Math.max(1, input.resolution);
  let g = stride;
  while (g < perPoint) g *= 2;
  const first = length > 0 ? (steps[0] as number) : input.step;
  const lastRecorded = length > 0 ? (steps[length - 1] as number) : -Infinity;
  const penaltyChanges = changes.filter((c) => c.setting === "penalty");

  const gridSteps: number[] = [];
  const keys: { penalty: Divergence; beta: number }[] = [];
  let p = 0;
  for (let s = Math.max(first, Math.floor(range[0] / g) * g); s < input.step && s <= range[1]; s += g) {
    const row = s <= lastRecorded ? lastAtOrBefore(steps, length, s) : -1;
    while (p < penaltyChanges.length && penaltyChanges[p]!.step < s) p++;
    const logged = p < penaltyChanges.length ? penaltyChanges[p]!.from : null;
    const penalty = logged === null ? input.penalty : divergenceNamed(logged);
    gridSteps.push(s);
    keys.push({ penalty, beta: row >= 0 ? (betas[row] as number) : input.beta });
  }

  const found: (PolicyMetrics | undefined)[] = keys.map(({ penalty, beta }) => cacheOf(problem, penalty).get(beta));
  const missing = found.flatMap((m, i) => (m ? [] : [i]));
  let complete = true;
  if (missing.length > 0) {
    missing.sort((a, b) => level(gridSteps[b]! / g) - level(gridSteps[a]! / g) || a - b); // coarse first
    const started = now();
    let computed = 0;
    for (const i of missing) {
      const { penalty, beta } = keys[i]!;
      const hit = cacheOf(problem, penalty).get(beta); // computed for an earlier point of this frame
      if (hit) found[i] = hit;
      else if (computed > 0 && now() - started > input.budgetMs) complete = false;
      else {
        found[i] = optimumMetrics(problem, penalty, beta);
        computed++;
      }
    }
  }

  const track: OptimumTrack = { steps: [], metrics: [], complete };
  found.forEach((m, i) => {
    if (!m) return;
    track.steps.push(gridSteps[i]!);
    track.metrics.push(m);
  });
  track.steps.push(input.step);
  track.metrics.push(input.current);
  return track;
}
