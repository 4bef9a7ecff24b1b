/**
 * What each key command does: UI commands go to the reducer, engine commands to the store
 * (which applies them to the Simulation and publishes at once, so the π* lines move immediately).
 */
import { basename, join, relative, isAbsolute } from "node:path";
import { BASELINES } from "../core/baselines.js";
import { nextPenalty } from "../core/divergences/registry.js";
import { ESTIMATOR_LIST } from "../core/estimators.js";
import type { SamplingChange } from "../core/stepper.js";
import type { SampledConfig } from "../core/steppers/sampled.js";
import { KL_IN } from "../scenario/fields.js";
import { writeFileAtomic } from "../io/atomic.js";
import { listScenarioNames, loadScenario, simConfigOf, type Scenario } from "../scenario/loader.js";
import { fieldIndex, type RecordField } from "../sim/record.js";
import { historyCsv } from "../sim/record-format.js";
import { Simulation } from "../sim/simulation.js";
import type { SimStore } from "../sim/store.js";
import type { Command } from "./keys.js";
import type { PinnedRun, UiAction, UiState } from "./state.js";
import { formatValue } from "./number-format.js";
import { MIN_WINDOW, nextWindow, windowLabel } from "./window.js";

/** Where `s` finds scenarios (tests substitute their own). */
export interface ScenarioSource {
  names(): string[];
  load(name: string): Promise<Scenario>;
}

export const SHIPPED_SCENARIOS: ScenarioSource = {
  names: () => listScenarioNames(),
  load: (name) => loadScenario(name),
};

export interface CommandContext {
  store: SimStore<Scenario>;
  state: UiState;
  dispatch: (action: UiAction) => void;
  quit: () => void;
  exportDir: string;
  scenarios: ScenarioSource;
  /** Token rows on screen and the largest scroll offset (from the token panel). */
  tokenPage: { rows: number; maxOffset: number };
  /** The same for the help's scrolling part. */
  helpPage: { rows: number; maxOffset: number };
}

/** β after `+` / `-`: × 1.25 or × 0.8, rounded to 6 digits so + then - returns exactly; + from 0 gives 0.01. */
export function nextBeta(beta: number, direction: "up" | "down"): number {
  if (direction === "up" && beta === 0) return 0.01;
  return Number((beta * (direction === "up" ? 1.25 : 0.8)).toPrecision(6));
}

/** The scenario's key in scenarios/ (its file name), used to find the next one. */
export function scenarioKey(scenario: Scenario): string {
  return basename(scenario.file).replace(/\.json$/, "");
}

export function executeCommand(command: Command, ctx: CommandContext): void {
  const { store, state, dispatch } = ctx;
  switch (command) {
    case "togglePause":
    case "slower":
    case "faster":
    case "toggleHelp":
    case "toggleFrontier":
    case "closeHelp":
      return dispatch({ type: command });
    case "step":
      if (state.paused) return store.step(1);
      return dispatch({ type: "message", text: "n steps one at a time while paused (space pauses)" });
    case "betaUp":
      return store.update((sim) => sim.setBeta(nextBeta(sim.beta, "up")));
    case "betaDown":
      return store.update((sim) => sim.setBeta(nextBeta(sim.beta, "down")));
    case "betaZero":
      return store.update((sim) => sim.setBeta(0));
    case "toggleDirection":
      return store.update((sim) => sim.setPenalty(nextPenalty(sim.penalty)));
    case "nextEstimator":
    case "toggleKlIn":
    case "nextBaseline":
      return changeSampling(command, ctx);
    case "reset":
      store.reset();
      return dispatch({ type: "message", text: "reset: back to π_ref at step 0 with the scenario's β and penalty" });
    case "zoom":
      return zoom(ctx);
    case "toggleLog":
      return dispatch({ type: "toggleLog" });
    case "togglePin":
      return dispatch(state.pinned ? { type: "unpin" } : { type: "pin", run: pinnedRun(store) });
    case "nextScenario":
      return void nextScenario(ctx);
    case "export":
      return exportHistory(ctx);
    case "scrollUp":
    case "scrollDown":
    case "pageUp":
    case "pageDown": {
      const target = state.helpOpen ? ctx.helpPage : ctx.tokenPage;
      const page = Math.max(1, target.rows - 1);
      const by = { scrollUp: -1, scrollDown: 1, pageUp: -page, pageDown: page }[command];
      return dispatch({ type: state.helpOpen ? "helpScroll" : "scroll", by, max: target.maxOffset });
    }
    case "quit":
      return ctx.quit();
  }
}

/** `z`: the next chart window (all steps → the last 10ⁿ steps → … → all), said on the message line. */
function zoom({ store, state, dispatch }: CommandContext): void {
  const sim = store.sim;
  const window = nextWindow(state.window, sim.currentStep, sim.history.stride);
  const text =
    window === null
      ? state.window === null
        ? `zoom: all steps (windows start at ${MIN_WINDOW} steps, once the run is longer)`
        : "zoom: all steps"
      : `zoom: the ${windowLabel(window)}`;
  dispatch({ type: "zoom", window, text });
}

/** Loads the scenario after the current one (in scenarios/ order) into a new Simulation. */
async function nextScenario({ store, state, dispatch, scenarios }: CommandContext): Promise<void> {
  if (state.loading) return;
  const names = scenarios.names();
  if (names.length === 0) return dispatch({ type: "message", text: "no scenarios found" });
  const name = names[(names.indexOf(state.scenario) + 1) % names.length]!;
  dispatch({ type: "loadingScenario", name });
  try {
    const scenario = await scenarios.load(name);
    store.load(new Simulation(scenario.problem, simConfigOf(scenario)), scenario);
    dispatch({ type: "scenarioLoaded", name });
  } catch (error) {
    dispatch({ type: "scenarioFailed", message: `cannot load ${name}: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** Writes the chart history as <scenario>-history.csv, atomically. */
function exportHistory({ store, dispatch, exportDir }: CommandContext): void {
  const fileName = `${store.meta.spec.name.replace(/[^\w.-]+/g, "_")}-history.csv`;
  const target = join(exportDir, fileName);
  try {
    const snap = store.sim.snapshot();
    writeFileAtomic(target, historyCsv(snap.history, snap.historyLength, store.sim.recordFields));
    const shown = relative(process.cwd(), target);
    const where = shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : target;
    dispatch({ type: "message", text: `exported ${snap.historyLength} ${snap.historyLength === 1 ? "row" : "rows"} to ${where}` });
  } catch (error) {
    dispatch({ type: "message", text: `export failed: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** k, i, b: the next estimator, the other placement, the next baseline — each a step through its registry. */
const SAMPLING_KEYS: Record<"nextEstimator" | "toggleKlIn" | "nextBaseline", (s: SampledConfig) => SamplingChange> = {
  nextEstimator: (s) => ({ estimator: ESTIMATOR_LIST[(ESTIMATOR_LIST.indexOf(s.estimator) + 1) % ESTIMATOR_LIST.length]! }),
  toggleKlIn: (s) => ({ klIn: KL_IN[(KL_IN.indexOf(s.klIn) + 1) % KL_IN.length]! }),
  nextBaseline: (s) => ({ baseline: BASELINES[(BASELINES.indexOf(s.baseline) + 1) % BASELINES.length]! }),
};

function changeSampling(command: keyof typeof SAMPLING_KEYS, { store, dispatch }: CommandContext): void {
  const settings = store.sim.sampling;
  if (!settings && store.meta.sequence) {
    return dispatch({
      type: "message",
      text: "k, i, b act on one-token training; for sequences start with --set sampling.estimator=… sampling.kl_placement=…",
    });
  }
  if (!settings) return dispatch({ type: "message", text: "k, i, b change sampled training: run with --set mode=sampled (or mode=expected)" });
  store.update((sim) => sim.configureSampling(SAMPLING_KEYS[command](settings)));
  const now = store.sim.sampling!;
  const verdict = store.sim.fixedPoint()?.optimises ?? "";
  dispatch({ type: "message", text: `${now.estimator.name} in the ${now.klIn}, baseline ${now.baseline.name}: optimises ${verdict}` });
}

/** The run on screen as a ghost: copies of its chart columns up to now (the history is reused as it runs on). */
export function pinnedRun(store: SimStore<Scenario>): PinnedRun {
  const snap = store.sim.snapshot();
  const n = snap.historyLength;
  const column = (name: RecordField) => Float64Array.from((snap.history[fieldIndex(name)] ?? new Float64Array(0)).subarray(0, n));
  return {
    label: `β ${formatValue(snap.beta)} · ${snap.penalty.short}`,
    step: column("step"),
    reward: column("reward"),
    reverseKL: column("reverse_kl"),
    forwardKL: column("forward_kl"),
  };
}
