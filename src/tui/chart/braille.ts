// Braille line-chart renderer: a pure function from plain data to text lines plus colour spans.
// Each terminal cell is a braille character holding a 2×4 grid of dots, so a chart of
// `cols × rows` cells has `2·cols × 4·rows` addressable dots.

/** How a line is drawn, so series stay distinguishable without colour (NO_COLOR, monochrome terminals). */
export type LineStyle = "solid" | "dotted" | "dashed" | "dashdot" | "sparse";

/**
 * Each style's dot pattern (repeated along the line: 1 = lit) and its legend sample, which is
 * exactly what the pattern draws on a flat line starting at a cell's left edge (a test checks).
 */
export const LINE_STYLES: Readonly<Record<LineStyle, { pattern: readonly number[]; sample: string }>> = {
  solid: { pattern: [1], sample: "⠒⠒" },
  dotted: { pattern: [1, 0], sample: "⠂⠂" },
  dashed: { pattern: [1, 1, 0, 0], sample: "⠒ ⠒" },
  dashdot: { pattern: [1, 1, 0, 0, 1, 0, 0, 0], sample: "⠒ ⠂" },
  sparse: { pattern: [1, 0, 0, 0], sample: "⠂ ⠂" },
};

export interface ChartSeries {
  label: string;
  color: string;
  /** Step numbers, assumed increasing. */
  xs: ArrayLike<number>;
  /** Values; non-finite entries are skipped (and break the line). */
  ys: ArrayLike<number>;
  /** Default solid. */
  style?: LineStyle;
  /** Drawn, but left out of the legend (a line whose legend entry did not fit). */
  unlisted?: boolean;
}

/** A scatter of points, each drawn as one text glyph over its cell (on top of the braille lines). */
export interface ChartPoints {
  label: string;
  color: string;
  /** One character, e.g. "●" or "×"; its legend sample too. */
  glyph: string;
  xs: ArrayLike<number>;
  /** Non-finite points are skipped. */
  ys: ArrayLike<number>;
}

export interface ChartReference {
  label: string;
  color: string;
  /** Drawn as a horizontal line (dashed by default); skipped if non-finite. */
  y: number;
  style?: LineStyle;
}

/** A vertical mark at step x (a setting changed there): dots up the plot, `label` under it on the axis. */
export interface ChartMarker {
  x: number;
  /** One character. */
  label: string;
  color: string;
}

export interface ChartSpec {
  title: string;
  /** Total columns including the y-axis gutter. */
  width: number;
  /** Total rows including the legend line and the x-axis line. */
  height: number;
  series: ChartSeries[];
  references?: ChartReference[];
  markers?: ChartMarker[];
  /** Fixed x range (a zoomed window); by default the data's. Points outside are clipped at the edges. */
  xRange?: readonly [number, number];
  yMin?: number;
  yMax?: number;
  /** "log": log10 axis over the positive values; values at or below the floor sit on the bottom row. */
  yScale?: "linear" | "log";
  /** Minimum width of the y labels, so charts stacked above each other share one left edge. */
  labelWidth?: number;
  /** Default true. Without the legend row the title goes in the gutter of the first plot row. */
  legend?: boolean;
  /** Default true: the step axis row. */
  xAxis?: boolean;
  /** Text in the middle of the step axis row (the zoom window), when it fits. */
  xLabel?: string;
  /** Scatter layers, drawn last. Default none. */
  points?: ChartPoints[];
  /** The x axis's name before its end values; default "step" (with whole-number step labels). */
  xName?: string;
}

/** Consecutive characters sharing a colour (`undefined` = default terminal colour). */
export interface Span {
  text: string;
  color?: string;
}

export interface ChartLines {
  lines: string[];
  spans: Span[][];
  yRange: [number, number];
  xRange: [number, number];
}

/** A grid of braille cells: dot bits per cell, and which layer last drew in it (-1 = none). */
export interface BrailleGrid {
  cols: number;
  rows: number;
  bits: Uint8Array;
  owner: Int32Array;
}

export const BRAILLE_BASE = 0x2800;
/** DOT_BITS[dotColumnInCell][dotRowInCell] (Unicode braille layout). */
export const DOT_BITS: readonly (readonly number[])[] = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

export const MIN_WIDTH = 4;
/** With the legend and the axis; each one left out lowers it by one. */
export const MIN_HEIGHT = 3;
// Caps keep absurd sizes from allocating huge buffers or throwing in String#repeat.
const MAX_WIDTH = 2000;
const MAX_HEIGHT = 500;
// Below this many plot columns the y labels are dropped to leave room for the plot.
const MIN_PLOT_COLS_WITH_LABELS = 4;
// A log axis spans at most this many decades below its top (smaller values sit on the floor).
const LOG_DECADES = 6;

// ---------------------------------------------------------------------------
// Number formatting

const SUFFIXES: readonly [number, string][] = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];

/** Strips trailing zeros of a fixed/precision string ("1.200" → "1.2", "3.0" → "3"). */
function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Exponent form without padding zeros: 1.2e-5, 3e20. */
function formatExponent(x: number, digits: number): string {
  const [mantissa = "", exponent = ""] = x.toExponential(digits - 1).split("e");
  return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
}

/** Compact axis label with `digits` significant digits: 0.712, 1.2e-5, 3.4k, -0.5. Never "NaN". */
export function formatAxisNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return "?";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const d = Math.min(Math.max(Math.round(digits), 1), 15);
  // Round first so 999.95 becomes 1k rather than 1000.
  const r = Number(x.toPrecision(d));
  const a = Math.abs(r);
  if (a === 0) return "0";
  if (a < 1e-3 || a >= 1e15) return formatExponent(r, d);
  for (const [scale, suffix] of SUFFIXES) {
    if (a >= scale) return significant(r / scale, d) + suffix;
  }
  return significant(r, d);
}

/** x with d significant digits in positional notation (toPrecision would give "1.1e+2" for 110). */
function significant(x: number, d: number): string {
  const decimals = Math.max(0, d - 1 - Math.floor(Math.log10(Math.abs(x))));
  return trimZeros(x.toFixed(Math.min(decimals, 20)));
}

/** Step labels: whole numbers below 100 000 are shown exactly, others compactly. */
export function formatStep(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e5) return String(x);
  return formatAxisNumber(x);
}

// ---------------------------------------------------------------------------
// Dot grid

export function createGrid(cols: number, rows: number): BrailleGrid {
  const c = Math.max(0, Math.floor(cols) || 0);
  const r = Math.max(0, Math.floor(rows) || 0);
  return { cols: c, rows: r, bits: new Uint8Array(c * r), owner: new Int32Array(c * r).fill(-1) };
}

/** Lights one dot (dot coordinates, y down); dots outside the grid are ignored. */
export function setDot(grid: BrailleGrid, dx: number, dy: number, owner: number): void {
  if (dx < 0 || dy < 0 || dx >= grid.cols * 2 || dy >= grid.rows * 4) return;
  const cell = (dy >> 2) * grid.cols + (dx >> 1);
  grid.bits[cell] = (grid.bits[cell] ?? 0) | (DOT_BITS[dx & 1]?.[dy & 3] ?? 0);
  grid.owner[cell] = owner;
}

/**
 * A layer's drawing state: its owner index and line style. The style's pattern advances once per
 * distinct dot along the path (a dot drawn twice in a row counts once), starting at the first
 * dot's column, so a flat line's dashes line up with the cells as the legend sample shows them.
 */
export interface Pen {
  owner: number;
  pattern: readonly number[];
  at: number;
  lastX: number;
  lastY: number;
}

export function createPen(owner: number, style: LineStyle = "solid"): Pen {
  return { owner, pattern: LINE_STYLES[style].pattern, at: Number.NaN, lastX: Number.NaN, lastY: Number.NaN };
}

function penDot(grid: BrailleGrid, pen: Pen, dx: number, dy: number): void {
  if (dx === pen.lastX && dy === pen.lastY) return;
  if (Number.isNaN(pen.at)) pen.at = dx;
  pen.lastX = dx;
  pen.lastY = dy;
  const n = pen.pattern.length;
  const lit = n === 1 || pen.pattern[((pen.at % n) + n) % n] === 1;
  pen.at++;
  if (lit) setDot(grid, dx, dy, pen.owner);
}

/** Bresenham line in dot space, both ends included; with a Pen, in its style. */
export function drawLine(grid: BrailleGrid, x0: number, y0: number, x1: number, y1: number, owner: number | Pen): void {
  const pen = typeof owner === "number" ? null : owner;
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    if (pen) penDot(grid, pen, x, y);
    else setDot(grid, x, y, owner as number);
    if (x === x1 && y === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** Fraction of the way from lo to hi; halves first so huge ranges do not overflow. */
function fraction(v: number, lo: number, hi: number): number {
  const span = hi / 2 - lo / 2;
  if (!(span > 0)) return 0;
  const t = (v / 2 - lo / 2) / span;
  return Math.min(Math.max(t, -1e6), 1e6);
}

/** Maps t∈[0,1] to a dot index in [0, n-1]; out-of-range values land one step outside the grid. */
function toDot(t: number, n: number): number {
  return Math.min(Math.max(Math.round(t * (n - 1)), -1), n);
}

export function dotColumn(x: number, xRange: readonly [number, number], dotCols: number): number {
  return toDot(fraction(x, xRange[0], xRange[1]), dotCols);
}

/** Dot row for y: yMax maps to row 0 (top), yMin to the bottom row. */
export function dotRow(y: number, yRange: readonly [number, number], dotRows: number): number {
  return toDot(1 - fraction(y, yRange[0], yRange[1]), dotRows);
}

/**
 * Draws a series as a polyline, decimated to dot columns: each column keeps the first, last,
 * min and max dot row, so the cost is O(points + dots) and spikes survive.
 * A non-finite point breaks the line. `toAxis` maps a value to axis units (log10 on a log axis).
 */
export function plotSeries(
  grid: BrailleGrid,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  owner: number | Pen,
  toAxis?: (y: number) => number,
): void {
  const pen = typeof owner === "number" ? createPen(owner) : owner;
  const dotCols = grid.cols * 2;
  const dotRows = grid.rows * 4;
  if (dotCols === 0 || dotRows === 0) return;
  let open = false; // a column is being accumulated
  let col = 0,
    first = 0,
    last = 0,
    lo = 0,
    hi = 0;
  let linked = false; // the previous flushed column should join this one
  let prevCol = 0,
    prevLast = 0;

  const flush = (): void => {
    if (!open) return;
    if (linked) drawLine(grid, prevCol, prevLast, col, first, pen);
    drawLine(grid, col, lo, col, hi, pen);
    prevCol = col;
    prevLast = last;
    linked = true;
    open = false;
  };

  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const y = toAxis ? toAxis(ys[i] as number) : (ys[i] as number);
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      flush();
      linked = false;
      continue;
    }
    const cx = dotColumn(x, xRange, dotCols);
    const cy = dotRow(y, yRange, dotRows);
    if (open && cx === col) {
      last = cy;
      if (cy < lo) lo = cy;
      if (cy > hi) hi = cy;
      continue;
    }
    flush();
    open = true;
    col = cx;
    first = last = lo = hi = cy;
  }
  flush();
}

/** Horizontal line in a style (dashed by default: dot columns lit in pairs, one full cell on, one off). */
export function plotReference(grid: BrailleGrid, y: number, yRange: readonly [number, number], owner: number, style: LineStyle = "dashed"): void {
  if (!Number.isFinite(y)) return;
  const dotRows = grid.rows * 4;
  const row = dotRow(y, yRange, dotRows);
  if (row < 0 || row >= dotRows) return;
  const pattern = LINE_STYLES[style].pattern;
  for (let dx = 0; dx < grid.cols * 2; dx++) {
    if (pattern[dx % pattern.length] === 1) setDot(grid, dx, row, owner);
  }
}

/** A vertical dotted line (every other dot row) at dot column dx. */
export function plotMarker(grid: BrailleGrid, dx: number, owner: number): void {
  if (dx < 0 || dx >= grid.cols * 2) return;
  for (let dy = 0; dy < grid.rows * 4; dy += 2) setDot(grid, dx, dy, owner);
}

/** The character of one cell: a space when no dot is lit, otherwise U+2800 + bits. */
export function cellChar(bits: number): string {
  return bits === 0 ? " " : String.fromCharCode(BRAILLE_BASE + bits);
}

/** Grid rows as strings (handy for tests and plain-text output). */
export function gridToStrings(grid: BrailleGrid): string[] {
  const out: string[] = [];
  for (let r = 0; r < grid.rows; r++) {
    let s = "";
    for (let c = 0; c < grid.cols; c++) s += cellChar(grid.bits[r * grid.cols + c] ?? 0);
    out.push(s);
  }
  return out;
}

/** Plots one polyline of [x, y] points into a fresh `cols × rows` grid (owner 0). */
export function plotToBraille(
  points: ReadonlyArray<readonly [number, number]>,
  cols: number,
  rows: number,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
): BrailleGrid {
  const grid = createGrid(cols, rows);
  plotSeries(
    grid,
    points.map((p) => p[0]),
    points.map((p) => p[1]),
    xRange,
    yRange,
    0,
  );
  return grid;
}

// ---------------------------------------------------------------------------
// Ranges

const clampFinite = (v: number): number => Math.min(Math.max(v, -Number.MAX_VALUE), Number.MAX_VALUE);

/** Range of x over points whose x and y are both finite; [0, 0] when there are none. */
export function dataXRange(series: readonly ChartSeries[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const n = Math.min(s.xs.length, s.ys.length);
    for (let i = 0; i < n; i++) {
      const x = s.xs[i] as number;
      if (!Number.isFinite(x) || !Number.isFinite(s.ys[i] as number)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** The finite values' extent, and that of the positive ones (a log axis needs those). */
interface Extent {
  lo: number;
  hi: number;
  positiveLo: number;
  positiveHi: number;
  nonPositive: boolean;
}

/**
 * The extent of every finite reference value and every finite series value whose x is finite and,
 * given an x range, inside it (a zoomed chart's range covers only what it shows). One pass, no
 * callbacks: this runs over every point of every series each frame.
 */
function valueExtent(series: readonly ChartSeries[], references: readonly ChartReference[], xRange?: readonly [number, number]): Extent {
  const x0 = xRange ? xRange[0] : -Infinity;
  const x1 = xRange ? xRange[1] : Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  let positiveLo = Infinity;
  let positiveHi = -Infinity;
  let nonPositive = false;
  const values: ArrayLike<number>[] = [Float64Array.from(references, (r) => r.y)];
  const xsOf: (ArrayLike<number> | null)[] = [null];
  for (const s of series) {
    values.push(s.ys);
    xsOf.push(s.xs);
  }
  for (let k = 0; k < values.length; k++) {
    const ys = values[k]!;
    const xs = xsOf[k];
    const n = xs ? Math.min(xs.length, ys.length) : ys.length;
    for (let i = 0; i < n; i++) {
      if (xs) {
        const x = xs[i] as number;
        if (!(x >= x0 && x <= x1) || !Number.isFinite(x)) continue;
      }
      const y = ys[i] as number;
      if (!Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
      if (y <= 0) nonPositive = true;
      else {
        if (y < positiveLo) positiveLo = y;
        if (y > positiveHi) positiveHi = y;
      }
    }
  }
  return { lo, hi, positiveLo, positiveHi, nonPositive };
}

/** Min and max of the finite data and reference values, or undefined if there are none. */
function finiteYExtent(
  series: readonly ChartSeries[],
  references: readonly ChartReference[],
  xRange?: readonly [number, number],
): [number, number] | undefined {
  const { lo, hi } = valueExtent(series, references, xRange);
  return lo <= hi ? [lo, hi] : undefined;
}

/** A log10 axis: its range in decades, the floor (values at or below it sit on the bottom row) and the mapping. */
export interface LogAxis {
  range: [number, number];
  floor: number;
  /** Some finite value (a KL of exactly 0, say) lies below the floor. */
  clamped: boolean;
  toAxis: (y: number) => number;
}

/**
 * The log axis for the positive values: from the smallest (at most LOG_DECADES, at least one
 * decade below the largest) to the largest plus 5%. No padding below, so the bottom row is
 * exactly the floor.
 */
export function logAxis(series: readonly ChartSeries[], references: readonly ChartReference[], xRange?: readonly [number, number]): LogAxis {
  const extent = valueExtent(series, references, xRange);
  let lo = extent.positiveLo;
  let hi = extent.positiveHi;
  const nonPositive = extent.nonPositive;
  if (!(hi > 0)) lo = hi = 1;
  const top = Math.log10(hi);
  const bottom = Math.min(top - 1, Math.max(Math.log10(lo), top - LOG_DECADES));
  return {
    range: [bottom, top + 0.05 * (top - bottom)],
    floor: 10 ** bottom,
    clamped: nonPositive || Math.log10(lo) < bottom,
    toAxis: (y) => (Number.isNaN(y) ? Number.NaN : y > 0 ? Math.max(bottom, Math.log10(y)) : bottom),
  };
}

/** Pads an extent a little; flat data gets a non-zero range; never crosses 0 for one-signed data. */
function padExtent(lo: number, hi: number): [number, number] {
  const pad = lo === hi ? Math.abs(lo) * 0.1 || 1 : 0.05 * hi - 0.05 * lo;
  let a = clampFinite(lo - pad);
  let b = clampFinite(hi + pad);
  // One-signed data (e.g. KL ≥ 0) should not cross zero; all-zero data extends upwards.
  if (lo >= 0 && a < 0) a = 0;
  else if (hi <= 0 && b > 0) b = 0;
  return [a, b];
}

/** The y range used for plotting: fixed bounds win, the rest is automatic; always lo < hi. */
export function resolveYRange(
  series: readonly ChartSeries[],
  references: readonly ChartReference[],
  yMin?: number,
  yMax?: number,
  xRange?: readonly [number, number],
): [number, number] {
  const extent = finiteYExtent(series, references, xRange);
  const auto = extent ? padExtent(extent[0], extent[1]) : ([0, 1] as [number, number]);
  const fixedLo = yMin !== undefined && Number.isFinite(yMin);
  const fixedHi = yMax !== undefined && Number.isFinite(yMax);
  let lo = fixedLo ? (yMin as number) : auto[0];
  let hi = fixedHi ? (yMax as number) : auto[1];
  if (fixedLo && fixedHi && lo > hi) [lo, hi] = [hi, lo];
  if (lo < hi) return [lo, hi];
  // Degenerate after mixing fixed and automatic bounds: widen the automatic side.
  const span = Math.abs(lo) * 0.1 || 1;
  if (fixedLo && !fixedHi) return [lo, clampFinite(lo + span)];
  if (fixedHi && !fixedLo) return [clampFinite(hi - span), hi];
  return padExtent(lo, hi);
}

// ---------------------------------------------------------------------------
// Text rows (one entry per terminal column, so widths are exact by construction)

interface Row {
  chars: string[];
  colors: (string | undefined)[];
}

function blankRow(width: number): Row {
  return { chars: new Array<string>(width).fill(" "), colors: new Array<string | undefined>(width).fill(undefined) };
}

/** Writes text at column `at`, clipped to the row; control characters become spaces. Returns the end column. */
function writeText(row: Row, at: number, text: string, color?: string): number {
  let c = at;
  for (const ch of text) {
    if (c >= row.chars.length) break;
    if (c >= 0) {
      row.chars[c] = ch < " " || ch === "\u007f" ? " " : ch;
      row.colors[c] = color;
    }
    c++;
  }
  return c;
}

/** Merges runs of equal colour into spans. */
function rowToSpans(row: Row): Span[] {
  const spans: Span[] = [];
  let text = "";
  let color: string | undefined;
  row.chars.forEach((ch, i) => {
    const cl = row.colors[i];
    if (i > 0 && cl !== color) {
      spans.push(color === undefined ? { text } : { text, color });
      text = "";
    }
    color = cl;
    text += ch;
  });
  if (text !== "") spans.push(color === undefined ? { text } : { text, color });
  return spans;
}

const codePointLength = (s: string): number => Array.from(s).length;

// ---------------------------------------------------------------------------
// Chart layout

/** Sanitises a requested size: integer, at least `min`, at most `max`, NaN → min. */
function clampSize(v: number, min: number, max: number): number {
  const n = Math.floor(v);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : min;
}

/** The value shown for a plot row: exact bounds at the edges, the cell's centre in between. */
function rowValue(r: number, plotRows: number, yRange: readonly [number, number]): number {
  const [lo, hi] = yRange;
  if (r === 0) return hi;
  if (r === plotRows - 1) return lo;
  const dotRows = plotRows * 4;
  const t = (4 * r + 1.5) / (dotRows - 1);
  return hi - t * (hi - lo);
}

/**
 * Y labels keyed by plot row: max at top, min at bottom, one in the middle when there is room.
 * On a log axis the rows' values are 10^(axis value), and a floor that values were clamped to reads "≤floor".
 */
function yLabels(plotRows: number, yRange: readonly [number, number], log?: LogAxis, maxWidth = Infinity): Map<number, string> {
  const rows = [0];
  if (plotRows >= 5) rows.push(Math.floor((plotRows - 1) / 2));
  if (plotRows >= 2) rows.push(plotRows - 1);
  const values = rows.map((r) => rowValue(r, plotRows, yRange)).map((v) => (log ? 10 ** v : v));
  // Add digits until the labels differ, so a narrow range still reads correctly.
  let labels = values.map((v) => formatAxisNumber(v));
  for (let d = 4; d <= 8 && new Set(labels).size < labels.length; d++) {
    labels = values.map((v) => formatAxisNumber(v, d));
  }
  if (log?.clamped && plotRows >= 2) {
    // Within the shared label width when one digit allows: the charts keep one left edge.
    const floor = values[values.length - 1] ?? log.floor;
    const short = `≤${formatAxisNumber(floor, 1)}`;
    const long = `≤${formatAxisNumber(floor, 2)}`;
    labels[labels.length - 1] = codePointLength(long) <= maxWidth ? long : short;
  }
  return new Map(rows.map((r, i) => [r, labels[i] ?? ""]));
}

/** Title followed by the legend: a coloured marker then the label for each series and reference. */
function legendRow(spec: ChartSpec, width: number): Row {
  const row = blankRow(width);
  let c = writeText(row, 0, spec.title);
  const entries: [string, string, string][] = [
    ...spec.series.filter((s) => !s.unlisted).map((s): [string, string, string] => [LINE_STYLES[s.style ?? "solid"].sample, s.color, s.label]),
    ...(spec.references ?? []).map((r): [string, string, string] => [LINE_STYLES[r.style ?? "dashed"].sample, r.color, r.label]),
    ...(spec.points ?? []).map((p): [string, string, string] => [Array.from(p.glyph)[0] ?? "•", p.color, p.label]),
  ];
  for (const [marker, color, label] of entries) {
    c = writeText(row, c, c === 0 ? "" : "  ");
    c = writeText(row, c, marker, color);
    c = writeText(row, c, ` ${label}`);
  }
  return row;
}

/**
 * Bottom line: the axis corner, the first step at the left, the last at the right, the window's
 * label in the middle when it fits, and each marker's label under its column. A marker wins over
 * the text it would cover: that text is left out.
 */
function xAxisRow(
  width: number,
  gutter: number,
  xRange: readonly [number, number],
  xLabel: string | undefined,
  marks: readonly [number, ChartMarker][],
  xName = "step",
): Row {
  const formatX = xName === "step" ? formatStep : (x: number) => formatAxisNumber(x);
  const row = blankRow(width);
  writeText(row, gutter - 1, "└");
  const taken = new Set(marks.map(([column]) => column));
  // Free: the text's columns and a space either side (a marker right after "step 100" would read as part of it).
  const free = (at: number, text: string) => {
    for (let c = at - 1; c <= at + codePointLength(text); c++) if (taken.has(c)) return false;
    return true;
  };
  const place = (at: number, text: string) => {
    if (!free(at, text)) return false;
    for (let c = at; c < at + codePointLength(text); c++) taken.add(c);
    writeText(row, at, text);
    return true;
  };
  // The step labels go to the edges, or as near as the markers there let them.
  const nearest = (text: string, from: number, by: number, to: number) => {
    for (let at = from; by > 0 ? at <= to : at >= to; at += by) if (free(at, text)) return at;
    return -1;
  };
  const left = `${xName} ${formatX(xRange[0])}`;
  const leftAt = nearest(left, gutter, 1, gutter + 4);
  if (leftAt >= 0) place(leftAt, left);
  const leftEnd = leftAt >= 0 ? leftAt + codePointLength(left) + 1 : gutter;
  const candidates = xRange[1] === xRange[0] ? [] : [`${xName} ${formatX(xRange[1])}`, formatX(xRange[1])];
  let right: string | undefined;
  for (const text of candidates) {
    const at = nearest(text, width - codePointLength(text), -1, Math.max(leftEnd, width - codePointLength(text) - 4));
    if (at >= leftEnd) {
      right = text;
      place(at, text);
      break;
    }
  }
  if (xLabel) {
    // Centred, else beside the left label, else beside the right one (a marker may sit in the middle).
    const n = codePointLength(xLabel);
    const spots = [gutter + Math.floor((width - gutter - n) / 2), gutter + codePointLength(left) + 2, width - codePointLength(right ?? "") - 2 - n];
    spots.find((at) => at >= gutter && at + n <= width && place(at, xLabel));
  }
  for (const [column, marker] of marks) writeText(row, column, Array.from(marker.label)[0] ?? "|", marker.color);
  return row;
}

/** One plot row: right-aligned y label, the axis character, then the braille cells in colour. */
function plotRow(
  grid: BrailleGrid,
  r: number,
  width: number,
  gutter: number,
  label: string | undefined,
  colors: readonly string[],
  glyphs?: ReadonlyMap<number, { glyph: string; color: string }>,
): Row {
  const row = blankRow(width);
  if (label !== undefined) writeText(row, gutter - 1 - codePointLength(label), label);
  writeText(row, gutter - 1, label !== undefined ? "┤" : "│");
  for (let c = 0; c < grid.cols; c++) {
    const cell = r * grid.cols + c;
    const bits = grid.bits[cell] ?? 0;
    const glyph = glyphs?.get(cell);
    if (glyph) writeText(row, gutter + c, glyph.glyph, glyph.color);
    else writeText(row, gutter + c, cellChar(bits), bits === 0 ? undefined : colors[grid.owner[cell] ?? -1]);
  }
  return row;
}

/**
 * Renders the chart block: exactly `height` lines (at least MIN_HEIGHT, less one for each of the
 * legend and the axis left out) of `width` columns (at least MIN_WIDTH).
 */
export function renderChart(spec: ChartSpec): ChartLines {
  const showLegend = spec.legend !== false;
  const showAxis = spec.xAxis !== false;
  const chrome = (showLegend ? 1 : 0) + (showAxis ? 1 : 0);
  const width = clampSize(spec.width, MIN_WIDTH, MAX_WIDTH);
  const height = clampSize(spec.height, MIN_HEIGHT - 2 + chrome, MAX_HEIGHT);
  const references = (spec.references ?? []).filter((r) => Number.isFinite(r.y));
  const points = spec.points ?? [];
  // The scatter layers count for the ranges like series do.
  const ranged: ChartSeries[] = [...spec.series, ...points.map((p) => ({ label: p.label, color: p.color, xs: p.xs, ys: p.ys }))];
  const xRange: [number, number] = spec.xRange ? [spec.xRange[0], spec.xRange[1]] : dataXRange(ranged);
  const log = spec.yScale === "log" ? logAxis(ranged, references, spec.xRange) : undefined;
  const yRange = log ? log.range : resolveYRange(ranged, references, spec.yMin, spec.yMax, spec.xRange);
  const toAxis = log?.toAxis;
  const plotRows = height - chrome;
  const labels = yLabels(plotRows, yRange, log, spec.labelWidth);
  if (!showLegend) labels.set(0, spec.title);
  const labelWidth = Math.max(spec.labelWidth ?? 0, ...[...labels.values()].map(codePointLength));
  // Drop the labels rather than the plot when the chart is very narrow.
  const showLabels = width - (labelWidth + 1) >= MIN_PLOT_COLS_WITH_LABELS;
  const gutter = showLabels ? labelWidth + 1 : 1;
  const grid = createGrid(width - gutter, plotRows);

  // Markers, then references, then data on top; owners index into `colors`.
  const markers = spec.markers ?? [];
  const marks: [number, ChartMarker][] = [];
  for (const m of markers) {
    const dx = dotColumn(m.x, xRange, grid.cols * 2);
    if (dx < 0 || dx >= grid.cols * 2 || !Number.isFinite(m.x)) continue;
    plotMarker(grid, dx, marks.length);
    marks.push([gutter + (dx >> 1), m]);
  }
  const colors = [...marks.map(([, m]) => m.color), ...references.map((r) => r.color), ...spec.series.map((s) => s.color)];
  references.forEach((r, i) => plotReference(grid, toAxis ? toAxis(r.y) : r.y, yRange, marks.length + i, r.style));
  spec.series.forEach((s, i) => plotSeries(grid, s.xs, s.ys, xRange, yRange, createPen(marks.length + references.length + i, s.style), toAxis));

  // Each scatter point claims its cell (a later layer wins a shared cell); points outside the plot are dropped.
  const glyphs = new Map<number, { glyph: string; color: string }>();
  for (const p of points) {
    const glyph = Array.from(p.glyph)[0] ?? "•";
    for (let i = 0; i < Math.min(p.xs.length, p.ys.length); i++) {
      const x = p.xs[i] as number;
      const y = toAxis ? toAxis(p.ys[i] as number) : (p.ys[i] as number);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const dx = dotColumn(x, xRange, grid.cols * 2);
      const dy = dotRow(y, yRange, grid.rows * 4);
      if (dx < 0 || dx >= grid.cols * 2 || dy < 0 || dy >= grid.rows * 4) continue;
      glyphs.set((dy >> 2) * grid.cols + (dx >> 1), { glyph, color: p.color });
    }
  }
  const rows: Row[] = showLegend ? [legendRow({ ...spec, references }, width)] : [];
  for (let r = 0; r < plotRows; r++) {
    rows.push(plotRow(grid, r, width, gutter, showLabels ? labels.get(r) : undefined, colors, glyphs));
  }
  if (showAxis) rows.push(xAxisRow(width, gutter, xRange, spec.xLabel, marks, spec.xName));
  const spans = rows.map(rowToSpans);
  return { lines: spans.map((s) => s.map((p) => p.text).join("")), spans, yRange, xRange };
}
