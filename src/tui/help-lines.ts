/**
 * The help overlay's text: every key (one line each at 80 columns), the scenario's full
 * description, and what the screen shows, wrapped to the box. The overlay scrolls through it. Pure.
 */
import { BASELINES } from "../core/baselines.js";
import { ESTIMATOR_LIST } from "../core/estimators.js";
import { wrap } from "./number-format.js";
import { HELP_ROWS } from "./keys.js";

export interface HelpLine {
  /** The key column (key rows only). */
  keys?: string;
  text: string;
  tone?: "title" | "note";
}

const NOTES = [
  "Charts: β(t) on top, then reward (proxy solid, gold dotted), reverse KL(π‖π_ref) and forward KL(π_ref‖π); in sampled mode the per-batch KL estimate, dotted.",
  "Dashed: the closed-form optimum π* for the β and penalty in force at each step. Dash-dot: π* on the gold reward, and the adaptive controller's target KL.",
  "Marks on the step axis, with dots up the chart: a key changed β (β), the penalty (D) or the estimator (k) at that step.",
  "Tokens: π as a bar, π_ref │ and π* ◆ on a scale fixed per scenario; r is the token's reward and ℓ = log π/π_ref.",
  `Sampled and expected modes: k steps through the estimators ${ESTIMATOR_LIST.map((e) => e.name).join(", ")}; i puts the KL in the reward or the loss; b steps through the baselines ${BASELINES.map((b) => b.name).join(", ")}. The status line says what the configuration really optimises, and a dotted line marks its fixed point where that is not π*.`,
  "NO_COLOR=1 turns colour off (FORCE_COLOR wins); the line styles keep the series apart.",
];

/** Width of the key column: the longest keys plus two spaces. */
export const KEY_WIDTH = Math.max(...HELP_ROWS.map((row) => Array.from(row.keys).length)) + 2;

export function helpLines(width: number, scenario: { name: string; description: string }): HelpLine[] {
  const lines: HelpLine[] = [];
  for (const row of HELP_ROWS) {
    wrap(row.does, Math.max(10, width - KEY_WIDTH)).forEach((text, k) => lines.push({ keys: k === 0 ? row.keys : "", text }));
  }
  lines.push({ text: "" }, { text: `scenario ${scenario.name}`, tone: "title" });
  for (const text of wrap(scenario.description || "(no description)", width)) lines.push({ text });
  lines.push({ text: "" });
  for (const note of NOTES) for (const text of wrap(note, width)) lines.push({ text, tone: "note" });
  return lines;
}
