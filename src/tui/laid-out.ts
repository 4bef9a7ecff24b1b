/**
 * Lines that are already laid out: the charts and panels know every cell of every row, so ink
 * need not measure, wrap or tokenise them again. A run of text qualifies when every code point is
 * one of NARROW's: printable, one column wide, and a grapheme on its own whatever its neighbours
 * (no marks, joiners, controls, Hangul jamo or regional indicators), so its width is its length
 * in code points and no escape sequence from a file can ride along.
 */
import chalk from "chalk";
import type { Span } from "./chart/braille.js";

// Blocks of one-column symbols the UI draws with (Latin, Greek, Cyrillic, phonetic, punctuation,
// super/subscripts, currency, letterlike, arrows, maths, box drawing, blocks, shapes, braille).
const NARROW_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e],
  [0xa0, 0x24f],
  [0x370, 0x3ff],
  [0x400, 0x482],
  [0x1d00, 0x1dbf],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x2070, 0x20c0],
  [0x2100, 0x218b],
  [0x2190, 0x22ff],
  [0x2500, 0x25fc],
  [0x27c0, 0x27ef],
  [0x2800, 0x28ff],
  [0x2980, 0x29ff],
];
// Letters, numbers, punctuation, symbols and spaces only: this drops the marks (U+0300…), the
// format characters (soft hyphen, U+2060…) and unassigned code points the ranges contain.
const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]$/u;
const NARROW_END = 0x2a00;

/** NARROW[c] = 1 when code point c qualifies (all qualifying code points are below NARROW_END). */
export const NARROW: Uint8Array = (() => {
  const table = new Uint8Array(NARROW_END);
  for (const [from, to] of NARROW_RANGES) {
    for (let c = from; c <= to; c++) if (PRINTABLE.test(String.fromCodePoint(c))) table[c] = 1;
  }
  return table;
})();

/** True when every code point of `text` is NARROW (so its columns are its UTF-16 length: all are in the BMP). */
export function isNarrow(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= NARROW_END || NARROW[c] !== 1) return false;
  }
  return true;
}

/** The line as ink would print `<Text>` of coloured `<Text>` spans: chalk's codes around each coloured span. */
export function ansiLine(spans: readonly Span[]): string {
  let line = "";
  for (const span of spans) line += span.color === undefined ? span.text : colorize(span.text, span.color);
  return line;
}

function colorize(text: string, color: string): string {
  const style = (chalk as unknown as Record<string, ((text: string) => string) | undefined>)[color];
  return typeof style === "function" ? style(text) : text;
}

/** Each line's width in columns, or null when some span is not NARROW (then ink lays it out itself). */
export function narrowWidths(lines: readonly (readonly Span[])[]): number[] | null {
  const widths: number[] = [];
  for (const line of lines) {
    let width = 0;
    for (const span of line) {
      if (!isNarrow(span.text)) return null;
      width += span.text.length;
    }
    widths.push(width);
  }
  return widths;
}
