/**
 * The snapshot store that views read the Simulation through. A driver steps the simulation on
 * its own timer (`stepsPerFrame` steps per tick, ~30 ticks a second) and publishes
 * `sim.snapshot()` to subscribers at most once per tick, so the engine never waits on a view
 * and a view never steps the engine. Fits React's `useSyncExternalStore` (subscribe/getSnapshot).
 */
import { appendChanges, readSettings, type SettingChange } from "./change-log.js";
import type { SimSnapshot, Simulation } from "./simulation.js";

/** What a subscriber sees: the simulation's picture plus the driver's own numbers. */
export interface StoreFrame<Meta> {
  sim: SimSnapshot;
  /** Whatever the owner attached to this simulation (the TUI attaches its Scenario). */
  meta: Meta;
  /** Steps per second actually achieved, measured by the driver (0 while paused). */
  stepsPerSecond: number;
  paused: boolean;
  stepsPerFrame: number;
  /** A step failed: the simulation's divergence message, or an unexpected error's. */
  failure: string | null;
  /** β, penalty and estimator changes made through `update` since the start or the last reset, in step order. */
  changes: readonly SettingChange[];
  /** log π per token at the snapshot's step (θ − logsumexp θ for the softmax; never the log of a probability); null when the family does not give it. */
  logPolicy: Float64Array | null;
  /** How many times the driver has paused itself at `stopAt`. */
  stops: number;
}

export interface SimStoreOptions {
  stepsPerFrame?: number;
  paused?: boolean;
  /** Tick period; also the minimum time between publishes (default 1000/30 ms). */
  frameMs?: number;
  /** Stop a tick's stepping after this long so key presses stay responsive (default 100 ms). */
  budgetMs?: number;
  /** Clock for the steps/s measurement (tests inject a fake one). */
  now?: () => number;
  /** Pause on reaching this step (`klsim tui --steps N`); again after a reset or on the next scenario. */
  stopAt?: number;
}

// Steps/s is averaged over windows this long, so the number is steady enough to read.
const RATE_WINDOW_MS = 500;
// Steps are run in chunks between budget checks: at most 16, and about this much work (a sampled step with a big batch is dear).
const CHUNK = 16;
const CHUNK_WORK = 1_000_000;

export class SimStore<Meta> {
  private simulation: Simulation;
  private attached: Meta;
  private frame: StoreFrame<Meta>;
  private readonly listeners = new Set<() => void>();
  private readonly frameMs: number;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private isPaused: boolean;
  private perFrame: number;
  private error: string | null = null;
  private dirty = false;
  private lastPublish = -Infinity;
  private windowStart: number;
  private windowSteps = 0;
  private rate = 0;
  private changeLog: readonly SettingChange[] = [];
  private readonly stopAt: number | undefined;
  private stopCount = 0;
  private logPolicyOf: { snap: SimSnapshot; logPolicy: Float64Array | null } | null = null;

  constructor(sim: Simulation, meta: Meta, options: SimStoreOptions = {}) {
    this.simulation = sim;
    this.attached = meta;
    this.perFrame = Math.max(1, Math.floor(options.stepsPerFrame ?? 1));
    this.isPaused = options.paused ?? false;
    this.frameMs = options.frameMs ?? 1000 / 30;
    this.budgetMs = options.budgetMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.stopAt = options.stopAt;
    this.windowStart = this.now();
    this.frame = this.buildFrame();
  }

  get sim(): Simulation {
    return this.simulation;
  }
  get meta(): Meta {
    return this.attached;
  }
  get paused(): boolean {
    return this.isPaused;
  }
  get stepsPerFrame(): number {
    return this.perFrame;
  }
  /** True while the driver's timer is running. */
  get running(): boolean {
    return this.timer !== null;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StoreFrame<Meta> => this.frame;

  /** Starts ticking on a timer; `stop` (or the owner's exit path) must end it. */
  start(): void {
    if (this.timer) return;
    this.timer = setTimeout(this.loop, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One frame: `stepsPerFrame` steps unless paused or failed, then publish if anything changed. */
  tick(): void {
    if (!this.isPaused) this.advance(this.perFrame, this.budgetMs);
    this.measure();
    this.publishIfDirty(true);
  }

  /** Exactly `n` steps now, paused or not (the TUI's `n`). */
  step(n = 1): void {
    this.advance(n, Infinity);
    this.changed();
  }

  setPaused(paused: boolean): void {
    if (paused === this.isPaused) return;
    this.isPaused = paused;
    this.restartRateWindow();
    this.changed();
  }

  setStepsPerFrame(n: number): void {
    const value = Math.max(1, Math.floor(n));
    if (value === this.perFrame) return;
    this.perFrame = value;
    this.changed();
  }

  /** Applies a change to the simulation (β, direction) and publishes it; a changed β, penalty or estimator is logged at the current step. */
  update(change: (sim: Simulation) => void): void {
    const sim = this.simulation;
    const before = readSettings(sim);
    const step = sim.currentStep;
    try {
      change(sim);
    } finally {
      if (sim === this.simulation) this.changeLog = appendChanges(this.changeLog, before, readSettings(sim), step);
      this.error = null; // other changes give a failed run another chance
      this.changed();
    }
  }

  /** Back to π_ref at step 0 with the scenario's settings; clears a failure and the change log. */
  reset(): void {
    try {
      this.simulation.reset();
    } finally {
      this.changeLog = [];
      this.error = null;
      this.changed();
    }
  }

  /** Swaps in another simulation (the next scenario); the old one is dropped. */
  load(sim: Simulation, meta: Meta): void {
    this.simulation = sim;
    this.attached = meta;
    this.changeLog = [];
    this.error = null;
    this.restartRateWindow();
    this.changed();
  }

  private loop = (): void => {
    const started = this.now();
    this.tick();
    if (!this.timer) return; // stopped by a subscriber during the tick
    // Aim for a steady frame rate, but always yield to I/O (keys, rendering) between ticks.
    const spent = this.now() - started;
    this.timer = setTimeout(this.loop, Math.max(1, this.frameMs - spent));
  };

  private advance(steps: number, budgetMs: number): void {
    const sim = this.simulation;
    if (sim.failed || this.error) return;
    const started = this.now();
    const from = sim.currentStep;
    const stop = this.stopAt !== undefined && from < this.stopAt ? this.stopAt : undefined;
    const n = stop === undefined ? steps : Math.min(steps, stop - from);
    let done = 0;
    try {
      while (done < n) {
        const ran = sim.step(Math.min(CHUNK, sim.stepsFor(CHUNK_WORK), n - done));
        if (ran === 0) break;
        done += ran;
        if (this.now() - started > budgetMs) break;
      }
    } catch (error) {
      // A DivergenceError has already marked the simulation failed; anything else is kept here.
      if (!sim.failed) this.error = error instanceof Error ? error.message : String(error);
    }
    this.windowSteps += done;
    this.dirty = true;
    if (stop !== undefined && sim.currentStep >= stop) {
      this.isPaused = true;
      this.stopCount++;
      this.restartRateWindow();
    }
  }

  private measure(): void {
    const elapsed = this.now() - this.windowStart;
    if (elapsed < RATE_WINDOW_MS) return;
    const rate = this.isPaused ? 0 : (this.windowSteps * 1000) / elapsed;
    if (rate !== this.rate) this.dirty = true;
    this.rate = rate;
    this.windowStart += elapsed;
    this.windowSteps = 0;
  }

  private restartRateWindow(): void {
    this.windowStart = this.now();
    this.windowSteps = 0;
    if (this.isPaused) this.rate = 0;
  }

  /** Something visible changed: publish now unless a publish happened within the last frame. */
  private changed(): void {
    this.dirty = true;
    this.publishIfDirty(!this.timer || this.now() - this.lastPublish >= this.frameMs);
  }

  private publishIfDirty(allowed: boolean): void {
    if (!this.dirty || !allowed) return;
    this.dirty = false;
    this.lastPublish = this.now();
    this.frame = this.buildFrame();
    for (const listener of [...this.listeners]) listener();
  }

  private buildFrame(): StoreFrame<Meta> {
    const sim = this.simulation.snapshot();
    return {
      sim,
      meta: this.attached,
      stepsPerSecond: this.rate,
      paused: this.isPaused,
      stepsPerFrame: this.perFrame,
      failure: sim.failure ?? this.error,
      changes: this.changeLog,
      logPolicy: this.logPolicyFor(sim),
      stops: this.stopCount,
    };
  }

  /** log π per token for a snapshot (the family's, never the log of a probability), once per snapshot: O(V), like the snapshot's copy of π. */
  private logPolicyFor(snap: SimSnapshot): Float64Array | null {
    const cached = this.logPolicyOf;
    if (cached && cached.snap === snap) return cached.logPolicy;
    const family = this.simulation.family;
    let logPolicy: Float64Array | null = null;
    if (family.tokenLogProbabilities) {
      logPolicy = new Float64Array(family.vocab);
      family.tokenLogProbabilities(logPolicy);
    }
    this.logPolicyOf = { snap, logPolicy };
    return logPolicy;
  }
}
