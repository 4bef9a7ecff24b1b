import { describe, expect, it } from "vitest";
import { initialUiState, SPEEDS, speedIndexOf, stepsPerFrameOf, uiReducer, type UiAction, type UiState } from "../../src/tui/state.js";

const start = initialUiState("basic");
const run = (state: UiState, ...actions: UiAction[]) => actions.reduce(uiReducer, state);

describe("uiReducer", () => {
  it("starts running at 10 steps per frame with no help, message or scroll", () => {
    expect(start).toMatchObject({ paused: false, helpOpen: false, message: null, scenario: "basic", loading: null, tokenScroll: 0 });
    expect(stepsPerFrameOf(start)).toBe(10);
    expect(stepsPerFrameOf(initialUiState("x", { paused: true, stepsPerFrame: 500 }))).toBe(500);
    expect(initialUiState("x", { paused: true }).paused).toBe(true);
  });

  it("toggles pause and help", () => {
    expect(run(start, { type: "togglePause" }).paused).toBe(true);
    expect(run(start, { type: "togglePause" }, { type: "togglePause" }).paused).toBe(false);
    expect(run(start, { type: "toggleHelp" }).helpOpen).toBe(true);
    expect(run(start, { type: "toggleHelp" }, { type: "closeHelp" }).helpOpen).toBe(false);
    expect(run(start, { type: "closeHelp" })).toBe(start); // nothing to close: same object, no re-render
  });

  it("walks the speed list 1, 2, 5, 10, … 10000 and stops at both ends", () => {
    // the 1-2-5 series the help promises: each entry 1, 2 or 5 times a power of ten, from 1 to 10 000, none skipped
    const series = [0, 1, 2, 3, 4].flatMap((k) => [1, 2, 5].map((m) => m * 10 ** k)).filter((x) => x <= 10_000);
    expect([...SPEEDS]).toEqual(series);
    expect(stepsPerFrameOf(run(start, { type: "faster" }))).toBe(20);
    expect(stepsPerFrameOf(run(start, { type: "slower" }, { type: "slower" }))).toBe(2);
    const slowest = run(start, ...Array<UiAction>(20).fill({ type: "slower" }));
    expect(stepsPerFrameOf(slowest)).toBe(1);
    const fastest = run(start, ...Array<UiAction>(20).fill({ type: "faster" }));
    expect(stepsPerFrameOf(fastest)).toBe(10000);
  });

  it("maps a steps-per-frame value to the closest speed not above it", () => {
    expect(speedIndexOf(1)).toBe(0);
    expect(speedIndexOf(7)).toBe(2); // 5
    expect(speedIndexOf(1e9)).toBe(SPEEDS.length - 1);
  });

  it("keeps the token scroll within [0, max]", () => {
    expect(run(start, { type: "scroll", by: 3, max: 10 }).tokenScroll).toBe(3);
    expect(run(start, { type: "scroll", by: 30, max: 10 }).tokenScroll).toBe(10);
    expect(run(start, { type: "scroll", by: 5, max: 10 }, { type: "scroll", by: -9, max: 10 }).tokenScroll).toBe(0);
    expect(run(start, { type: "scroll", by: -1, max: 10 })).toBe(start);
  });

  it("expires a message only if it is still the one shown", () => {
    const shown = run(start, { type: "message", text: "exported 3 rows to a.csv" });
    expect(shown.message).toBe("exported 3 rows to a.csv");
    expect(run(shown, { type: "expireMessage", text: "exported 3 rows to a.csv" }).message).toBeNull();
    const replaced = run(shown, { type: "message", text: "newer" });
    expect(run(replaced, { type: "expireMessage", text: "exported 3 rows to a.csv" }).message).toBe("newer");
  });

  it("tracks loading a scenario, then shows the new one from the top of its token list", () => {
    const loading = run(start, { type: "scroll", by: 4, max: 10 }, { type: "loadingScenario", name: "mode-seeking" });
    expect(loading.loading).toBe("mode-seeking");
    expect(loading.scenario).toBe("basic");
    const loaded = run(loading, { type: "scenarioLoaded", name: "mode-seeking" });
    expect(loaded).toMatchObject({ scenario: "mode-seeking", loading: null, tokenScroll: 0 });
    const failed = run(loading, { type: "scenarioFailed", message: "cannot load mode-seeking: boom" });
    expect(failed).toMatchObject({ scenario: "basic", loading: null, message: "cannot load mode-seeking: boom" });
  });

  it("never mutates the state it is given", () => {
    const frozen = Object.freeze({ ...start });
    expect(() => run(frozen, { type: "togglePause" }, { type: "faster" }, { type: "message", text: "x" })).not.toThrow();
    expect(frozen.paused).toBe(false);
  });

  it("scrolls the help within its bounds, from the top each time it opens; keeps the zoom window and y-scale", () => {
    const open = run(start, { type: "toggleHelp" }, { type: "helpScroll", by: 5, max: 3 });
    expect(open.helpScroll).toBe(3);
    expect(run(open, { type: "helpScroll", by: -10, max: 3 }).helpScroll).toBe(0);
    expect(run(open, { type: "toggleHelp" }, { type: "toggleHelp" }).helpScroll).toBe(0);
    const zoomed = run(start, { type: "zoom", window: 1000, text: "zoom: the last 1 000 steps" }, { type: "toggleLog" });
    expect(zoomed).toMatchObject({ window: 1000, logScale: true });
    expect(run(zoomed, { type: "toggleLog" }).logScale).toBe(false);
  });

  it("follows the driver when it pauses itself at --steps N", () => {
    expect(run(start, { type: "stopped", step: 25 })).toMatchObject({ paused: true, message: "paused at step 25 (--steps); space runs on" });
  });
});
