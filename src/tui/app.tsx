/**
 * `klsim tui`: the live terminal UI. The CLI loads this file only through `await import()`, and
 * this file loads ink, react and the components lazily too, after choosing React's production
 * build. One exit path: q / Ctrl+C call ink's exit(), a stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) unmounts; either way ink
 * restores the cursor and raw mode, then we leave the alternate screen so the prompt comes back clean.
 */
import { onStopSignals, signalExitCode } from "../io/signals.js";
import { simConfigOf, type Scenario } from "../scenario/loader.js";
import { Simulation } from "../sim/simulation.js";
import { SimStore } from "../sim/store.js";
import { SPEEDS } from "./state.js";

const ENTER_ALT_SCREEN = "\u001b[?1049h\u001b[H";
const LEAVE_ALT_SCREEN = "\u001b[?1049l";
// 10 steps per frame (~300 steps/s): fast enough to see convergence, slow enough to watch it.
const START_SPEED = SPEEDS[3] ?? 10;
// ink renders at most this often: far above the store's 30 publishes a second, so a frame is painted when it is published.
const RENDER_FPS_CAP = 120;

export interface TuiOptions {
  /** Pause at this step (`klsim tui --steps N`); space runs on. */
  stopAt?: number | undefined;
}

/** Runs the interface until the user quits; resolves with the exit code (0, or 128 + signal number). */
export async function runTui(scenario: Scenario, options: TuiOptions = {}): Promise<number> {
  // React's development build makes every frame several times slower; set before react loads.
  process.env.NODE_ENV ??= "production";
  const [{ render }, { createElement }, { Root }, { installOutputGrid }] = await Promise.all([
    import("ink"),
    import("react"),
    import("./components/root.js"),
    import("./ink-output.js"),
  ]);
  await installOutputGrid();
  const sim = new Simulation(scenario.problem, simConfigOf(scenario));
  const store = new SimStore(sim, scenario, { stepsPerFrame: START_SPEED, ...(options.stopAt === undefined ? {} : { stopAt: options.stopAt }) });
  const stdout = process.stdout;
  stdout.write(ENTER_ALT_SCREEN);
  let exitCode = 0;
  // Not incrementalRendering: in ink 6.8 it moves the cursor up one line too few when the frame
  // ends in a newline, so every frame lands one row lower. Full frames are written inside
  // synchronized-output markers, so they do not flicker on terminals that support them.
  // The store is the frame clock (≤ 30 publishes a second); ink's own 30-fps throttle, beating
  // against it, held every other frame back to its trailing edge (15 painted frames a second).
  const instance = render(createElement(Root, { store }), { exitOnCtrlC: false, maxFps: RENDER_FPS_CAP });
  // every stop signal (io/signals.ts: SIGINT, SIGTERM, SIGHUP when the terminal closes, SIGQUIT) ends it alike
  const removeSignalHandlers = onStopSignals((signal) => {
    exitCode = signalExitCode(signal);
    instance.unmount();
  });
  store.start();
  try {
    await instance.waitUntilExit();
  } finally {
    store.stop();
    removeSignalHandlers();
    try {
      stdout.write(LEAVE_ALT_SCREEN);
    } catch {
      // the terminal has gone (SIGHUP): nothing left to restore
    }
  }
  return exitCode;
}
