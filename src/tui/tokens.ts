/**
 * Which tokens the token panel (and the report's table) show, and the bars' full scale.
 * Pure, no ink.
 */

export interface TokenProbabilities {
  /** Current policy π. */
  policy: ArrayLike<number>;
  /** Reference π_ref. */
  reference: ArrayLike<number>;
  /** Closed-form optimum π* for the current β and direction. */
  optimum: ArrayLike<number>;
  labels: readonly string[];
  /** Per-token reward r (shown beside the bars when given). */
  reward?: ArrayLike<number>;
  /** log π (θ − logZ) and log π_ref: with both, the log-ratio ℓ = log π/π_ref is shown. */
  logPolicy?: ArrayLike<number>;
  logReference?: ArrayLike<number>;
}

export interface TokenView {
  /** Token indices to show, in display order. */
  indices: number[];
  /** True when the vocabulary did not fit and tokens are ordered by π mass. */
  byMass: boolean;
  /** The first shown row's rank (after clamping the scroll). */
  offset: number;
  /** The largest useful scroll offset. */
  maxOffset: number;
}

/**
 * All tokens in vocabulary order when `rows` can hold them; otherwise `rows` tokens ranked by
 * π mass starting at rank `scroll` (the top tokens at scroll 0).
 */
export function selectTokens(policy: ArrayLike<number>, rows: number, scroll: number): TokenView {
  const V = policy.length;
  const count = Math.max(0, Math.min(rows, V));
  if (V <= rows) return { indices: Array.from({ length: V }, (_, i) => i), byMass: false, offset: 0, maxOffset: 0 };
  const maxOffset = V - count;
  const offset = Math.min(Math.max(0, scroll), maxOffset);
  return { indices: topIndices(policy, offset + count).slice(offset), byMass: true, offset, maxOffset };
}

/** Indices of the k largest values, largest first (ties by index). O(V·log k)-ish: fine for V = 65 536. */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const n = values.length;
  if (k >= n) return Array.from({ length: n }, (_, i) => i).sort((a, b) => order(values, a, b));
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    if (top.length === k && !(order(values, i, top[k - 1]!) < 0)) continue;
    // Binary search for the insertion point in the descending list.
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(values, top[mid]!, i) < 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

/** Descending by value, NaN last, ties by index. */
function order(values: ArrayLike<number>, a: number, b: number): number {
  const va = values[a] as number;
  const vb = values[b] as number;
  if (va === vb || (Number.isNaN(va) && Number.isNaN(vb))) return a - b;
  if (Number.isNaN(va)) return 1;
  if (Number.isNaN(vb)) return -1;
  return vb - va;
}

/** A round full-scale value ≥ max (1, 0.5, 0.2, 0.1, 0.05, …) so bars do not rescale every frame. */
export function barScale(max: number): number {
  if (!(max > 0) || max >= 1) return 1;
  let best = 1;
  for (let decade = 1; decade > 1e-15; decade /= 10) {
    for (const mantissa of [1, 0.5, 0.2]) {
      const candidate = Number((mantissa * decade).toPrecision(1));
      if (candidate < max) return best;
      best = candidate;
    }
  }
  return best;
}

/** The scale for a set of shown tokens: covers π, π_ref and π* of each. */
export function scaleFor(p: TokenProbabilities, indices: readonly number[]): number {
  let max = 0;
  for (const i of indices) max = Math.max(max, p.policy[i] ?? 0, p.reference[i] ?? 0, p.optimum[i] ?? 0);
  return barScale(max);
}

// One scale per scenario, keyed by its reference distribution (the same array for the whole run).
const scenarioScales = new WeakMap<object, number>();

/**
 * The bars' full scale for a scenario, chosen once — on first sight, over every token's π, π_ref
 * and π* — and kept, so the bars do not rescale from page to page or frame to frame (π that
 * later outgrows it is drawn to the end with ▸). O(V) once per scenario.
 */
export function scenarioScale(p: TokenProbabilities): number {
  const key = p.reference as object;
  let scale = scenarioScales.get(key);
  if (scale === undefined) {
    scale = scaleFor(
      p,
      Array.from({ length: p.policy.length }, (_, i) => i),
    );
    scenarioScales.set(key, scale);
  }
  return scale;
}
