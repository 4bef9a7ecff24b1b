/**
 * Information measures of two given distributions on one vocabulary (what `klsim kl` prints), in
 * nats (divide by ln 2 for bits). The penalties that training uses are the divergence registry's
 * entries (divergences/registry.ts), which build on these.
 * Conventions: 0·log 0 = 0; a zero in q where p has mass makes KL(p‖q) = +Infinity (never NaN).
 */

export type LogBase = "e" | "2";

/** Converts a value in nats to the requested base. */
export function inBase(nats: number, base: LogBase): number {
  return base === "2" ? nats / Math.LN2 : nats;
}

/** p_i · (log p_i − log q_i), with the 0·log 0 = 0 and p > 0 = q → ∞ conventions. */
function klTerm(p: number, q: number): number {
  if (p === 0) return 0;
  if (q === 0) return Infinity;
  return p * (Math.log(p) - Math.log(q));
}

/** KL(p‖q) = Σ p log(p/q). Clamped at 0 from below: negative values are rounding, not information. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += klTerm(p[i]!, q[i]!);
  return s < 0 ? 0 : s;
}

/** H(p) = −Σ p log p. */
export function entropy(p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v > 0) s -= v * Math.log(v);
  }
  return s < 0 ? 0 : s;
}

/** H(p, q) = −Σ p log q = H(p) + KL(p‖q). */
export function crossEntropy(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (pi === 0) continue;
    const qi = q[i]!;
    if (qi === 0) return Infinity;
    s -= pi * Math.log(qi);
  }
  return s;
}

/** JS(p, q) = ½ KL(p‖m) + ½ KL(q‖m), m = ½(p + q). Always finite, ≤ log 2 (Lin 1991). */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = 0.5 * a + 0.5 * b;
    s += 0.5 * klTerm(a, m) + 0.5 * klTerm(b, m);
  }
  return Math.min(Math.max(s, 0), Math.LN2);
}

/** KL(p‖q) from log-probabilities (the simulator's form: no log of a probability is ever taken). */
export function klFromLogs(logp: ArrayLike<number>, logq: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < logp.length; i++) {
    const lp = logp[i]!;
    if (lp === -Infinity) continue;
    s += Math.exp(lp) * (lp - logq[i]!);
  }
  return s < 0 ? 0 : s;
}

/** Total variation ½ Σ |p − q|: the most probability two distributions disagree on. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  // eight running sums, token i in sum i mod 8, added in pairs as the native kernel reduces its eight
  // lanes (native/kernel.c total_variation: the same bits): one chain of additions waits on each
  // add, eight overlap (a sweep takes this once per β: at V = 65 536, ~63 → ~34 µs here, ~10 native;
  // the sums in a Float64Array indexed i & 7 took ~93)
  const n = p.length;
  const d = (i: number) => Math.abs(p[i]! - q[i]!);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 += d(i);
    s1 += d(i + 1);
    s2 += d(i + 2);
    s3 += d(i + 3);
    s4 += d(i + 4);
    s5 += d(i + 5);
    s6 += d(i + 6);
    s7 += d(i + 7);
  }
  // the last n mod 8 tokens, into sums 0, 1, … as their i mod 8
  if (i < n) s0 += d(i++);
  if (i < n) s1 += d(i++);
  if (i < n) s2 += d(i++);
  if (i < n) s3 += d(i++);
  if (i < n) s4 += d(i++);
  if (i < n) s5 += d(i++);
  if (i < n) s6 += d(i++);
  return (s0 + s1 + (s2 + s3) + (s4 + s5 + (s6 + s7))) / 2;
}
