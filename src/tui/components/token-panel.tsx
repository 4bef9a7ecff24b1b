/** The token panel: lines prepared by tokenPanel() (the Root needs its scroll bounds too). */
import { Box } from "ink";
import type { Span } from "../chart/braille.js";
import { LaidOutLines } from "./laid-out-lines.js";

export function TokenPanel({ lines, width, height }: { lines: readonly Span[][]; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      <LaidOutLines lines={lines} />
    </Box>
  );
}
