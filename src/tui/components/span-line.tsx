/** One line of coloured spans (chart rows, token rows, status lines), never wrapped; plain without colour. */
import { Text } from "ink";
import type { Span } from "../chart/braille.js";
import { useColor } from "./color-context.js";

export function SpanLine({ spans }: { spans: readonly Span[] }) {
  const color = useColor();
  if (!color) return <Text wrap="truncate">{spans.map((span) => span.text).join("")}</Text>;
  return (
    <Text wrap="truncate">
      {mergeBlankSpans(spans).map((span, i) => (
        <Text key={i} color={span.color}>
          {span.text}
        </Text>
      ))}
    </Text>
  );
}

/** Spaces look the same in any colour: folding them into the previous span keeps the node count low (dashed lines alternate every cell). */
export function mergeBlankSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && (span.color === last.color || /^ *$/.test(span.text))) last.text += span.text;
    else if (last && /^ *$/.test(last.text)) out[out.length - 1] = { ...span, text: last.text + span.text };
    else out.push({ ...span });
  }
  return out;
}
