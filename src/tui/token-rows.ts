/**
 * The token panel's text: a header, then per token either an info line (reward r, log-ratio
 * ℓ = log π/π_ref) over three bars (π, π_ref, π*), or a compact row (π's bar with │ π_ref and
 * ◆ π* marks) with r and ℓ beside it or on a line below. The bars' scale is fixed per scenario
 * (tokens.ts), so it does not change from page to page. Pure, no ink: the live panel and the report share it.
 */
import { formatAxisNumber, type Span } from "./chart/braille.js";
import { fit, formatProbability, formatValue } from "./number-format.js";
import { COLORS } from "./palette.js";
import { selectTokens, type TokenProbabilities, type TokenView } from "./tokens.js";

const PARTIAL = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const REF_MARK = "│";
const OPT_MARK = "◆";
/** π beyond the fixed scale: its bar ends in this. */
const OVER_MARK = "▸";

/** `width` cells: π as a solid bar (in eighths), π_ref as │ and π* as ◆ at their positions; ▸ when π is off the scale. */
export function barSpans(pi: number, ref: number, opt: number, scale: number, width: number): Span[] {
  const cells: { ch: string; color?: string }[] = [];
  const eighths = Math.round(Math.min(1, Math.max(0, pi / scale)) * width * 8);
  for (let c = 0; c < width; c++) {
    const filled = Math.min(8, Math.max(0, eighths - c * 8));
    cells.push(filled === 8 ? { ch: "█", color: COLORS.policy } : filled > 0 ? { ch: PARTIAL[filled]!, color: COLORS.policy } : { ch: " " });
  }
  const at = (v: number) => Math.min(width - 1, Math.max(0, Math.floor((v / scale) * width)));
  if (width > 0 && pi > scale) cells[width - 1] = { ch: OVER_MARK, color: COLORS.policy };
  if (width > 0 && Number.isFinite(ref)) cells[at(ref)] = { ch: REF_MARK, color: COLORS.reference };
  if (width > 0 && Number.isFinite(opt)) cells[at(opt)] = { ch: OPT_MARK, color: COLORS.optimum };
  return mergeCells(cells);
}

function mergeCells(cells: { ch: string; color?: string }[]): Span[] {
  const spans: Span[] = [];
  for (const cell of cells) {
    const lastSpan = spans[spans.length - 1];
    if (lastSpan && lastSpan.color === cell.color) lastSpan.text += cell.ch;
    else spans.push(cell.color === undefined ? { text: cell.ch } : { text: cell.ch, color: cell.color });
  }
  return spans;
}

/** ℓ_i = log π_i − log π_ref,i from log π = θ − logZ (never the log of a probability); NaN when not known. */
export function logRatio(p: TokenProbabilities, index: number): number {
  const logPi = p.logPolicy?.[index];
  const logRef = p.logReference?.[index];
  return logPi === undefined || logRef === undefined ? NaN : logPi - logRef;
}

/** A log-ratio with its sign: "+1.04", "-0.33", "0". */
export function formatLogRatio(x: number): string {
  const text = formatValue(x, 3);
  return x > 0 && Number.isFinite(x) ? `+${text}` : text;
}

/** "r 1  ℓ +1.04" (either part left out when not known). */
function infoText(p: TokenProbabilities, index: number): string {
  const parts: string[] = [];
  const r = p.reward?.[index];
  if (r !== undefined) parts.push(`r ${formatValue(r, 3)}`);
  const l = logRatio(p, index);
  if (!Number.isNaN(l)) parts.push(`ℓ ${formatLogRatio(l)}`);
  return parts.join("  ");
}

// Compact rows: the bar keeps at least this many cells before ℓ, r and π* columns are added.
const BAR_MIN = { logRatio: 5, reward: 8, optimum: 10 } as const;
const WIDTHS = { value: 6, logRatio: 7, reward: 6, optimum: 9 } as const;

/** Column widths of a compact token table `width` wide: optional columns in priority order ℓ, r (unless `info` is false), π*. */
export function tokenColumns(p: TokenProbabilities, indices: readonly number[], width: number, info = true) {
  const longest = Math.max(5, ...indices.map((i) => Array.from(p.labels[i] ?? `t${i}`).length));
  const label = Math.min(longest, 14, Math.max(4, Math.floor(width / 3)));
  let bar = Math.max(1, width - label - WIDTHS.value - 2);
  const take = (wanted: boolean, columnWidth: number, minBar: number) => {
    if (!wanted || bar - columnWidth - 1 < minBar) return 0;
    bar -= columnWidth + 1;
    return columnWidth;
  };
  const logRatioWidth = take(info && p.logPolicy !== undefined && p.logReference !== undefined, WIDTHS.logRatio, BAR_MIN.logRatio);
  const reward = take(info && p.reward !== undefined, WIDTHS.reward, BAR_MIN.reward);
  const optimum = take(true, WIDTHS.optimum, BAR_MIN.optimum);
  return { label, bar, value: WIDTHS.value, logRatio: logRatioWidth, reward, optimum };
}

/** One token's compact row: label, bar, π, and the optional columns. Exactly `width` columns once clipped. */
export function tokenRowSpans(p: TokenProbabilities, index: number, scale: number, columns: ReturnType<typeof tokenColumns>): Span[] {
  const pi = p.policy[index] ?? NaN;
  const opt = p.optimum[index] ?? NaN;
  const spans: Span[] = [{ text: fit(p.labels[index] ?? `t${index}`, columns.label) + " " }];
  spans.push(...barSpans(pi, p.reference[index] ?? NaN, opt, scale, columns.bar));
  spans.push({ text: " " + fit(formatProbability(pi), columns.value, "right") });
  if (columns.logRatio) spans.push({ text: " " + fit(`ℓ${fit(formatLogRatio(logRatio(p, index)), columns.logRatio - 1, "right")}`, columns.logRatio) });
  if (columns.reward) spans.push({ text: " " + fit(`r${fit(formatValue(p.reward?.[index] ?? NaN, 3), columns.reward - 1, "right")}`, columns.reward) });
  if (columns.optimum) spans.push({ text: " " + fit(`π* ${formatProbability(opt)}`, columns.optimum, "right"), color: COLORS.optimum });
  return spans;
}

/** The header above compact rows: which tokens, what the marks mean, the bar's full scale; two lines when narrow. */
export function tokenHeaderLines(view: TokenView, V: number, scale: number, width: number): Span[][] {
  const n = view.indices.length;
  const what = view.byMass ? (view.offset === 0 ? `top ${n} of ${V} by π` : `${view.offset + 1}–${view.offset + n} of ${V} by π`) : `tokens (${V})`;
  const legend: Span[] = [
    { text: "█", color: COLORS.policy },
    { text: " π " },
    { text: REF_MARK, color: COLORS.reference },
    { text: " π_ref " },
    { text: OPT_MARK, color: COLORS.optimum },
    { text: ` π*  0–${formatAxisNumber(scale)}` },
  ];
  const hint = view.byMass ? " ↑↓" : "";
  const oneLine: Span[] = [{ text: `${what}${hint}  ` }, ...legend];
  const length = oneLine.reduce((k, span) => k + Array.from(span.text).length, 0);
  if (length <= width) return [clipSpans(oneLine, width)];
  return [clipSpans([{ text: what + hint }], width), clipSpans(legend, width)];
}

/** Clips spans to `width` columns and pads to exactly `width`. */
export function clipSpans(spans: readonly Span[], width: number): Span[] {
  const out: Span[] = [];
  let left = width;
  for (const span of spans) {
    if (left <= 0) break;
    const chars = Array.from(span.text).slice(0, left);
    left -= chars.length;
    out.push(span.color === undefined ? { text: chars.join("") } : { text: chars.join(""), color: span.color });
  }
  if (left > 0) out.push({ text: " ".repeat(left) });
  return out;
}

export interface TokenPanelLines {
  /** Exactly `rows` lines (or fewer when the vocabulary is small), each `width` columns. */
  lines: Span[][];
  view: TokenView;
}

/**
 * The whole panel on the bar scale `scale`: a header, then per token an info line over three bars
 * when four rows per token fit; a compact row and an info line under it when two do; else one
 * compact row per token, scrolling through the tokens ranked by π mass when they do not all fit.
 */
export function tokenPanel(p: TokenProbabilities, width: number, rows: number, scroll: number, scale: number): TokenPanelLines {
  const V = p.policy.length;
  const body = Math.max(0, rows - 1);
  const all: TokenView = { indices: Array.from({ length: V }, (_, i) => i), byMass: false, offset: 0, maxOffset: 0 };
  if (4 * V <= body) {
    const lines: Span[][] = [clipSpans([{ text: `tokens (${V}) · bars 0–${formatAxisNumber(scale)}` }], width)];
    for (const i of all.indices) lines.push(...expandedRows(p, i, scale, width));
    return { lines, view: all };
  }
  // The header's height depends on the width only, so measure it with a stand-in view.
  const headerRows = tokenHeaderLines({ indices: [0], byMass: true, offset: V, maxOffset: V }, V, 0.005, width).length;
  const twoLine = 2 * V <= rows - headerRows && infoText(p, 0) !== "";
  const view = twoLine ? all : selectTokens(p.policy, Math.max(0, rows - headerRows), scroll);
  const columns = tokenColumns(p, view.indices, width, !twoLine); // two lines: r and ℓ go on the second
  const lines = [...tokenHeaderLines(view, V, scale, width)];
  for (const i of view.indices) {
    lines.push(clipSpans(tokenRowSpans(p, i, scale, columns), width));
    if (twoLine) lines.push(clipSpans([{ text: `${" ".repeat(Math.min(2, columns.label))}${infoText(p, i)}`, color: COLORS.info }], width));
  }
  return { lines, view };
}

const TAGS = [
  { tag: "π", color: COLORS.policy },
  { tag: "ref", color: COLORS.reference },
  { tag: "π*", color: COLORS.optimum },
] as const;

/** Four rows for one token: its label with r and ℓ, then π's, π_ref's and π*'s bars. */
function expandedRows(p: TokenProbabilities, index: number, scale: number, width: number): Span[][] {
  const tagWidth = 4;
  const valueWidth = 6;
  const barWidth = Math.max(1, width - tagWidth - valueWidth - 2);
  const values = [p.policy[index] ?? NaN, p.reference[index] ?? NaN, p.optimum[index] ?? NaN];
  const info = infoText(p, index);
  const head = clipSpans([{ text: p.labels[index] ?? `t${index}` }, ...(info ? [{ text: `  ${info}`, color: COLORS.info }] : [])], width);
  return [
    head,
    ...TAGS.map(({ tag, color }, k) => {
      const value = values[k]!;
      const eighths = Math.round(Math.min(1, Math.max(0, value / scale)) * barWidth * 8);
      const over = value > scale ? OVER_MARK : "";
      const bar = "█".repeat(Math.floor(eighths / 8) - (over ? 1 : 0)) + (over || (PARTIAL[eighths % 8] ?? ""));
      return clipSpans(
        [{ text: " " + fit(tag, tagWidth) }, { text: fit(bar, barWidth), color }, { text: " " + fit(formatProbability(value), valueWidth, "right") }],
        width,
      );
    }),
  ];
}
