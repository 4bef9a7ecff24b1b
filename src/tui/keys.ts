/** Key bindings: which key does what (one table for the footer, the help overlay and the handler). */
import { DIVERGENCE_KINDS } from "../core/divergences/registry.js";

export type Command =
  | "togglePause"
  | "step"
  | "betaUp"
  | "betaDown"
  | "betaZero"
  | "toggleDirection"
  | "nextEstimator"
  | "toggleKlIn"
  | "nextBaseline"
  | "slower"
  | "faster"
  | "reset"
  | "nextScenario"
  | "export"
  | "zoom"
  | "toggleLog"
  | "togglePin"
  | "scrollUp"
  | "scrollDown"
  | "pageUp"
  | "pageDown"
  | "toggleHelp"
  | "toggleFrontier"
  | "closeHelp"
  | "quit";

/** The parts of ink's `Key` we use (kept structural so this file needs no ink). */
export interface KeyInfo {
  ctrl?: boolean;
  escape?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
}

export interface HelpRow {
  keys: string;
  /** One line at 80 columns (61 characters at most: a test checks). */
  does: string;
  /** Footer wording: every key is in the footer. */
  short: string;
  /** The keys as the footer writes them, when shorter than `keys`. */
  footerKeys?: string;
}

/** In footer order (the footer wraps to a second line, and abbreviates on narrow terminals). */
export const HELP_ROWS: readonly HelpRow[] = [
  { keys: "q", does: "quit (also Ctrl+C)", short: "quit" },
  { keys: "?", does: "this help: keys, the scenario, what the charts show", short: "help" },
  { keys: "space", does: "pause / resume training", short: "pause" },
  { keys: "n", does: "one step (while paused)", short: "step" },
  { keys: "+ -", does: "β × 1.25 / × 0.8 (from 0, + gives 0.01)", short: "β" },
  { keys: "0", does: "β = 0 (no penalty: watch the policy collapse)", short: "β=0" },
  { keys: "d", does: `next penalty: ${DIVERGENCE_KINDS.map((k) => k.example.short).join(" → ")}`, short: "penalty" },
  { keys: "k i b", does: "sampled: next estimator · KL reward ↔ loss · next baseline", short: "estimator" },
  { keys: "[ ]", does: "slower / faster (steps per frame: 1, 2, 5, 10, … 10000)", short: "speed" },
  // one row for two keys: the help's first page at 80×24 has room for no more rows
  { keys: "z c", does: "zoom: all steps, then the last 10ⁿ · c pin a ghost run", short: "zoom·pin" },
  { keys: "g", does: "log y-scale on the KL charts and β(t) (again: linear)", short: "log" },
  { keys: "r", does: "reset to π_ref with the scenario's β and penalty", short: "reset" },
  { keys: "s", does: "next scenario from scenarios/", short: "scenario" },
  // one row for two keys: the help's first page at 80×24 has room for no more rows
  { keys: "e f", does: "export the chart history to <name>-history.csv · f frontier", short: "csv·frontier" },
  { keys: "↑ ↓ PgUp PgDn", does: "scroll the token panel (with the help open, the help)", short: "tokens", footerKeys: "↑↓" },
];

/** Keys DESIGN.md §4 gives to features still to come, so nothing else may take them (a test checks); none now. */
export const RESERVED_KEYS: readonly string[] = [];

const PLAIN_KEYS: Readonly<Record<string, Command>> = {
  " ": "togglePause",
  n: "step",
  "+": "betaUp",
  "=": "betaUp", // the unshifted + key
  "-": "betaDown",
  _: "betaDown",
  "0": "betaZero",
  d: "toggleDirection",
  k: "nextEstimator",
  i: "toggleKlIn",
  b: "nextBaseline",
  "[": "slower",
  "]": "faster",
  r: "reset",
  s: "nextScenario",
  e: "export",
  z: "zoom",
  g: "toggleLog",
  c: "togglePin",
  "?": "toggleHelp",
  f: "toggleFrontier",
  q: "quit",
};

// With the help open, only these act (the scroll keys scroll the help).
const HELP_KEYS: ReadonlySet<Command> = new Set(["toggleHelp", "quit", "scrollUp", "scrollDown", "pageUp", "pageDown"]);

/** The command for a key press, or null. With the help open only help, scroll and quit keys act. */
export function commandForKey(input: string, key: KeyInfo, helpOpen: boolean): Command | null {
  if (key.ctrl && input === "c") return "quit";
  if (key.escape) return "closeHelp";
  const command = navigation(key) ?? (key.ctrl ? undefined : PLAIN_KEYS[input]);
  if (!command) return null;
  if (helpOpen && !HELP_KEYS.has(command)) return null;
  return command;
}

function navigation(key: KeyInfo): Command | undefined {
  if (key.upArrow) return "scrollUp";
  if (key.downArrow) return "scrollDown";
  if (key.pageUp) return "pageUp";
  if (key.pageDown) return "pageDown";
  return undefined;
}
