/**
 * The sequence panel's text (sequence scenarios, in place of the token panel): the top sequences by
 * π as token strings with their probabilities under π, π_ref and π*, then the per-position KL
 * profile — each position's share Σ_{depth t} P(n)·KL(π(·|n)‖π_ref(·|n)) of the sequence KL, as bars
 * — and the mean length and token-mean KL. Pure, no ink.
 */
import type { Span } from "./chart/braille.js";
import { fit, formatProbability, formatValue } from "./number-format.js";
import { COLORS } from "./palette.js";
import { clipSpans } from "./token-rows.js";
import { selectTokens, type TokenView } from "./tokens.js";

export interface SequencePanelInput {
  /** π(y), π_ref(y) and π*(y) over the complete sequences. */
  policy: ArrayLike<number>;
  reference: ArrayLike<number>;
  optimum: ArrayLike<number>;
  /** Sequence y as its tokens' names. */
  label: (y: number) => string;
  /** Position t → its share of the reverse sequence KL (null: not known yet). */
  profile: ArrayLike<number> | null;
  meanLength: number;
  tokenMeanKL: number;
}

export interface SequencePanelLines {
  lines: Span[][];
  /** The sequences shown and the scroll bounds (the same keys scroll it as the token panel). */
  view: TokenView;
}

const PARTIAL = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
const VALUE = 7;

/** A bar of `width` cells for value/max, in eighths. */
function bar(value: number, max: number, width: number): string {
  const eighths = max > 0 && Number.isFinite(value) ? Math.round(Math.min(1, Math.max(0, value / max)) * width * 8) : 0;
  return "█".repeat(Math.floor(eighths / 8)) + (PARTIAL[eighths % 8] ?? "");
}

/** Rows the KL profile takes: a heading, one row per position (binned when T does not fit), the summary line. */
function profileRows(T: number, rows: number): number {
  const available = Math.floor(rows / 2) - 2;
  return available < 1 ? 0 : Math.min(T, available);
}

export function sequencePanel(p: SequencePanelInput, width: number, rows: number, scroll: number): SequencePanelLines {
  const S = p.policy.length;
  const T = p.profile?.length ?? 0;
  const bins = profileRows(T, rows);
  const profileLines = bins > 0 ? bins + 2 : 0;
  // Header (1) and column heads (1), then the sequences; a sequence takes two rows when its label and the three values do not fit on one.
  const values = 3 * (VALUE + 1);
  const labelWidth = width - values;
  const bodyRows = Math.max(0, rows - profileLines - 2);
  const probe = selectTokens(p.policy, bodyRows, scroll);
  const twoRow = probe.indices.some((y) => Array.from(p.label(y)).length > labelWidth) || labelWidth < 6;
  const view = twoRow ? selectTokens(p.policy, Math.floor(bodyRows / 2), scroll) : probe;
  const n = view.indices.length;
  const what = view.byMass ? (view.offset === 0 ? `top ${n} of ${S} sequences` : `${view.offset + 1}–${view.offset + n} of ${S}`) : `sequences (${S})`;
  const lines: Span[][] = [clipSpans([{ text: `${what}${view.byMass ? " ↑↓" : ""}` }], width)];
  const heads: Span[] = [
    { text: fit("", twoRow ? width - values : labelWidth) },
    { text: fit("π", VALUE + 1, "right"), color: COLORS.policy },
    { text: fit("π_ref", VALUE + 1, "right"), color: COLORS.reference },
    { text: fit("π*", VALUE + 1, "right"), color: COLORS.optimum },
  ];
  lines.push(clipSpans(heads, width));
  for (const y of view.indices) {
    const numbers: Span[] = [
      { text: " " + fit(formatProbability(p.policy[y] ?? NaN), VALUE, "right"), color: COLORS.policy },
      { text: " " + fit(formatProbability(p.reference[y] ?? NaN), VALUE, "right"), color: COLORS.reference },
      { text: " " + fit(formatProbability(p.optimum[y] ?? NaN), VALUE, "right"), color: COLORS.optimum },
    ];
    if (twoRow) {
      lines.push(clipSpans([{ text: p.label(y) }], width));
      lines.push(clipSpans([{ text: fit("", Math.max(0, width - values)) }, ...numbers], width));
    } else lines.push(clipSpans([{ text: fit(p.label(y), labelWidth) }, ...numbers], width));
  }
  if (bins > 0 && p.profile) {
    while (lines.length < rows - profileLines) lines.push(clipSpans([], width));
    lines.push(...profileLinesOf(p, p.profile, bins, width));
  }
  return { lines: lines.slice(0, rows), view };
}

/** "KL by position", one bar per position (or per bin of positions), and "E[L] … token-mean KL …". */
function profileLinesOf(p: SequencePanelInput, profile: ArrayLike<number>, bins: number, width: number): Span[][] {
  const T = profile.length;
  const sums: number[] = [];
  const names: string[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * T) / bins);
    const to = Math.floor(((b + 1) * T) / bins);
    let sum = 0;
    for (let t = from; t < to; t++) sum += profile[t]!;
    sums.push(sum);
    names.push(to - from === 1 ? `t${from}` : `t${from}–${to - 1}`);
  }
  let total = 0;
  for (let t = 0; t < T; t++) total += profile[t]!;
  const max = Math.max(0, ...sums);
  const nameWidth = Math.max(...names.map((s) => s.length));
  const barWidth = Math.max(1, width - nameWidth - VALUE - 2);
  const out: Span[][] = [clipSpans([{ text: `KL by position (Σ ${formatValue(total, 3)})`, color: COLORS.reverseKL }], width)];
  sums.forEach((sum, b) => {
    out.push(
      clipSpans(
        [
          { text: fit(names[b]!, nameWidth) + " " },
          { text: fit(bar(sum, max, barWidth), barWidth), color: COLORS.reverseKL },
          { text: " " + fit(formatValue(sum, 3), VALUE, "right") },
        ],
        width,
      ),
    );
  });
  const [L, kl] = [formatValue(p.meanLength, 3), formatValue(p.tokenMeanKL, 3)];
  const summary = `E[L] ${L}  token-mean KL ${kl}`;
  out.push(clipSpans([{ text: Array.from(summary).length <= width ? summary : `E[L] ${L} KL/token ${kl}`, color: COLORS.info }], width));
  return out;
}
