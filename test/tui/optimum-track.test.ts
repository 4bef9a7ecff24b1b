import { describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { metricsOf } from "../../src/core/metrics.js";
import { makeProblem } from "../../src/core/problem.js";
import { Simulation } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";
import { optimumTrack, type TrackInput } from "../../src/tui/optimum-track.js";

// basic: π_ref uniform over 4 tokens, r = (1, 0, 0, 0), so E_π*[r] = π*_good.
const basicProblem = () => makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]);
/** Reverse KL: π* ∝ π_ref·exp(r/β), so π*_good = e^{1/β}/(e^{1/β} + 3). */
const reverseGood = (beta: number) => Math.exp(1 / beta) / (Math.exp(1 / beta) + 3);
/**
 * Forward KL: π*_i = β·π_ref,i/(λ − r_i) with Σπ* = 1: β/(4(λ − 1)) + 3β/(4λ) = 1, i.e.
 * 4λ² − (4 + 4β)λ + 3β = 0, whose root above 1 gives π*_good = β/(4(λ − 1)).
 */
const forwardGood = (beta: number) => {
  const lambda = (4 + 4 * beta + Math.sqrt((4 + 4 * beta) ** 2 - 48 * beta)) / 8;
  return beta / (4 * (lambda - 1));
};

describe("optimumTrack", () => {
  it("follows the β and penalty in force at each step: a β change at 50, a penalty change at 100 (both ways to find them)", () => {
    const store = new SimStore(
      new Simulation(basicProblem(), { penalty: divergenceNamed("reverse"), beta: 0.5, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 1 } }),
      null,
      {
        paused: true,
      },
    );
    store.step(50);
    store.update((sim) => sim.setBeta(0.625));
    store.step(50);
    store.update((sim) => sim.setPenalty(divergenceNamed("forward")));
    store.step(50);
    const { sim: snap, changes } = store.getSnapshot();
    const input = {
      problem: store.sim.problem,
      steps: snap.history[0]!,
      betas: snap.history[1]!,
      length: snap.historyLength,
      step: snap.step,
      beta: snap.beta,
      penalty: snap.penalty,
      current: snap.optimum.metrics,
      changes,
      range: [0, 150] as const,
      resolution: 300, // more points than steps: every step is a point
      budgetMs: Infinity,
    };
    // As a controller would: β read off the history at every step, the penalty from the log.
    const grid = optimumTrack({ ...input, betaVaries: true });
    expect(grid.complete).toBe(true);
    expect(grid.steps).toEqual(Array.from({ length: 151 }, (_, s) => s));
    grid.steps.forEach((s, k) => {
      const expected = s <= 50 ? reverseGood(0.5) : s <= 100 ? reverseGood(0.625) : forwardGood(0.625);
      expect(grid.metrics[k]!.reward, `step ${s}`).toBeCloseTo(expected, 12);
    });
    // With a fixed controller, from the log alone: the ends, and both sides of each change.
    const steps = optimumTrack({ ...input, betaVaries: false });
    expect(steps.steps).toEqual([0, 50, 50, 100, 100, 150]);
    const expected = [reverseGood(0.5), reverseGood(0.5), reverseGood(0.625), reverseGood(0.625), forwardGood(0.625), forwardGood(0.625)];
    steps.metrics.forEach((m, k) => expect(m.reward, `point ${k}`).toBeCloseTo(expected[k]!, 12));
    // A window that starts after the β change: what was in force at its start.
    const late = optimumTrack({ ...input, range: [60, 150], betaVaries: false });
    expect(late.steps).toEqual([60, 100, 100, 150]);
    expect(late.metrics[0]!.reward).toBeCloseTo(reverseGood(0.625), 12);
    expect(forwardGood(0.5)).toBeCloseTo(0.683013, 6); // the README's `klsim optimum basic --penalty forward`
  });

  /** A made-up history of `n` steps whose β is different at every step (as under an adaptive controller). */
  function adaptiveHistory(n: number): Omit<TrackInput, "range" | "resolution" | "budgetMs" | "now" | "betaVaries"> {
    const problem = basicProblem();
    const steps = Float64Array.from({ length: n + 1 }, (_, s) => s);
    const betas = Float64Array.from(steps, (s) => 0.2 + 0.001 * s);
    const beta = betas[n]!;
    return {
      problem,
      steps,
      betas,
      length: n + 1,
      step: n,
      beta,
      penalty: divergenceNamed("reverse"),
      current: metricsOf(problem, [0.25, 0.25, 0.25, 0.25], divergenceNamed("reverse"), beta),
      changes: [],
    };
  }

  it("spends its budget on new (penalty, β) pairs, coarse grid points first, and fills in over later frames", () => {
    const history = adaptiveHistory(1000);
    let clock = 0;
    const now = () => clock++; // each optimum takes 1 ms by this clock (two readings)
    const run = (budgetMs: number) => {
      const input = { ...history, range: [0, 1000] as const, resolution: 100, budgetMs, now, betaVaries: true };
      const tracks = [optimumTrack(input)];
      while (!tracks[tracks.length - 1]!.complete) tracks.push(optimumTrack(input));
      return tracks;
    };
    // 100 points over 1000 steps: grid spacing 16 (the smallest power of two ≥ 10), 63 points to compute.
    const grid = Array.from({ length: 63 }, (_, k) => 16 * k); // 0, 16, …, 992
    const oneMs = run(1); // one optimum a frame
    expect(oneMs).toHaveLength(grid.length);
    expect(oneMs[0]!.steps).toEqual([0, 1000]); // step 0's first: the coarsest grid point
    expect(oneMs[0]!.metrics[0]!.reward).toBeCloseTo(reverseGood(0.2), 12);
    expect(oneMs[1]!.steps).toEqual([0, 512, 1000]); // then the next coarsest
    const track = oneMs[oneMs.length - 1]!;
    expect(track.steps).toEqual([...grid, 1000]);
    grid.forEach((s, k) => expect(track.metrics[k]!.reward).toBeCloseTo(reverseGood(0.2 + 0.001 * s), 12));
    // An optimum that takes twice the budget runs every other frame: the average stays within it.
    const history2 = adaptiveHistory(1000);
    const halfMs = (() => {
      const input = { ...history2, range: [0, 1000] as const, resolution: 100, budgetMs: 0.5, now, betaVaries: true };
      let frames = 1;
      while (!optimumTrack(input).complete) frames++;
      return frames;
    })();
    expect(halfMs).toBe(2 * grid.length - 1);
  });

  it("keeps its points when the steps per point double (the run doubles at a fixed width): the coarser grid is a subset", () => {
    const history = adaptiveHistory(2000);
    let readings = 0;
    const now = () => readings++;
    optimumTrack({ ...history, range: [0, 2000], resolution: 200, budgetMs: Infinity, now, betaVaries: true }); // 10 steps a point: grid 16
    expect(readings).toBeGreaterThan(0);
    readings = 0;
    const coarser = optimumTrack({ ...history, range: [0, 2000], resolution: 100, budgetMs: Infinity, now, betaVaries: true }); // 20: grid 32
    expect(coarser.complete).toBe(true);
    expect(coarser.steps).toEqual([...Array.from({ length: 63 }, (_, k) => 32 * k), 2000]);
    expect(readings).toBe(0); // the clock is read only when some point is missing
  });
});
