/**
 * The whole interface. Reads the engine only through the store (useSyncExternalStore), keeps its
 * own state in the reducer, and turns keys into commands. The store's owner starts its timer.
 */
import { Box, useApp, useInput, useStdin } from "ink";
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from "react";
import type { Scenario } from "../../scenario/loader.js";
import type { SimStore } from "../../sim/store.js";
import { executeCommand, scenarioKey, SHIPPED_SCENARIOS, type CommandContext, type ScenarioSource } from "../commands.js";
import { useStoreFrame } from "../hooks/use-store-frame.js";
import { useTerminalSize, type TerminalSize } from "../hooks/use-terminal-size.js";
import { commandForKey, type KeyInfo } from "../keys.js";
import { layoutFor } from "../layout.js";
import { initialUiState, stepsPerFrameOf, uiReducer } from "../state.js";
import { latestEstimate } from "../charts.js";
import { samplingText } from "../status.js";
import { tokenPanel } from "../token-rows.js";
import { ChartsPanel } from "./charts-panel.js";
import { Footer } from "./footer.js";
import { HelpOverlay } from "./help-overlay.js";
import { MessageLine } from "./message-line.js";
import { StatusBar } from "./status-bar.js";
import { TokenPanel } from "./token-panel.js";
import { TooSmall } from "./too-small.js";

// A key's message stays this long unless replaced.
const MESSAGE_MS = 8000;

export interface RootProps {
  store: SimStore<Scenario>;
  /** A fixed size (tests); by default the terminal's, following resizes. */
  size?: TerminalSize;
  /** Where `e` writes <scenario>-history.csv (default: the current directory). */
  exportDir?: string;
  scenarios?: ScenarioSource;
  /** Called when the user quits (q, Ctrl+C), just before ink exits. */
  onExit?: () => void;
}

export function Root({ store, size, exportDir = process.cwd(), scenarios = SHIPPED_SCENARIOS, onExit }: RootProps) {
  const frame = useStoreFrame(store);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const [ui, dispatch] = useReducer(uiReducer, undefined, () =>
    initialUiState(scenarioKey(store.meta), { paused: store.paused, stepsPerFrame: store.stepsPerFrame }),
  );
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();

  // The reducer owns paused and speed; the driver follows within the same commit (a layout
  // effect, not a passive one), so the very next tick already runs at the new setting.
  const stepsPerFrame = stepsPerFrameOf(ui);
  useLayoutEffect(() => store.setPaused(ui.paused), [store, ui.paused]);
  useLayoutEffect(() => store.setStepsPerFrame(stepsPerFrame), [store, stepsPerFrame]);
  useEffect(() => {
    const text = ui.message;
    if (text === null) return;
    const timer = setTimeout(() => dispatch({ type: "expireMessage", text }), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [ui.message]);

  const scenario = frame.meta;
  const { sim } = frame;
  const sampling = scenario.spec.mode === "sampled" ? scenario.spec.sampling : null;
  const layout = layoutFor(columns, rows, sim.policy.length);
  const labels = scenario.tokens.length === sim.policy.length ? scenario.tokens : [];
  const tokens = tokenPanel(
    { policy: sim.policy, reference: scenario.problem.ref, optimum: sim.optimum.policy, labels },
    layout.tokenWidth,
    layout.tokenRows,
    ui.tokenScroll,
  );

  // Keys read the latest render's context through a ref, so the input listener stays put.
  const context = useRef<CommandContext | null>(null);
  context.current = {
    store,
    state: ui,
    dispatch,
    exportDir,
    scenarios,
    tokenPage: { rows: tokens.view.indices.length, maxOffset: tokens.view.maxOffset },
    quit: () => {
      onExit?.();
      exit();
    },
  };
  const onKey = useCallback((input: string, key: KeyInfo) => {
    // Keys typed faster than a frame arrive as one string (ink treats it as a paste): act on each.
    for (const press of input.length > 1 ? Array.from(input) : [input]) {
      const ctx = context.current;
      const command = ctx && commandForKey(press, key, ctx.state.helpOpen);
      if (ctx && command) executeCommand(command, ctx);
    }
  }, []);
  // isRawModeSupported is stdin.isTTY, which is undefined (not false) on a pipe.
  useInput(onKey, { isActive: isRawModeSupported === true });

  if (layout.tooSmall) return <TooSmall columns={columns} rows={rows} />;
  const status = {
    scenario: scenario.spec.name,
    sim,
    paused: ui.paused,
    stepsPerFrame,
    stepsPerSecond: frame.stepsPerSecond,
    failure: frame.failure,
    sampling: sampling ? samplingText(sampling) : null,
    klEstimate: latestEstimate(sim),
  };
  const charts = <ChartsPanel sim={sim} width={layout.chartWidth} heights={layout.chartHeights} estimator={sampling?.estimator} />;
  const tokenView = <TokenPanel lines={tokens.lines} width={layout.tokenWidth} height={layout.tokenRows} />;
  return (
    <Box flexDirection="column" width={columns}>
      <StatusBar input={status} width={columns} />
      <MessageLine failure={frame.failure} message={ui.message} description={scenario.spec.description} width={columns} />
      {ui.helpOpen ? (
        <HelpOverlay width={columns} height={layout.bodyRows} />
      ) : (
        <Box flexDirection={layout.tokensBeside ? "row" : "column"} height={layout.bodyRows} gap={layout.tokensBeside ? 1 : 0}>
          {charts}
          {tokenView}
        </Box>
      )}
      <Footer width={columns} />
    </Box>
  );
}
