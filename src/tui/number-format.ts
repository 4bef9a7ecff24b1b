/** Numbers and text for people: the status line, chart legends, the token panel and the report. */
import { formatAxisNumber } from "./chart/braille.js";

/** A metric with `digits` significant digits; ∞ for infinities, "–" when not applicable. Never "NaN". */
export function formatValue(x: number | null, digits = 4): string {
  if (x === null || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  return formatAxisNumber(x, digits);
}

/** A probability: three decimals down to 0.001, then exponent form (1.2e-5). */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return "–";
  if (p === 0) return "0";
  if (p >= 0.001) return p.toFixed(3);
  return formatAxisNumber(p, 2);
}

/** Measured speed: "812 steps/s", "5.2k steps/s". */
export function formatRate(stepsPerSecond: number): string {
  return `${formatAxisNumber(Math.round(stepsPerSecond), 3)} steps/s`; // three digits at most: 812, 5.2k, 31k
}

/** Control characters (C0, DEL, C1) as spaces: text from scenario files never drives the terminal. */
export function printable(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, " ") : text;
}
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Clips text to `width` terminal columns (code points; everything we print is one column wide), control characters as spaces. */
export function clip(text: string, width: number): string {
  const shown = printable(text);
  const chars = Array.from(shown);
  if (chars.length <= width) return shown;
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join("");
  return chars.slice(0, width - 1).join("") + "…";
}

/** Pads (or clips) to exactly `width` columns. */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  const clipped = clip(text, width);
  const pad = " ".repeat(Math.max(0, width - Array.from(clipped).length));
  return align === "left" ? clipped + pad : pad + clipped;
}

/** Greedy word wrap to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of printable(text).split(/\s+/).filter(Boolean)) {
    if (line && Array.from(line).length + 1 + Array.from(word).length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
