import { afterEach, describe, expect, it, vi } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { makeProblem } from "../../src/core/problem.js";
import { Simulation, type SimConfig } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";

const config: SimConfig = { penalty: divergenceNamed("reverse"), beta: 0.5, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 1 } };
const basicSim = () => new Simulation(makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]), config);
/** A huge reward and learning rate: the first step's logits overflow. */
const divergingSim = () => new Simulation(makeProblem([0.5, 0.5], [1e300, 0]), { ...config, beta: 0, optimizer: { kind: "sgd", lr: 1e300 } });

/** A clock the test moves by hand. */
function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SimStore", () => {
  it("steps stepsPerFrame per tick and publishes the new snapshot to subscribers", () => {
    const store = new SimStore(basicSim(), "basic", { stepsPerFrame: 5 });
    const seen: number[] = [];
    store.subscribe(() => seen.push(store.getSnapshot().sim.step));
    store.tick();
    store.tick();
    expect(seen).toEqual([5, 10]);
    expect(store.sim.currentStep).toBe(10);
    expect(store.getSnapshot().meta).toBe("basic");
  });

  it("returns the same frame object until something changes (useSyncExternalStore needs this)", () => {
    const store = new SimStore(basicSim(), null, { paused: true });
    const first = store.getSnapshot();
    store.tick(); // paused: nothing to publish
    expect(store.getSnapshot()).toBe(first);
    store.step(1);
    expect(store.getSnapshot()).not.toBe(first);
    expect(store.getSnapshot().sim.step).toBe(1);
  });

  it("does not step while paused, but `step` does", () => {
    const store = new SimStore(basicSim(), null, { paused: true, stepsPerFrame: 100 });
    store.tick();
    expect(store.sim.currentStep).toBe(0);
    store.step(3);
    expect(store.sim.currentStep).toBe(3);
    store.setPaused(false);
    store.tick();
    expect(store.sim.currentStep).toBe(103);
  });

  it("publishes a change to β at once, with the optimum for the new β", () => {
    const store = new SimStore(basicSim(), null, { paused: true });
    const before = store.getSnapshot().sim.optimum.metrics.reward;
    store.update((sim) => sim.setBeta(0.625));
    const frame = store.getSnapshot();
    expect(frame.sim.beta).toBe(0.625);
    expect(frame.sim.optimum.beta).toBe(0.625);
    // A larger penalty keeps π* closer to uniform: lower optimal reward.
    expect(frame.sim.optimum.metrics.reward).toBeLessThan(before);
  });

  it("measures steps per second with its clock, and reports 0 while paused", () => {
    const clock = fakeClock();
    const store = new SimStore(basicSim(), null, { stepsPerFrame: 10, now: clock.now });
    for (let k = 0; k < 30; k++) {
      clock.advance(1000 / 30);
      store.tick();
    }
    // 300 steps in one second.
    expect(store.getSnapshot().stepsPerSecond).toBeCloseTo(300, 6);
    store.setPaused(true);
    clock.advance(600);
    store.tick();
    expect(store.getSnapshot().stepsPerSecond).toBe(0);
  });

  it("stops stepping a tick when the time budget runs out", () => {
    const clock = fakeClock();
    const sim = basicSim();
    const step = sim.step.bind(sim);
    // Each call takes 10 ms of fake time; the budget is 25 ms.
    vi.spyOn(sim, "step").mockImplementation((n?: number) => {
      clock.advance(10);
      return step(n);
    });
    const store = new SimStore(sim, null, { stepsPerFrame: 10_000, budgetMs: 25, now: clock.now });
    store.tick();
    expect(sim.currentStep).toBeGreaterThan(0);
    expect(sim.currentStep).toBeLessThan(10_000);
  });

  it("turns a divergence into a failure message and stops stepping", () => {
    const store = new SimStore(divergingSim(), null, { stepsPerFrame: 10 });
    expect(() => store.tick()).not.toThrow();
    const frame = store.getSnapshot();
    expect(frame.failure).toMatch(/^diverged at step 1: /);
    const stoppedAt = frame.sim.step;
    store.tick();
    store.step(5);
    expect(store.getSnapshot().sim.step).toBe(stoppedAt);
  });

  it("swaps in a new simulation with load", () => {
    const store = new SimStore(basicSim(), "basic", { paused: true });
    store.step(5);
    const next = divergingSim();
    store.load(next, "other");
    expect(store.sim).toBe(next);
    expect(store.getSnapshot()).toMatchObject({ meta: "other", failure: null });
    expect(store.getSnapshot().sim.policy).toHaveLength(2);
  });

  it("ticks on its own timer about 30 times a second and publishes at most once per tick", async () => {
    vi.useFakeTimers();
    const store = new SimStore(basicSim(), null, { stepsPerFrame: 2 });
    let publishes = 0;
    store.subscribe(() => publishes++);
    store.start();
    expect(store.running).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    store.stop();
    expect(store.running).toBe(false);
    // ~30 ticks of 2 steps (timer granularity allows a little slack).
    expect(store.sim.currentStep).toBeGreaterThanOrEqual(2 * 28);
    expect(store.sim.currentStep).toBeLessThanOrEqual(2 * 31);
    expect(publishes).toBeLessThanOrEqual(31);
    const step = store.sim.currentStep;
    await vi.advanceTimersByTimeAsync(500);
    expect(store.sim.currentStep).toBe(step); // stopped means stopped
  });

  it("while running, rapid changes are coalesced into the next frame", async () => {
    vi.useFakeTimers();
    const store = new SimStore(basicSim(), null, { paused: true });
    let publishes = 0;
    store.subscribe(() => publishes++);
    store.start();
    await vi.advanceTimersByTimeAsync(50);
    publishes = 0;
    for (let k = 0; k < 20; k++) store.update((sim) => sim.setBeta(0.1 * (k + 1)));
    expect(publishes).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(40);
    store.stop();
    expect(publishes).toBeLessThanOrEqual(2);
    expect(store.getSnapshot().sim.beta).toBeCloseTo(2, 12); // the last change is what is shown
  });

  it("logs a β or penalty change made through update at the step it was made; reset and load clear the log", () => {
    const store = new SimStore(basicSim(), null, { paused: true });
    store.step(40);
    store.update((sim) => sim.setBeta(0.625));
    store.step(10);
    store.update((sim) => sim.setPenalty(divergenceNamed("forward")));
    store.update((sim) => sim.setBeta(0.625)); // no change: nothing logged
    expect(store.getSnapshot().changes).toEqual([
      { step: 40, setting: "beta", from: "0.5", to: "0.625" },
      { step: 50, setting: "penalty", from: "reverse", to: "forward" },
    ]);
    store.reset();
    expect(store.getSnapshot().changes).toEqual([]); // the reset's own return to β 0.5 is not a key change
    expect(store.sim.beta).toBe(0.5);
    store.update((sim) => sim.setBeta(1));
    expect(store.getSnapshot().changes).toHaveLength(1);
    store.load(basicSim(), null);
    expect(store.getSnapshot().changes).toEqual([]);
  });

  it("with stopAt, pauses exactly at that step, runs on when resumed, and stops there again after a reset", () => {
    const store = new SimStore(basicSim(), null, { stepsPerFrame: 10, stopAt: 25 });
    store.tick();
    store.tick();
    expect(store.sim.currentStep).toBe(20);
    store.tick(); // 10 more would pass 25: only 5 run
    expect(store.sim.currentStep).toBe(25);
    expect(store.paused).toBe(true);
    expect(store.getSnapshot()).toMatchObject({ paused: true, stops: 1 });
    store.tick();
    expect(store.sim.currentStep).toBe(25);
    store.setPaused(false);
    store.tick();
    expect(store.sim.currentStep).toBe(35);
    expect(store.getSnapshot().stops).toBe(1);
    store.reset();
    store.step(30); // `n` steps stop there too
    expect(store.sim.currentStep).toBe(25);
    expect(store.getSnapshot().stops).toBe(2);
  });

  it("publishes log π = θ − logZ: at basic's optimum (β 0.5) log π_good = log(e²/(e² + 3))", () => {
    for (const engine of ["fast", "plain"] as const) {
      const store = new SimStore(new Simulation(makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]), { ...config, engine }), null, { paused: true });
      store.step(3000);
      const { logPolicy, sim } = store.getSnapshot();
      if (!logPolicy) throw new Error("the softmax family gives log π");
      const e2 = Math.exp(2);
      // π* ∝ π_ref·exp(r/β): e² for 'good', 1 for the others, over e² + 3.
      expect(logPolicy[0]).toBeCloseTo(Math.log(e2 / (e2 + 3)), 10);
      for (const i of [1, 2, 3]) expect(logPolicy[i]).toBeCloseTo(Math.log(1 / (e2 + 3)), 10);
      for (let i = 0; i < 4; i++) expect(Math.exp(logPolicy[i]!)).toBeCloseTo(sim.policy[i]!, 14);
    }
  });
});
