/** Key bindings: which key does what (one table for the footer, the help overlay and the handler). */
import { DIVERGENCE_KINDS } from "../core/divergences/registry.js";

export type Command =
  | "togglePause"
  | "step"
  | "betaUp"
  | "betaDown"
  | "betaZero"
  | "toggleDirection"
  | "slower"
  | "faster"
  | "reset"
  | "nextScenario"
  | "export"
  | "scrollUp"
  | "scrollDown"
  | "pageUp"
  | "pageDown"
  | "toggleHelp"
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
  does: string;
  /** Footer wording; rows without one appear only in the help overlay. */
  short?: string;
}

/** In footer priority order: the footer drops rows from the end of this list first. */
export const HELP_ROWS: readonly HelpRow[] = [
  { keys: "q", does: "quit (also Ctrl+C)", short: "quit" },
  { keys: "?", does: "this help (Esc or ? closes it)", short: "help" },
  { keys: "space", does: "pause / resume training", short: "pause" },
  { keys: "+ -", does: "β × 1.25 / × 0.8 (from 0, + gives 0.01)", short: "β" },
  { keys: "d", does: `next penalty: ${DIVERGENCE_KINDS.map((k) => k.example.short).join(" → ")}`, short: "penalty" },
  { keys: "0", does: "β = 0 (no penalty: watch the policy collapse)", short: "β=0" },
  { keys: "[ ]", does: "slower / faster (steps per frame: 1, 2, 5, 10, … 10000)", short: "speed" },
  { keys: "n", does: "one step (while paused)", short: "step" },
  { keys: "r", does: "reset to the reference policy and the scenario's β", short: "reset" },
  { keys: "s", does: "next scenario from scenarios/", short: "scenario" },
  { keys: "e", does: "export the chart history to <scenario>-history.csv", short: "export" },
  { keys: "↑ ↓ PgUp PgDn", does: "scroll the token panel" },
];

const PLAIN_KEYS: Readonly<Record<string, Command>> = {
  " ": "togglePause",
  n: "step",
  "+": "betaUp",
  "=": "betaUp", // the unshifted + key
  "-": "betaDown",
  _: "betaDown",
  "0": "betaZero",
  d: "toggleDirection",
  "[": "slower",
  "]": "faster",
  r: "reset",
  s: "nextScenario",
  e: "export",
  k: "scrollUp",
  j: "scrollDown",
  "?": "toggleHelp",
  q: "quit",
};

/** The command for a key press, or null. With the help open only help and quit keys act. */
export function commandForKey(input: string, key: KeyInfo, helpOpen: boolean): Command | null {
  if (key.ctrl && input === "c") return "quit";
  if (key.escape) return "closeHelp";
  const command = navigation(key) ?? (key.ctrl ? undefined : PLAIN_KEYS[input]);
  if (!command) return null;
  if (helpOpen && command !== "toggleHelp" && command !== "quit") return null;
  return command;
}

function navigation(key: KeyInfo): Command | undefined {
  if (key.upArrow) return "scrollUp";
  if (key.downArrow) return "scrollDown";
  if (key.pageUp) return "pageUp";
  if (key.pageDown) return "pageDown";
  return undefined;
}
