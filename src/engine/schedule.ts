/**
 * When to use a helper thread. A helper only pays when a second core is free, which on a shared
 * machine comes and goes, so the steps are timed. A run starts with a probe (at start-up the JIT
 * compiler's threads often hold the other core), and every so often PROBE steps run with the
 * helper and PROBE without, each in a few timed parts; the faster way wins the next turn: PERIOD
 * steps after the helper won, doubling each time it lost, up to MAX_REST and to a quarter of the
 * steps so far (so a helper slowed for a while costs the run at most a quarter of its time before
 * it is tried again). The probes compare the fastest part of each way, so one part slowed by
 * something else on the machine (a compiler or GC thread taking the helper's core for a moment)
 * does not decide. A part with the helper that takes over three times the fastest part without it
 * ends the helper's turn early with a new probe. The choice changes only the speed: the results
 * are the same bits either way.
 */
const PROBE = 64;
const PROBE_PARTS = 4;
const PERIOD = 1024;
const MAX_REST = 64 * PERIOD;

type Stage = "probe-helper" | "probe-alone" | "helper" | "alone";

export class HelperSchedule {
  private stage: Stage = "probe-helper"; // no timing yet: measure both ways first
  private left = PROBE;
  private rest = PERIOD;
  /** The fastest probed part of each way, in ms per step (Infinity before any). */
  private helperBest = Infinity;
  private aloneBest = Infinity;
  /** Steps booked so far. */
  private total = 0;

  /** Whether the next steps use the helper (at most `stepsLeft` of them belong to this turn). */
  useHelper(): boolean {
    if (this.left <= 0) this.advance();
    return this.stage !== "probe-alone" && this.stage !== "alone";
  }

  /** How many steps to time together now (≥ 1 after `useHelper`): a probe's part, or the rest of the turn. */
  get stepsLeft(): number {
    return this.stage === "probe-helper" || this.stage === "probe-alone" ? Math.min(this.left, PROBE / PROBE_PARTS) : this.left;
  }

  /** Books `steps` steps that took `ms` milliseconds, with or without the helper. */
  book(steps: number, ms: number, withHelper: boolean): void {
    this.left -= steps;
    this.total += steps;
    const perStep = ms / steps;
    if (this.stage === "probe-helper") this.helperBest = Math.min(this.helperBest, perStep);
    else if (this.stage === "probe-alone") this.aloneBest = Math.min(this.aloneBest, perStep);
    else if (this.stage === "helper" && withHelper && perStep > 3 * this.aloneBest) this.left = 0; // probe again now
  }

  private advance(): void {
    switch (this.stage) {
      case "probe-helper":
        this.stage = "probe-alone";
        this.left = PROBE;
        this.aloneBest = Infinity;
        return;
      case "probe-alone": {
        const helps = this.helperBest < 0.9 * this.aloneBest;
        this.rest = helps ? PERIOD : Math.min(2 * this.rest, MAX_REST, Math.max(PERIOD, Math.floor(this.total / 4)));
        this.stage = helps ? "helper" : "alone";
        this.left = this.rest;
        return;
      }
      default:
        this.stage = "probe-helper";
        this.left = PROBE;
        this.helperBest = Infinity;
    }
  }
}
