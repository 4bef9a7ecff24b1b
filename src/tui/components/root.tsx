/**
 * The whole interface. Reads the engine only through the store (useSyncExternalStore), keeps its
 * own state in the reducer, and turns keys into commands. The store's owner starts its timer.
 */
import { Box, useApp, useInput, useStdin } from "ink";
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from "react";
import { type Scenario, tokenNames } from "../../scenario/loader.js";
import type { SimSnapshot } from "../../sim/simulation.js";
import type { SimStore } from "../../sim/store.js";
import { executeCommand, scenarioKey, SHIPPED_SCENARIOS, type CommandContext, type ScenarioSource } from "../commands.js";
import { useStoreFrame } from "../hooks/use-store-frame.js";
import { useTerminalSize, type TerminalSize } from "../hooks/use-terminal-size.js";
import { commandForKey, type KeyInfo } from "../keys.js";
import { layoutFor } from "../layout.js";
import { initialUiState, stepsPerFrameOf, uiReducer } from "../state.js";
import { latestEstimate } from "../charts.js";
import { colorAllowed } from "../color.js";
import { footerLines } from "../footer-text.js";
import { helpLines } from "../help-lines.js";
import { samplingText } from "../status.js";
import { fitPanel } from "../fit-bars.js";
import { tokenPanel } from "../token-rows.js";
import { sequencePanel } from "../sequence-rows.js";
import { sequencePanelInput } from "../sequence-input.js";
import { SequencePanel } from "./sequence-panel.js";
import { scenarioScale, type TokenProbabilities } from "../tokens.js";
import { ChartsPanel } from "./charts-panel.js";
import { ColorContext } from "./color-context.js";
import { Footer } from "./footer.js";
import { FrontierScreen } from "./frontier-screen.js";
import { HELP_CHROME_ROWS, HelpOverlay, helpBox } from "./help-overlay.js";
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
  /** Colour on or off; by default from the environment when the UI starts (NO_COLOR, FORCE_COLOR: color.ts). */
  color?: boolean;
}

/** The fit panel's lines, with a view that does not scroll. */
function fitTokens(sim: SimSnapshot, teacher: ArrayLike<number>, family: string, width: number, rows: number) {
  const view = { student: sim.policy, teacher, family, parameters: sim.parameters ?? [], forwardKL: sim.metrics.forwardKL, reverseKL: sim.metrics.reverseKL };
  return { lines: fitPanel(view, width, rows), view: { indices: [] as number[], byMass: false, offset: 0, maxOffset: 0 } };
}

export function Root({ store, size, exportDir = process.cwd(), scenarios = SHIPPED_SCENARIOS, onExit, color }: RootProps) {
  const frame = useStoreFrame(store);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const [envColor] = useState(() => colorAllowed(process.env));
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
  // The driver paused itself at --steps N: the reducer, which owns `paused`, follows.
  const stopsSeen = useRef(frame.stops);
  useEffect(() => {
    if (frame.stops === stopsSeen.current) return;
    stopsSeen.current = frame.stops;
    dispatch({ type: "stopped", step: frame.sim.step });
  }, [frame.stops, frame.sim.step]);
  useEffect(() => {
    const text = ui.message;
    if (text === null) return;
    const timer = setTimeout(() => dispatch({ type: "expireMessage", text }), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [ui.message]);

  const scenario = frame.meta;
  const { sim } = frame;
  const sampling = sim.sampling;
  const footer = useMemo(() => footerLines(columns), [columns]);
  const layout = layoutFor(columns, rows, sim.policy.length, footer.length);
  const names = tokenNames(scenario);
  const labels = names.length === sim.policy.length ? names : [];
  const problem = scenario.problem;
  const probabilities: TokenProbabilities = {
    policy: sim.policy,
    reference: problem.ref,
    optimum: sim.optimum.policy,
    labels,
    reward: problem.reward,
    ...(frame.logPolicy ? { logPolicy: frame.logPolicy, logReference: problem.logRef } : {}),
  };
  // the panel beside the charts, by model: a sequence's top sequences, a fitted student's histogram (fit-bars.ts), or the tokens
  const tokens = scenario.sequence
    ? sequencePanel(sequencePanelInput(scenario, sim), layout.tokenWidth, layout.tokenRows, ui.tokenScroll)
    : sim.parameters
      ? fitTokens(sim, problem.ref, scenario.student?.family ?? "student", layout.tokenWidth, layout.tokenRows)
      : tokenPanel(probabilities, layout.tokenWidth, layout.tokenRows, ui.tokenScroll, scenarioScale(probabilities));
  const { name, description } = scenario.spec;
  const help = useMemo(() => helpLines(helpBox(columns).inner, { name, description }), [columns, name, description]);
  const helpRows = Math.max(0, layout.bodyRows - HELP_CHROME_ROWS);

  // Keys read the latest render's context through a ref, so the input listener stays put.
  const context = useRef<CommandContext | null>(null);
  context.current = {
    store,
    state: ui,
    dispatch,
    exportDir,
    scenarios,
    tokenPage: { rows: tokens.view.indices.length, maxOffset: tokens.view.maxOffset },
    helpPage: { rows: helpRows, maxOffset: Math.max(0, help.length - helpRows) },
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
  const options = { problem, estimator: sampling?.estimator.name, changes: frame.changes, window: ui.window, log: ui.logScale, pinned: ui.pinned };
  const status = {
    scenario: scenario.spec.name,
    sim,
    paused: ui.paused,
    stepsPerFrame,
    stepsPerSecond: frame.stepsPerSecond,
    failure: frame.failure,
    sampling: samplingText(sim, scenario.spec.mode),
    klEstimate: latestEstimate(sim),
  };
  const charts = <ChartsPanel sim={sim} width={layout.chartWidth} heights={layout.chartHeights} betaRows={layout.betaRows} options={options} />;
  const Panel = scenario.sequence ? SequencePanel : TokenPanel;
  const tokenView = <Panel lines={tokens.lines} width={layout.tokenWidth} height={layout.tokenRows} />;
  return (
    <ColorContext.Provider value={color ?? envColor}>
      <Box flexDirection="column" width={columns}>
        <StatusBar input={status} width={columns} />
        <MessageLine failure={frame.failure} message={ui.message} description={description} width={columns} />
        {ui.helpOpen ? (
          <HelpOverlay width={columns} height={layout.bodyRows} lines={help} scroll={ui.helpScroll} />
        ) : ui.frontierOpen ? (
          <FrontierScreen problem={problem} penalty={sim.penalty} live={sim.metrics} width={columns} height={layout.bodyRows} />
        ) : (
          <Box flexDirection={layout.tokensBeside ? "row" : "column"} height={layout.bodyRows} gap={layout.tokensBeside ? 1 : 0}>
            {charts}
            {tokenView}
          </Box>
        )}
        <Footer lines={footer} />
      </Box>
    </ColorContext.Provider>
  );
}
