/**
 * The TUI's own state (not the simulation's): paused, speed, help, the message line, which
 * scenario is on screen and the token panel's scroll. A pure reducer; the Root pushes `paused`
 * and the speed into the driver.
 */

/** Steps per frame the `[` / `]` keys move through. */
export const SPEEDS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

export interface UiState {
  paused: boolean;
  /** Index into SPEEDS. */
  speedIndex: number;
  helpOpen: boolean;
  /** The last thing a key did ("exported 2001 rows to …"), shown until replaced or expired. */
  message: string | null;
  /** Name of the scenario on screen. */
  scenario: string;
  /** Name of a scenario being loaded (`s`), or null. */
  loading: string | null;
  /** First token row shown in the token panel. */
  tokenScroll: number;
}

export type UiAction =
  | { type: "togglePause" }
  | { type: "slower" }
  | { type: "faster" }
  | { type: "toggleHelp" }
  | { type: "closeHelp" }
  /** Moves the token panel by `by` rows, kept within [0, max]. */
  | { type: "scroll"; by: number; max: number }
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
    message: null,
    scenario,
    loading: null,
    tokenScroll: 0,
  };
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
      return { ...state, helpOpen: !state.helpOpen };
    case "closeHelp":
      return state.helpOpen ? { ...state, helpOpen: false } : state;
    case "scroll": {
      const tokenScroll = Math.min(Math.max(0, state.tokenScroll + action.by), Math.max(0, action.max));
      return tokenScroll === state.tokenScroll ? state : { ...state, tokenScroll };
    }
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
