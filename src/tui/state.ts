/**
 * The TUI's own state (not the simulation's): paused, speed, help and its scroll, the message
 * line, which scenario is on screen, the token panel's scroll, the charts' zoom window and y-scale.
 * A pure reducer; the Root pushes `paused` and the speed into the driver.
 */

/** Steps per frame the `[` / `]` keys move through. */
export const SPEEDS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export interface UiState {
  paused: boolean;
  /** Index into SPEEDS. */
  speedIndex: number;
  helpOpen: boolean;
  /** The frontier screen (`f`) is shown instead of the charts. */
  frontierOpen: boolean;
  /** The last thing a key did ("exported 2001 rows to …"), shown until replaced or expired. */
  message: string | null;
  /** Name of the scenario on screen. */
  scenario: string;
  /** Name of a scenario being loaded (`s`), or null. */
  loading: string | null;
  /** First token row shown in the token panel. */
  tokenScroll: number;
  /** First line shown of the help's scrolling part. */
  helpScroll: number;
  /** The charts show the last `window` steps; null: all steps. */
  window: number | null;
  /** Log y-scale on the KL charts and the β strip. */
  logScale: boolean;
  /** A run pinned with `c`, drawn as a ghost under the live curves; null: none. */
  pinned: PinnedRun | null;
}

/** A run's chart history, copied when it was pinned (the live history goes on changing). */
export interface PinnedRun {
  /** What it was: "β 0.5 · reverse KL", shown in the legend's message. */
  label: string;
  step: Float64Array;
  reward: Float64Array;
  reverseKL: Float64Array;
  forwardKL: Float64Array;
}

export type UiAction =
  | { type: "togglePause" }
  | { type: "slower" }
  | { type: "faster" }
  | { type: "toggleHelp" }
  | { type: "toggleFrontier" }
  | { type: "closeHelp" }
  /** Moves the token panel by `by` rows, kept within [0, max]. */
  | { type: "scroll"; by: number; max: number }
  /** Moves the help by `by` lines, kept within [0, max]. */
  | { type: "helpScroll"; by: number; max: number }
  | { type: "zoom"; window: number | null; text: string }
  | { type: "toggleLog" }
  /** `c`: pin this run (a copy of its history), or clear the pinned one. */
  | { type: "pin"; run: PinnedRun }
  | { type: "unpin" }
  /** The driver paused itself at `step` (`--steps`). */
  | { type: "stopped"; step: number }
  | { type: "message"; text: string }
  /** Clears the message if it is still `text` (a timer expiring an old message must not clear a new one). */
  | { type: "expireMessage"; text: string }
  | { type: "loadingScenario"; name: string }
  | { type: "scenarioLoaded"; name: string }
  | { type: "scenarioFailed"; message: string };

/** The SPEEDS index closest to (not above) a steps-per-frame value. */
export function speedIndexOf(stepsPerFrame: number): number {
  let index = 0;
  SPEEDS.forEach((speed, i) => {
    if (speed <= stepsPerFrame) index = i;
  });
  return index;
}

export function stepsPerFrameOf(state: UiState): number {
  return SPEEDS[state.speedIndex] ?? 1;
}

export function initialUiState(scenario: string, options: { paused?: boolean; stepsPerFrame?: number } = {}): UiState {
  return {
    paused: options.paused ?? false,
    speedIndex: speedIndexOf(options.stepsPerFrame ?? 10),
    helpOpen: false,
    frontierOpen: false,
    message: null,
    scenario,
    loading: null,
    tokenScroll: 0,
    helpScroll: 0,
    window: null,
    logScale: false,
    pinned: null,
  };
}

/** Moves `value` by `by` within [0, max]. */
function scrolled(value: number, by: number, max: number): number {
  return Math.min(Math.max(0, value + by), Math.max(0, max));
}

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case "togglePause":
      return { ...state, paused: !state.paused };
    case "slower":
      return { ...state, speedIndex: Math.max(0, state.speedIndex - 1) };
    case "faster":
      return { ...state, speedIndex: Math.min(SPEEDS.length - 1, state.speedIndex + 1) };
    case "toggleHelp":
      return { ...state, helpOpen: !state.helpOpen, helpScroll: 0 };
    case "toggleFrontier":
      return { ...state, frontierOpen: !state.frontierOpen };
    case "closeHelp":
      // Esc closes the help first, then the frontier screen.
      if (state.helpOpen) return { ...state, helpOpen: false };
      return state.frontierOpen ? { ...state, frontierOpen: false } : state;
    case "scroll": {
      const tokenScroll = scrolled(state.tokenScroll, action.by, action.max);
      return tokenScroll === state.tokenScroll ? state : { ...state, tokenScroll };
    }
    case "helpScroll": {
      const helpScroll = scrolled(state.helpScroll, action.by, action.max);
      return helpScroll === state.helpScroll ? state : { ...state, helpScroll };
    }
    case "zoom":
      return { ...state, window: action.window, message: action.text };
    case "toggleLog":
      return { ...state, logScale: !state.logScale, message: state.logScale ? "linear y-scale" : "log y-scale on the KL charts and β(t)" };
    case "pin":
      return { ...state, pinned: action.run, message: `pinned: ${action.run.label} (c again clears it)` };
    case "unpin":
      return { ...state, pinned: null, message: "ghost run cleared" };
    case "stopped":
      return { ...state, paused: true, message: `paused at step ${action.step} (--steps); space runs on` };
    case "message":
      return { ...state, message: action.text };
    case "expireMessage":
      return state.message === action.text ? { ...state, message: null } : state;
    case "loadingScenario":
      return { ...state, loading: action.name, message: `loading ${action.name}…` };
    case "scenarioLoaded":
      return { ...state, scenario: action.name, loading: null, tokenScroll: 0, message: `scenario ${action.name}` };
    case "scenarioFailed":
      return { ...state, loading: null, message: action.message };
  }
}
