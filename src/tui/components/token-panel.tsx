/** The token panel: lines prepared by tokenPanel() (the Root needs its scroll bounds too). */
import { Box } from "ink";
import type { Span } from "../chart/braille.js";
import { SpanLine } from "./span-line.js";

export function TokenPanel({ lines, width, height }: { lines: readonly Span[][]; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      {lines.map((line, i) => (
        <SpanLine key={i} spans={line} />
      ))}
    </Box>
  );
}
