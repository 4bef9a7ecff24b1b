/**
 * The helper thread's schedule (src/engine/schedule.ts), fed made-up timings: which way each
 * turn goes, how long a losing helper waits, and that a slow part cuts the helper's turn short.
 */
import { describe, expect, it } from "vitest";
import { runnableIn } from "../../src/engine/threads.js";
import { HelperSchedule } from "../../src/engine/schedule.js";

/** Runs `steps` steps through the schedule, in the parts it asks for, each taking `msPerStep(helper)` per step. */
function drive(schedule: HelperSchedule, steps: number, msPerStep: (helper: boolean, done: number) => number): boolean[] {
  const ways: boolean[] = [];
  for (let done = 0; done < steps; ) {
    const helper = schedule.useHelper();
    const n = Math.min(schedule.stepsLeft, steps - done);
    expect(n).toBeGreaterThanOrEqual(1);
    schedule.book(n, n * msPerStep(helper, done), helper);
    for (let k = 0; k < n; k++) ways.push(helper);
    done += n;
  }
  return ways;
}

const share = (ways: boolean[], from = 0, to = ways.length) => ways.slice(from, to).filter(Boolean).length / (to - from);

describe("the helper's schedule", () => {
  it("starts with a probe, keeps the helper while it is faster, and spends only the probes' alone half without it", () => {
    const ways = drive(new HelperSchedule(), 20_000, (helper) => (helper ? 0.0035 : 0.006));
    expect(ways.slice(0, 64).every(Boolean)).toBe(true);
    expect(ways.slice(64, 128).some(Boolean)).toBe(false);
    expect(ways.slice(128, 128 + 1024).every(Boolean)).toBe(true);
    // then a probe (64 with, 64 without) every 1024 + 128 steps: 64 of every 1152 alone
    expect(share(ways)).toBeCloseTo(1 - 64 / 1152, 2);
  });

  it("goes without a helper that is slower from the start after its first probe", () => {
    const ways = drive(new HelperSchedule(), 2000, (helper) => (helper ? 0.008 : 0.006));
    expect(ways.slice(0, 64).every(Boolean)).toBe(true);
    expect(ways.slice(64, 128 + 1024).some(Boolean)).toBe(false); // the probe's alone half, then a turn alone
  });

  it("drops a helper that is slower, and waits longer each time it loses, up to a quarter of the steps so far", () => {
    const ways = drive(new HelperSchedule(), 200_000, (helper) => (helper ? 0.008 : 0.006));
    expect(share(ways, 2000)).toBeLessThan(0.02); // alone, but for the probes' helper halves
    // the runs of steps alone: a probe's alone half (64) then the turn, at most max(1024, a quarter
    // of the steps booked when it was decided, the half included), and growing
    const turns: Array<[number, number]> = [];
    for (let i = 1, start = -1; i <= ways.length; i++) {
      if (i < ways.length && !ways[i] && start < 0) start = i;
      if ((i === ways.length || ways[i]) && start >= 0) {
        turns.push([start, i - start]);
        start = -1;
      }
    }
    const restTurns = turns.filter(([, length]) => length > 64); // not the probes' alone halves
    expect(restTurns.length).toBeGreaterThan(3);
    for (const [start, length] of restTurns) expect(length).toBeLessThanOrEqual(64 + Math.max(1024, (start + 64) / 4));
    expect(restTurns[restTurns.length - 1]![1]).toBeGreaterThan(restTurns[0]![1]);
  });

  it("takes the helper back once it is fast again (a busy spell does not last the run)", () => {
    // the helper is slow for the first 5000 steps (something else had its core), fast after
    const ways = drive(new HelperSchedule(), 40_000, (helper, done) => (helper ? (done < 5000 ? 0.02 : 0.0035) : 0.006));
    expect(share(ways, 0, 5000)).toBeLessThan(0.5);
    expect(share(ways, 15_000)).toBeGreaterThan(0.9);
  });

  it("compares the fastest part of each probe: one slow part does not make the helper lose", () => {
    let parts = 0;
    const ways = drive(new HelperSchedule(), 10_000, (helper, done) => {
      // the first part of every probe with the helper is slow (the helper was descheduled)
      if (helper && done >= 1024 && done % 1152 < 16) {
        parts++;
        return 0.05;
      }
      return helper ? 0.0035 : 0.006;
    });
    expect(parts).toBeGreaterThan(0);
    expect(share(ways)).toBeGreaterThan(0.9);
  });

  it("ends the helper's turn early with a new probe when a part with it is over 3× the alone pace", () => {
    const schedule = new HelperSchedule();
    drive(schedule, 128, (helper) => (helper ? 0.0035 : 0.006)); // the first probe: the helper won
    expect(schedule.useHelper()).toBe(true);
    expect(schedule.stepsLeft).toBe(1024);
    schedule.book(10, 10 * 0.02, true); // 0.02 > 3 × 0.006
    expect(schedule.useHelper()).toBe(true); // the probe's helper half
    expect(schedule.stepsLeft).toBe(16); // a probe part
  });
});

describe("runnableIn (is a core idle right now?)", () => {
  it("reads the running count of /proc/loadavg's fourth field", () => {
    expect(runnableIn("0.89 1.01 1.08 1/85 16151\n")).toBe(1);
    expect(runnableIn("3.20 2.10 1.00 12/1043 99\n")).toBe(12);
  });

  it("is Infinity (no helper on that ground) for text it does not know", () => {
    expect(runnableIn("")).toBe(Infinity);
    expect(runnableIn("0.89 1.01 1.08 85 16151")).toBe(Infinity);
  });
});
