// Braille line-chart renderer: a pure function from plain data to text lines plus colour spans.
// Each terminal cell is a braille character holding a 2×4 grid of dots, so a chart of
// `cols × rows` cells has `2·cols × 4·rows` addressable dots.

export interface ChartSeries {
  label: string;
  color: string;
  /** Step numbers, assumed increasing. */
  xs: ArrayLike<number>;
  /** Values; non-finite entries are skipped (and break the line). */
  ys: ArrayLike<number>;
}

export interface ChartReference {
  label: string;
  color: string;
  /** Drawn as a dashed horizontal line; skipped if non-finite. */
  y: number;
}

export interface ChartSpec {
  title: string;
  /** Total columns including the y-axis gutter. */
  width: number;
  /** Total rows including the legend line and the x-axis line. */
  height: number;
  series: ChartSeries[];
  references?: ChartReference[];
  yMin?: number;
  yMax?: number;
  /** Minimum width of the y labels, so charts stacked above each other share one left edge. */
  labelWidth?: number;
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
export const MIN_HEIGHT = 3;
// Caps keep absurd sizes from allocating huge buffers or throwing in String#repeat.
const MAX_WIDTH = 2000;
const MAX_HEIGHT = 500;
// Below this many plot columns the y labels are dropped to leave room for the plot.
const MIN_PLOT_COLS_WITH_LABELS = 4;
const SERIES_MARKER = "━";
const REFERENCE_MARKER = "┄";

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

/** Bresenham line in dot space, both ends included. */
export function drawLine(grid: BrailleGrid, x0: number, y0: number, x1: number, y1: number, owner: number): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  let x = x0;
  let y = y0;
  for (;;) {
    setDot(grid, x, y, owner);
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
 * A non-finite point breaks the line.
 */
export function plotSeries(
  grid: BrailleGrid,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  owner: number,
): void {
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
    if (linked) drawLine(grid, prevCol, prevLast, col, first, owner);
    drawLine(grid, col, lo, col, hi, owner);
    prevCol = col;
    prevLast = last;
    linked = true;
    open = false;
  };

  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
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

/** Dashed horizontal line: dot columns lit in pairs (one full cell on, one off). */
export function plotReference(grid: BrailleGrid, y: number, yRange: readonly [number, number], owner: number): void {
  if (!Number.isFinite(y)) return;
  const dotRows = grid.rows * 4;
  const row = dotRow(y, yRange, dotRows);
  if (row < 0 || row >= dotRows) return;
  for (let dx = 0; dx < grid.cols * 2; dx++) {
    if ((dx & 2) === 0) setDot(grid, dx, row, owner);
  }
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

/** Min and max of the finite data and reference values, or undefined if there are none. */
function finiteYExtent(series: readonly ChartSeries[], references: readonly ChartReference[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (y: number): void => {
    if (!Number.isFinite(y)) return;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  };
  for (const s of series) {
    const n = Math.min(s.xs.length, s.ys.length);
    for (let i = 0; i < n; i++) if (Number.isFinite(s.xs[i] as number)) see(s.ys[i] as number);
  }
  for (const r of references) see(r.y);
  return lo <= hi ? [lo, hi] : undefined;
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
export function resolveYRange(series: readonly ChartSeries[], references: readonly ChartReference[], yMin?: number, yMax?: number): [number, number] {
  const extent = finiteYExtent(series, references);
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

/** Y labels keyed by plot row: max at top, min at bottom, one in the middle when there is room. */
function yLabels(plotRows: number, yRange: readonly [number, number]): Map<number, string> {
  const rows = [0];
  if (plotRows >= 5) rows.push(Math.floor((plotRows - 1) / 2));
  if (plotRows >= 2) rows.push(plotRows - 1);
  const values = rows.map((r) => rowValue(r, plotRows, yRange));
  // Add digits until the labels differ, so a narrow range still reads correctly.
  let labels = values.map((v) => formatAxisNumber(v));
  for (let d = 4; d <= 8 && new Set(labels).size < labels.length; d++) {
    labels = values.map((v) => formatAxisNumber(v, d));
  }
  return new Map(rows.map((r, i) => [r, labels[i] ?? ""]));
}

/** Title followed by the legend: a coloured marker then the label for each series and reference. */
function legendRow(spec: ChartSpec, width: number): Row {
  const row = blankRow(width);
  let c = writeText(row, 0, spec.title);
  const entries: [string, string, string][] = [
    ...spec.series.map((s): [string, string, string] => [SERIES_MARKER, s.color, s.label]),
    ...(spec.references ?? []).map((r): [string, string, string] => [REFERENCE_MARKER, r.color, r.label]),
  ];
  for (const [marker, color, label] of entries) {
    c = writeText(row, c, c === 0 ? "" : "  ");
    c = writeText(row, c, marker, color);
    c = writeText(row, c, ` ${label}`);
  }
  return row;
}

/** Bottom line: the axis corner, then the first step at the left and the last at the right. */
function xAxisRow(width: number, gutter: number, xRange: readonly [number, number]): Row {
  const row = blankRow(width);
  writeText(row, gutter - 1, "└");
  const room = width - gutter;
  const left = `step ${formatStep(xRange[0])}`;
  const candidates = xRange[1] === xRange[0] ? [] : [`step ${formatStep(xRange[1])}`, formatStep(xRange[1])];
  writeText(row, gutter, left);
  const right = candidates.find((r) => codePointLength(left) + 1 + codePointLength(r) <= room);
  if (right !== undefined) writeText(row, width - codePointLength(right), right);
  return row;
}

/** One plot row: right-aligned y label, the axis character, then the braille cells in colour. */
function plotRow(grid: BrailleGrid, r: number, width: number, gutter: number, label: string | undefined, colors: readonly string[]): Row {
  const row = blankRow(width);
  if (label !== undefined) writeText(row, gutter - 1 - codePointLength(label), label);
  writeText(row, gutter - 1, label !== undefined ? "┤" : "│");
  for (let c = 0; c < grid.cols; c++) {
    const cell = r * grid.cols + c;
    const bits = grid.bits[cell] ?? 0;
    writeText(row, gutter + c, cellChar(bits), bits === 0 ? undefined : colors[grid.owner[cell] ?? -1]);
  }
  return row;
}

/** Renders the chart block: exactly `height` lines (at least MIN_HEIGHT) of `width` columns (at least MIN_WIDTH). */
export function renderChart(spec: ChartSpec): ChartLines {
  const width = clampSize(spec.width, MIN_WIDTH, MAX_WIDTH);
  const height = clampSize(spec.height, MIN_HEIGHT, MAX_HEIGHT);
  const references = (spec.references ?? []).filter((r) => Number.isFinite(r.y));
  const xRange = dataXRange(spec.series);
  const yRange = resolveYRange(spec.series, references, spec.yMin, spec.yMax);
  const plotRows = height - 2;
  const labels = yLabels(plotRows, yRange);
  const labelWidth = Math.max(spec.labelWidth ?? 0, ...[...labels.values()].map(codePointLength));
  // Drop the labels rather than the plot when the chart is very narrow.
  const showLabels = width - (labelWidth + 1) >= MIN_PLOT_COLS_WITH_LABELS;
  const gutter = showLabels ? labelWidth + 1 : 1;
  const grid = createGrid(width - gutter, plotRows);

  // References first so data is drawn on top; owners index into `colors`.
  const colors = [...references.map((r) => r.color), ...spec.series.map((s) => s.color)];
  references.forEach((r, i) => plotReference(grid, r.y, yRange, i));
  spec.series.forEach((s, i) => plotSeries(grid, s.xs, s.ys, xRange, yRange, references.length + i));

  const rows: Row[] = [legendRow({ ...spec, references }, width)];
  for (let r = 0; r < plotRows; r++) {
    rows.push(plotRow(grid, r, width, gutter, showLabels ? labels.get(r) : undefined, colors));
  }
  rows.push(xAxisRow(width, gutter, xRange));
  const spans = rows.map(rowToSpans);
  return { lines: spans.map((s) => s.map((p) => p.text).join("")), spans, yRange, xRange };
}
