/** Penalty controllers: how β moves from one step to the next. */

export interface FixedControllerConfig {
  kind: "fixed";
}

export interface AdaptiveControllerConfig {
  kind: "adaptive";
  /** The KL (nats, in the penalty's direction) the controller steers towards; > 0. */
  target: number;
  /** Samples over which the controller closes a relative error of 1 (TRL's `horizon`); > 0. */
  horizon: number;
  /** Which KL it measures (sequence models): the sequence KL (its estimate; the default, null) or the token-mean KL verl feeds it. */
  kl?: ControllerKl | null;
}

/** The KLs an adaptive controller can steer: of whole sequences, or each sequence's per-token mean (verl). */
export const CONTROLLER_KLS = ["sequence", "token-mean"] as const;
export type ControllerKl = (typeof CONTROLLER_KLS)[number];

export interface ScheduleControllerConfig {
  kind: "schedule";
  /** A math expression of the step `t` giving β_t, e.g. `0.5*exp(-t/2000)`. */
  expr: string;
}

export type ControllerConfig = FixedControllerConfig | AdaptiveControllerConfig | ScheduleControllerConfig;

/** Adaptive KL controller (Ziegler et al. 2019; TRL's AdaptiveKLController):
 *  e = clip(KL/target − 1, −0.2, 0.2);  β ← β·(1 + e·n/horizon). */
export function adaptiveBeta(beta: number, kl: number, target: number, horizon: number, samples: number): number {
  const error = Math.min(Math.max(kl / target - 1, -0.2), 0.2);
  return beta * (1 + (error * samples) / horizon);
}

/** A controller bound to a run. `next` is called after step t with the KL it measured. */
export interface Controller {
  readonly config: ControllerConfig;
  /** Whether β stays as it is from step to step (until a user sets it): steps can then be batched. */
  readonly constant: boolean;
  /** β to use at step t (before any step: t = 0). */
  initial(beta0: number): number;
  /** β for step t + 1, given β at step t, the measured KL at step t and the samples n used. */
  next(t: number, beta: number, kl: number, samples: number): number;
  /** A user set β to `beta` at step t (TUI keys); returns the β in force now. */
  override(t: number, beta: number): number;
  reset(): void;
}

export class FixedController implements Controller {
  readonly config: FixedControllerConfig = { kind: "fixed" };
  readonly constant = true;
  initial(beta0: number): number {
    return beta0;
  }
  next(_t: number, beta: number): number {
    return beta;
  }
  override(_t: number, beta: number): number {
    return beta;
  }
  reset(): void {}
}

export class AdaptiveController implements Controller {
  readonly constant = false;
  constructor(readonly config: AdaptiveControllerConfig) {}
  initial(beta0: number): number {
    return beta0;
  }
  next(_t: number, beta: number, kl: number, samples: number): number {
    return adaptiveBeta(beta, kl, this.config.target, this.config.horizon, samples);
  }
  override(_t: number, beta: number): number {
    return beta; // adaptation continues from the user's β
  }
  reset(): void {}
}

/** β_t = scale·f(t). A user override rescales the schedule so that β is what they asked for now. */
export class ScheduleController implements Controller {
  readonly constant = false;
  private scale = 1;
  constructor(
    readonly config: ScheduleControllerConfig,
    private readonly schedule: (t: number) => number,
  ) {}
  initial(): number {
    return this.scale * this.schedule(0);
  }
  next(t: number): number {
    return this.scale * this.schedule(t + 1);
  }
  override(t: number, beta: number): number {
    const base = this.schedule(t);
    this.scale = base > 0 ? beta / base : 0;
    return this.scale * base;
  }
  reset(): void {
    this.scale = 1;
  }
}

/** `schedule` is required for the `schedule` kind: the compiled expression of t. */
export function createController(config: ControllerConfig, schedule?: (t: number) => number): Controller {
  switch (config.kind) {
    case "fixed":
      return new FixedController();
    case "adaptive":
      return new AdaptiveController(config);
    case "schedule":
      if (!schedule) throw new Error("a schedule controller needs its compiled expression");
      return new ScheduleController(config, schedule);
  }
}
