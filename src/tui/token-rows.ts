/**
 * The token panel's text: a header, then per token three bars (π, π_ref, π*) or one compact row
 * (π's bar with │ π_ref and ◆ π* marks). Pure, no ink: the live panel and the report share it.
 */
import { formatAxisNumber, type Span } from "./chart/braille.js";
import { fit, formatProbability } from "./number-format.js";
import { COLORS } from "./palette.js";
import { scaleFor, selectTokens, type TokenProbabilities, type TokenView } from "./tokens.js";

const PARTIAL = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const REF_MARK = "│";
const OPT_MARK = "◆";

/** `width` cells: π as a solid bar (in eighths), π_ref as │ and π* as ◆ at their positions. */
export function barSpans(pi: number, ref: number, opt: number, scale: number, width: number): Span[] {
  const cells: { ch: string; color?: string }[] = [];
  const eighths = Math.round(Math.min(1, Math.max(0, pi / scale)) * width * 8);
  for (let c = 0; c < width; c++) {
    const filled = Math.min(8, Math.max(0, eighths - c * 8));
    cells.push(filled === 8 ? { ch: "█", color: COLORS.policy } : filled > 0 ? { ch: PARTIAL[filled]!, color: COLORS.policy } : { ch: " " });
  }
  const at = (v: number) => Math.min(width - 1, Math.max(0, Math.floor((v / scale) * width)));
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

/** Column widths of a token table `width` wide. */
export function tokenColumns(labels: readonly string[], indices: readonly number[], width: number) {
  const longest = Math.max(5, ...indices.map((i) => Array.from(labels[i] ?? `t${i}`).length));
  const label = Math.min(longest, 14, Math.max(4, Math.floor(width / 3)));
  const value = 6;
  // π* gets its own number column when there is room for a useful bar beside it.
  const optimum = width - label - value - 2 >= 30 ? 9 : 0;
  const bar = Math.max(1, width - label - value - optimum - 2);
  return { label, bar, value, optimum };
}

/** One token's row: label, bar, π, and (when wide) π*. Exactly `width` columns. */
export function tokenRowSpans(p: TokenProbabilities, index: number, scale: number, columns: ReturnType<typeof tokenColumns>): Span[] {
  const pi = p.policy[index] ?? NaN;
  const opt = p.optimum[index] ?? NaN;
  const spans: Span[] = [{ text: fit(p.labels[index] ?? `t${index}`, columns.label) + " " }];
  spans.push(...barSpans(pi, p.reference[index] ?? NaN, opt, scale, columns.bar));
  spans.push({ text: " " + fit(formatProbability(pi), columns.value, "right") });
  if (columns.optimum) spans.push({ text: fit(`π* ${formatProbability(opt)}`, columns.optimum, "right"), color: COLORS.optimum });
  return spans;
}

/** The header above the rows: which tokens, what the marks mean, the bar's full scale; two lines when narrow. */
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
 * The whole panel: a header, then per token either three bars (π, π_ref, π*) when there is room
 * for every token that way, or one compact row (π's bar with │ π_ref and ◆ π* marks), scrolling
 * through the tokens ranked by π mass when they do not all fit.
 */
export function tokenPanel(p: TokenProbabilities, width: number, rows: number, scroll: number): TokenPanelLines {
  const V = p.policy.length;
  const body = Math.max(0, rows - 1);
  if (3 * V <= body) {
    const view: TokenView = { indices: Array.from({ length: V }, (_, i) => i), byMass: false, offset: 0, maxOffset: 0 };
    const scale = scaleFor(p, view.indices);
    const gap = 4 * V - 1 <= body;
    const lines: Span[][] = [expandedHeader(V, scale, width)];
    view.indices.forEach((i, k) => {
      if (gap && k > 0) lines.push([{ text: " ".repeat(width) }]);
      lines.push(...expandedRows(p, i, scale, width));
    });
    return { lines, view };
  }
  // The header's height depends on the width only, so measure it with a stand-in view.
  const headerRows = tokenHeaderLines({ indices: [0], byMass: true, offset: V, maxOffset: V }, V, 0.005, width).length;
  const view = selectTokens(p.policy, Math.max(0, rows - headerRows), scroll);
  const scale = scaleFor(p, view.indices);
  const columns = tokenColumns(p.labels, view.indices, width);
  const rowsSpans = view.indices.map((i) => clipSpans(tokenRowSpans(p, i, scale, columns), width));
  return { lines: [...tokenHeaderLines(view, V, scale, width), ...rowsSpans], view };
}

const TAGS = [
  { tag: "π", color: COLORS.policy },
  { tag: "ref", color: COLORS.reference },
  { tag: "π*", color: COLORS.optimum },
] as const;

function expandedHeader(V: number, scale: number, width: number): Span[] {
  return clipSpans([{ text: `tokens (${V}) · bars 0–${formatAxisNumber(scale)}` }], width);
}

/** Three rows for one token: its label beside the π bar, then π_ref's and π*'s bars. */
function expandedRows(p: TokenProbabilities, index: number, scale: number, width: number): Span[][] {
  const labelWidth = Math.min(14, Math.max(4, ...p.labels.map((l) => Array.from(l).length)), Math.max(4, Math.floor(width / 3)));
  const tagWidth = 4;
  const valueWidth = 6;
  const barWidth = Math.max(1, width - labelWidth - tagWidth - valueWidth - 2);
  const values = [p.policy[index] ?? NaN, p.reference[index] ?? NaN, p.optimum[index] ?? NaN];
  return TAGS.map(({ tag, color }, k) => {
    const value = values[k]!;
    const label = k === 0 ? (p.labels[index] ?? `t${index}`) : "";
    const eighths = Math.round(Math.min(1, Math.max(0, value / scale)) * barWidth * 8);
    const bar = "█".repeat(Math.floor(eighths / 8)) + (PARTIAL[eighths % 8] ?? "");
    return clipSpans(
      [
        { text: fit(label, labelWidth) + " " },
        { text: fit(tag, tagWidth) },
        { text: fit(bar, barWidth), color },
        { text: " " + fit(formatProbability(value), valueWidth, "right") },
      ],
      width,
    );
  });
}
