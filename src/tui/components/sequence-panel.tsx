/**
 * The sequence panel (sequence scenarios, in place of the token panel): the top sequences under π
 * with π_ref and π*, and the per-position KL profile, as lines from sequencePanel() (sequence-rows.ts).
 */
import { Box } from "ink";
import type { Span } from "../chart/braille.js";
import { LaidOutLines } from "./laid-out-lines.js";

export function SequencePanel({ lines, width, height }: { lines: readonly Span[][]; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      <LaidOutLines lines={lines} />
    </Box>
  );
}
