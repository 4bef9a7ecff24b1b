import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { History } from "../../src/sim/history.js";
import { RECORD_FIELDS } from "../../src/sim/record.js";

const FIELDS = RECORD_FIELDS.length;

/** A row whose every field is a distinct function of the step, so a misplaced copy shows. */
function rowOf(step: number): Float64Array {
  const row = new Float64Array(FIELDS);
  for (let f = 0; f < FIELDS; f++) row[f] = f === 0 ? step : step * 10 + f;
  return row;
}

/**
 * What the history must hold after steps first … last were offered one by one, derived without
 * the class: the stride is the smallest power of two whose multiples in [first, last] fit the
 * capacity (a halving happens exactly when one more of them arrives at a full history), and the
 * points are those multiples.
 */
function expected(capacity: number, first: number, last: number): { stride: number; steps: number[] } {
  let stride = 1;
  const multiples = (s: number) => {
    const out: number[] = [];
    for (let step = first; step <= last; step++) if (step % s === 0) out.push(step);
    return out;
  };
  while (multiples(stride).length > capacity) stride *= 2;
  return { stride, steps: multiples(stride) };
}

function columns(history: History): number[][] {
  return RECORD_FIELDS.map((_, f) => Array.from(history.column(f)));
}

describe("History", () => {
  it("keeps every point up to its capacity, then halves evenly: 0 … 100 in 8 points is 0, 16, …, 96", () => {
    const history = new History(8);
    for (let step = 0; step <= 100; step++) history.push(step, rowOf(step));
    expect(history.stride).toBe(16); // 101 steps: multiples of 8 are 13 > 8, of 16 are 7
    expect(Array.from(history.column(0))).toEqual([0, 16, 32, 48, 64, 80, 96]);
    expect(Array.from(history.column(3))).toEqual([0, 16, 32, 48, 64, 80, 96].map((s) => s * 10 + 3));
  });

  it("starting at an odd step keeps the multiples of the stride, not every other point from the first", () => {
    const history = new History(4);
    for (let step = 3; step <= 12; step++) history.push(step, rowOf(step));
    // 3 … 12: multiples of 2 are 4, 6, 8, 10, 12 (5 > 4), of 4 are 4, 8, 12
    expect(history.stride).toBe(4);
    expect(Array.from(history.column(0))).toEqual([4, 8, 12]);
  });

  it("matches the closed form for any capacity, first step and length, offered step by step", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 700 }), (half, first, count) => {
        const capacity = 2 * half;
        const history = new History(capacity);
        const last = first + count;
        for (let step = first; step <= last; step++) history.push(step, rowOf(step));
        const want = expected(capacity, first, last);
        expect(history.stride).toBe(want.stride);
        expect(columns(history)).toEqual(RECORD_FIELDS.map((_, f) => want.steps.map((s) => rowOf(s)[f]!)));
      }),
    );
  });

  it("coarsenFor(last) then offering only the kept steps ends exactly as offering every step does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }),
        (half, first, calls) => {
          const capacity = 2 * half;
          const stepwise = new History(capacity);
          const coarse = new History(capacity);
          stepwise.push(first, rowOf(first));
          coarse.push(first, rowOf(first));
          let t = first;
          for (const n of calls) {
            coarse.coarsenFor(t + n);
            const strideBefore = coarse.stride;
            for (let step = t + 1; step <= t + n; step++) {
              stepwise.push(step, rowOf(step));
              if (step % coarse.stride === 0) coarse.push(step, rowOf(step)); // as Simulation's fast path offers
            }
            t += n;
            expect(coarse.stride).toBe(strideBefore); // nothing left to halve during the call
            expect(coarse.stride).toBe(stepwise.stride);
            expect(columns(coarse)).toEqual(columns(stepwise));
          }
          expect(coarse.stride).toBe(expected(capacity, first, t).stride);
        },
      ),
    );
  });

  it("coarsening past every point keeps none, and the next point still counts from the first step", () => {
    const history = new History(4);
    for (let step = 1; step <= 3; step++) history.push(step, rowOf(step));
    history.coarsenFor(64); // 1 … 64: multiples of 16 are 4 ≤ 4 (of 8 there would be 8)
    expect(history.stride).toBe(16);
    expect(history.length).toBe(0);
    for (let step = 4; step <= 64; step++) if (step % history.stride === 0) history.push(step, rowOf(step));
    expect(Array.from(history.column(0))).toEqual([16, 32, 48, 64]);
    history.push(80, rowOf(80)); // a fifth multiple of 16 → halves to 32, 64, then 80 is off the stride
    expect(history.stride).toBe(32);
    expect(Array.from(history.column(0))).toEqual([32, 64]);
  });
});
