/**
 * When to use a helper thread. A helper only pays when a second core is free, which on a shared
 * machine comes and goes, so the steps are timed: the helper takes part in the first PERIOD steps
 * (a helper is only offered when the machine looked idle), then PROBE steps with it, PROBE
 * without, and the faster way for the next `rest` steps — PERIOD after the helper won, doubling (up
 * to MAX_REST) each time it lost; and so on. Steps with the helper that take over three times a
 * probed step without it (the helper was descheduled) end the helper's turn early. The choice
 * changes only the speed: the results are the same bits either way.
 */
const PROBE = 64;
const PERIOD = 1024;
const MAX_REST = 64 * PERIOD;

type Stage = "probe-helper" | "probe-alone" | "helper" | "alone";

export class HelperSchedule {
  private stage: Stage = "helper";
  private left = PERIOD;
  private rest = PERIOD;
  private helperMs = 0;
  private helperSteps = 0;
  private aloneMs = 0;
  private aloneSteps = 0;

  /** Whether the next steps use the helper (at most `stepsLeft` of them belong to this turn). */
  useHelper(): boolean {
    if (this.left <= 0) this.advance();
    return this.stage !== "probe-alone" && this.stage !== "alone";
  }

  /** Steps left in the current turn (≥ 1 after `useHelper`). */
  get stepsLeft(): number {
    return this.left;
  }

  /** Books `steps` steps that took `ms` milliseconds, with or without the helper. */
  book(steps: number, ms: number, withHelper: boolean): void {
    this.left -= steps;
    if (this.stage === "probe-helper") {
      this.helperMs += ms;
      this.helperSteps += steps;
    } else if (this.stage === "probe-alone") {
      this.aloneMs += ms;
      this.aloneSteps += steps;
    } else if (this.stage === "helper" && withHelper && this.aloneSteps > 0 && ms / steps > (3 * this.aloneMs) / this.aloneSteps) {
      this.stage = "alone"; // a descheduled helper: alone for the rest of this turn
      this.rest = Math.min(2 * this.rest, MAX_REST);
    }
  }

  private advance(): void {
    switch (this.stage) {
      case "probe-helper":
        this.stage = "probe-alone";
        this.left = PROBE;
        return;
      case "probe-alone": {
        const helps = this.helperMs / this.helperSteps < (0.9 * this.aloneMs) / this.aloneSteps;
        this.rest = helps ? PERIOD : Math.min(2 * this.rest, MAX_REST);
        this.stage = helps ? "helper" : "alone";
        this.left = this.rest;
        return;
      }
      default:
        this.stage = "probe-helper";
        this.left = PROBE;
        this.helperMs = this.aloneMs = 0;
        this.helperSteps = this.aloneSteps = 0;
    }
  }
}
