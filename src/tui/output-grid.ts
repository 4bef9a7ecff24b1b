/**
 * A faster compositor for ink's Output (the grid every frame is drawn into), with the same result
 * byte for byte. ink's Output.get tokenises every line of every frame into one object per
 * character (Intl.Segmenter, a styles array each, string-width per grapheme) and then diffs the
 * styles of neighbouring cells back into escape codes: at 200×60 that was most of a frame.
 *
 * Here a cell is a string and an interned style id, and the escape codes between two styles are
 * computed once per pair with ansi-tokenize's own functions. A line made only of NARROW code
 * points (laid-out.ts: one column each, each its own grapheme) and SGR sequences is read in one
 * pass of charCodeAt; any other line goes through ansi-tokenize exactly as ink does, then is
 * interned the same way. Clipping, transformers, out-of-grid rows and columns, holes and wide
 * characters follow ink 6's Output.get step for step (test/tui/output-grid.test.ts holds the two
 * to the same strings on random frames).
 */
import { type AnsiCode, ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, styledCharsFromTokens, tokenize } from "@alcalzone/ansi-tokenize";
import sliceAnsi from "slice-ansi";
import stringWidth from "string-width";
import { isNarrow, NARROW } from "./laid-out.js";

/** The parts of ink's Output this reads (ink/build/output.js). */
export interface InkOutput {
  width: number;
  height: number;
  operations: readonly InkOperation[];
}

export interface InkClip {
  x1: number | undefined;
  x2: number | undefined;
  y1: number | undefined;
  y2: number | undefined;
}

export type InkOperation =
  | { type: "write"; x: number; y: number; text: string; transformers: readonly ((line: string, index: number) => string)[] }
  | { type: "clip"; clip: InkClip }
  | { type: "unclip" };

const ESC = 0x1b;
const OPEN_BRACKET = 0x5b;
const SEMICOLON = 0x3b;
const LETTER_M = 0x6d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
// Caches of strings seen in frames are cleared past this many entries (a long session's labels and numbers keep changing).
const CACHE_LIMIT = 20_000;

/** Style ids: 0 is no style; an id stands for one reduced list of codes (their code and end code are all ansi-tokenize reads). */
class Styles {
  private readonly codes: AnsiCode[][] = [[]];
  private readonly ids = new Map<string, number>([["", 0]]);
  private readonly transitions = new Map<number, string>();
  private readonly afterSequence: Map<string, number>[] = [new Map()];

  idOf(codes: AnsiCode[]): number {
    let key = "";
    for (const code of codes) key += `${code.code}\u0000${code.endCode}\u0001`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.codes.length;
      this.codes.push(codes);
      this.ids.set(key, id);
      this.afterSequence.push(new Map());
    }
    return id;
  }

  /** The style after SGR sequence `sequence` (one `ESC[…m`) from style `from`: styledCharsFromTokens' reduction. */
  after(from: number, sequence: string): number {
    const known = this.afterSequence[from] as Map<string, number>;
    let id = known.get(sequence);
    if (id === undefined) {
      const tokens = tokenize(sequence).filter((token): token is AnsiCode => token.type === "ansi");
      id = this.idOf(reduceAnsiCodesIncremental(this.codes[from] as AnsiCode[], tokens));
      known.set(sequence, id);
    }
    return id;
  }

  /** The codes styledCharsToString writes between a cell of style `from` and one of style `to`. */
  between(from: number, to: number): string {
    const key = from * 0x100000 + to;
    let codes = this.transitions.get(key);
    if (codes === undefined) {
      codes = ansiCodesToString(diffAnsiCodes(this.codes[from] as AnsiCode[], this.codes[to] as AnsiCode[]));
      this.transitions.set(key, codes);
    }
    return codes;
  }
}

/** string-width of a string, remembered. */
class Widths {
  private readonly known = new Map<string, number>();
  of(text: string): number {
    let width = this.known.get(text);
    if (width === undefined) {
      if (this.known.size >= CACHE_LIMIT) this.known.clear();
      width = stringWidth(text);
      this.known.set(text, width);
    }
    return width;
  }
  widest(text: string): number {
    let widest = 0;
    for (const line of text.split("\n")) widest = Math.max(widest, this.of(line));
    return widest;
  }
}

/** The end of the SGR sequence starting at `start` (ESC [ digits/semicolons m), or -1: ansi-tokenize's findSGRSequenceEndIndex. */
function sgrEnd(line: string, start: number): number {
  if (line.charCodeAt(start + 1) !== OPEN_BRACKET) return -1;
  for (let i = start + 2; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === LETTER_M) return i;
    if (c !== SEMICOLON && (c < DIGIT_0 || c > DIGIT_9)) return -1;
  }
  return -1;
}

/** One line read into cells: values, style ids and widths (reused between lines). */
class LineCells {
  values: string[] = [];
  styles: number[] = [];
  widths: number[] = [];
  count = 0;
  push(value: string, style: number, width: number): void {
    const n = this.count++;
    this.values[n] = value;
    this.styles[n] = style;
    this.widths[n] = width;
  }
}

export class OutputGrid {
  private readonly styles = new Styles();
  private readonly widths = new Widths();
  private readonly line = new LineCells();
  private readonly slowLines = new Map<string, { values: string[]; styles: number[]; widths: number[] }>();
  private values: (string | undefined)[][] = [];
  private cellStyles: number[][] = [];

  /** What ink's Output.get returns for these operations: the rows joined by newlines, each trimmed at the end. */
  compose(output: InkOutput): { output: string; height: number } {
    const { width, height } = output;
    this.reset(width, height);
    const clips: InkClip[] = [];
    for (const operation of output.operations) {
      if (operation.type === "clip") clips.push(operation.clip);
      else if (operation.type === "unclip") clips.pop();
      else this.write(operation, clips[clips.length - 1]);
    }
    const rows: string[] = [];
    for (let y = 0; y < height; y++) rows.push(this.rowString(y));
    return { output: rows.join("\n"), height };
  }

  private reset(width: number, height: number): void {
    this.values.length = height;
    this.cellStyles.length = height;
    for (let y = 0; y < height; y++) {
      const values = this.values[y] ?? [];
      const styles = this.cellStyles[y] ?? [];
      this.values[y] = values;
      this.cellStyles[y] = styles;
      values.length = width;
      styles.length = width;
      values.fill(" ");
      styles.fill(0);
    }
  }

  // ink's Output.get for one write: the clip first, then each line through the transformers into the grid.
  private write(operation: Extract<InkOperation, { type: "write" }>, clip: InkClip | undefined): void {
    const { text, transformers } = operation;
    let { x, y } = operation;
    let lines = text.split("\n");
    if (clip) {
      const { x1, x2, y1, y2 } = clip;
      const horizontal = typeof x1 === "number" && typeof x2 === "number";
      const vertical = typeof y1 === "number" && typeof y2 === "number";
      if (horizontal && (x + this.widths.widest(text) < x1 || x > x2)) return;
      if (vertical && (y + lines.length < y1 || y > y2)) return;
      if (horizontal) {
        const left = x;
        lines = lines.map((line) => {
          const from = left < x1 ? x1 - left : 0;
          const lineWidth = this.widths.of(line);
          const to = left + lineWidth > x2 ? x2 - left : lineWidth;
          // slice-ansi of text without escapes or wide characters is a plain slice
          return isNarrow(line) ? line.slice(from, Math.max(from, to)) : sliceAnsi(line, from, to);
        });
        if (x < x1) x = x1;
      }
      if (vertical) {
        const from = y < y1 ? y1 - y : 0;
        const to = y + lines.length > y2 ? y2 - y : lines.length;
        lines = lines.slice(from, to);
        if (y < y1) y = y1;
      }
    }
    let offsetY = 0;
    for (let index = 0; index < lines.length; index++) {
      const values = this.values[y + offsetY];
      const styles = this.cellStyles[y + offsetY];
      // ink: a row outside the grid is skipped without moving on, so the rest of the text lands there too
      if (!values || !styles) continue;
      let line = lines[index] as string;
      for (const transformer of transformers) line = transformer(line, index);
      const cells = this.cells(line);
      let offsetX = x;
      for (let i = 0; i < cells.count; i++) {
        const style = cells.styles[i] as number;
        const cellWidth = cells.widths[i] as number;
        put(values, styles, offsetX, cells.values[i] as string, style);
        for (let extra = 1; extra < cellWidth; extra++) put(values, styles, offsetX + extra, "", style);
        offsetX += cellWidth;
      }
      offsetY++;
    }
  }

  /** The cells of one line: one pass when it is NARROW text and SGR codes, else ansi-tokenize's reading. */
  private cells(line: string): LineCells {
    const cells = this.line;
    cells.count = 0;
    let style = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === ESC) {
        const end = sgrEnd(line, i);
        if (end < 0) return this.slowCells(line);
        style = this.styles.after(style, line.slice(i, end + 1));
        i = end;
      } else if (c < NARROW.length && NARROW[c] === 1) {
        cells.push(line[i] as string, style, 1);
      } else {
        return this.slowCells(line);
      }
    }
    return cells;
  }

  private slowCells(line: string): LineCells {
    let known = this.slowLines.get(line);
    if (known === undefined) {
      if (this.slowLines.size >= CACHE_LIMIT) this.slowLines.clear();
      known = { values: [], styles: [], widths: [] };
      for (const char of styledCharsFromTokens(tokenize(line))) {
        known.values.push(char.value);
        known.styles.push(this.styles.idOf(char.styles));
        known.widths.push(Math.max(1, this.widths.of(char.value)));
      }
      this.slowLines.set(line, known);
    }
    const cells = this.line;
    cells.count = 0;
    for (let i = 0; i < known.values.length; i++) cells.push(known.values[i] as string, known.styles[i] as number, known.widths[i] as number);
    return cells;
  }

  // styledCharsToString of the row without its holes, trimmed at the end.
  private rowString(y: number): string {
    const values = this.values[y] as (string | undefined)[];
    const styles = this.cellStyles[y] as number[];
    let row = "";
    let previous = 0;
    let any = false;
    for (let x = 0; x < values.length; x++) {
      const value = values[x];
      if (value === undefined) continue;
      const style = styles[x] as number;
      if (style !== previous) row += this.styles.between(previous, style);
      row += value;
      previous = style;
      any = true;
    }
    if (any && previous !== 0) row += this.styles.between(previous, 0);
    return row.trimEnd();
  }
}

// ink writes `currentLine[offsetX] = cell`: a negative or fractional column is a property, not a cell, and never printed.
function put(values: (string | undefined)[], styles: number[], x: number, value: string, style: number): void {
  if (!Number.isInteger(x) || x < 0) return;
  values[x] = value;
  styles[x] = style;
}
