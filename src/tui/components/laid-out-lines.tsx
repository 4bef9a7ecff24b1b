/**
 * Rows of coloured spans that are already laid out (every row's width known: laid-out.ts), drawn as
 * one block: ink measures a placeholder of spaces of the same widths (a cached measurement, no
 * grapheme segmentation) and a <Transform> puts each row's coloured text in at output time, so a
 * 50-row chart is one text node, not a node per span. Rows with other characters go through ink's
 * own layout, one SpanLine each; either way the screen is the same.
 */
import { Transform } from "ink";
import type { Span } from "../chart/braille.js";
import { ansiLine, narrowWidths } from "../laid-out.js";
import { useColor } from "./color-context.js";
import { mergeBlankSpans, SpanLine } from "./span-line.js";

export function LaidOutLines({ lines }: { lines: readonly (readonly Span[])[] }) {
  const color = useColor();
  const widths = narrowWidths(lines);
  if (widths === null) {
    return (
      <>
        {lines.map((spans, i) => (
          <SpanLine key={i} spans={spans} />
        ))}
      </>
    );
  }
  if (lines.length === 0) return null;
  const rows = lines.map((spans) => (color ? ansiLine(mergeBlankSpans(spans)) : spans.map((span) => span.text).join("")));
  return <Transform transform={(_placeholder, index) => rows[index] ?? ""}>{widths.map((width) => " ".repeat(width)).join("\n")}</Transform>;
}
