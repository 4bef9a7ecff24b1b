/**
 * Fit mode's token panel: the teacher and the student over the ordered tokens as one histogram,
 * the student as bars (in eighths of a cell), the teacher as a dot at its height in each column,
 * so that covering both modes and sitting on one look like what they are. Below it the student's
 * parameters and both KLs. Tokens are binned when there are more than columns. Pure, no ink.
 */
import type { Span } from "./chart/braille.js";
import { fit, formatValue } from "./number-format.js";
import { COLORS } from "./palette.js";
import { clipSpans } from "./token-rows.js";

const LEVELS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const TEACHER_MARK = "•";
/** Taller bars add no information and push the numbers away. */
const MAX_BAR_ROWS = 16;

export interface FitView {
  student: ArrayLike<number>;
  teacher: ArrayLike<number>;
  /** The student's family and parameters (μ, σ, …). */
  family: string;
  parameters: readonly { name: string; value: number }[];
  /** KL(teacher‖student), KL(student‖teacher). */
  forwardKL: number;
  reverseKL: number;
}

/** Σ of `p` over each bin of `size` consecutive tokens. */
function binned(p: ArrayLike<number>, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length; i += size) {
    let s = 0;
    for (let j = i; j < Math.min(p.length, i + size); j++) s += p[j]!;
    out.push(s);
  }
  return out;
}

/** Greek for the Gaussian's parameters, the rest as named ("weight_1", "w_2"). */
const SYMBOLS: Record<string, string> = { mu: "μ", sigma: "σ" };

/** Lines of the parameters, "μ 13.01  σ 2.014", wrapped to `width`. */
function parameterLines(view: FitView, width: number): Span[][] {
  const parts = view.parameters.map((p) => `${SYMBOLS[p.name] ?? p.name} ${formatValue(p.value, 4)}`);
  const lines: Span[][] = [];
  let line = `${view.family}:`;
  for (const part of parts) {
    if (Array.from(line).length + 2 + Array.from(part).length > width && line !== "") {
      lines.push(clipSpans([{ text: line, color: COLORS.policy }], width));
      line = ` ${part}`;
    } else line += ` ${part}`;
  }
  lines.push(clipSpans([{ text: line, color: COLORS.policy }], width));
  return lines;
}

/** Exactly `rows` lines (at least 3) of exactly `width` columns. */
export function fitPanel(view: FitView, width: number, rows: number): Span[][] {
  const V = view.student.length;
  const perBin = Math.max(1, Math.ceil(V / width));
  const student = binned(view.student, perBin);
  const teacher = binned(view.teacher, perBin);
  const bins = student.length;
  const cellWidth = Math.max(1, Math.floor(width / bins));
  const binning = perBin > 1 ? ` (${perBin} tok/col)` : "";
  const legend: Span[] = [
    { text: "█", color: COLORS.policy },
    { text: " student " },
    { text: TEACHER_MARK, color: COLORS.reference },
    { text: ` teacher${19 + binning.length <= width ? binning : ""}` },
  ];
  const roles = clipSpans([{ text: "π student · π_ref teacher", color: COLORS.info }], width);
  const kls: Span[][] = [
    clipSpans([{ text: `KL(teacher‖student) ${formatValue(view.forwardKL, 4)}`, color: COLORS.forwardKL }], width),
    clipSpans([{ text: `KL(student‖teacher) ${formatValue(view.reverseKL, 4)}`, color: COLORS.reverseKL }], width),
  ];
  const params = parameterLines(view, width);
  const axis = clipSpans([{ text: fit("0", Math.max(1, bins * cellWidth - String(V - 1).length)) + String(V - 1) }], width);
  // the histogram gets what the legend, the axis and (room permitting) the numbers leave
  const extra = [...params, ...kls, roles];
  const spare = rows - 2 - 3; // legend, axis, at least 3 bar rows
  const below = extra.slice(0, Math.max(0, Math.min(extra.length, spare)));
  const height = Math.max(1, Math.min(MAX_BAR_ROWS, rows - 2 - below.length));
  let peak = 0;
  for (let b = 0; b < bins; b++) peak = Math.max(peak, student[b]!, teacher[b]!);
  const scale = peak > 0 ? peak : 1;
  const bars: Span[][] = [];
  for (let r = 0; r < height; r++) {
    const level = height - 1 - r;
    const cells: Span[] = [];
    for (let b = 0; b < bins; b++) {
      const eighths = Math.round((student[b]! / scale) * height * 8);
      const filled = Math.min(8, Math.max(0, eighths - level * 8));
      const teacherRow = Math.min(height - 1, Math.floor((teacher[b]! / scale) * height * (1 - 1e-12)));
      const mark = teacher[b]! > 0 && teacherRow === level && teacher[b]! / scale >= 0.5 / (8 * height);
      const text = (mark ? TEACHER_MARK : LEVELS[filled]!).repeat(cellWidth);
      const color = mark ? COLORS.reference : COLORS.policy;
      const last = cells[cells.length - 1];
      if (last && last.color === color) last.text += text;
      else cells.push({ text, color });
    }
    bars.push(clipSpans(cells, width));
  }
  const lines = [clipSpans(legend, width), ...bars, axis, ...below];
  while (lines.length < rows) lines.push(clipSpans([], width));
  return lines.slice(0, Math.max(rows, 3));
}
