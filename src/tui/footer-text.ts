/**
 * The footer's key hints: every key in HELP_ROWS, on one line when it fits, else wrapped onto two,
 * else abbreviated (tighter separators, then the keys alone with "? help" to say what they do). Pure.
 */
import { HELP_ROWS } from "./keys.js";

/** Footer lines at most. */
export const MAX_FOOTER_LINES = 2;

const length = (text: string) => Array.from(text).length;

/** Greedy wrap of items joined by `separator` into lines of at most `width`; null if more than `maxLines`. */
function pack(items: readonly string[], separator: string, width: number, maxLines: number): string[] | null {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    if (length(item) > width) return null;
    const next = line ? `${line}${separator}${item}` : item;
    if (length(next) <= width) line = next;
    else {
      lines.push(line);
      line = item;
    }
  }
  if (line) lines.push(line);
  return lines.length <= maxLines ? lines : null;
}

/** The footer for a terminal `width` columns wide: one or two lines, every key present. */
export function footerLines(width: number): string[] {
  const keys = HELP_ROWS.map((row) => row.footerKeys ?? row.keys);
  const described = HELP_ROWS.map((row, i) => `${keys[i]} ${row.short}`);
  const attempts: [readonly string[], string, number][] = [
    [described, " · ", 1],
    [described, " · ", MAX_FOOTER_LINES],
    [described, "  ", MAX_FOOTER_LINES],
    [["? help", ...keys.filter((k) => k !== "?")], " ", MAX_FOOTER_LINES],
  ];
  for (const [items, separator, lines] of attempts) {
    const packed = pack(items, separator, width, lines);
    if (packed) return packed;
  }
  return [keys.join(" ").slice(0, Math.max(0, width))];
}
