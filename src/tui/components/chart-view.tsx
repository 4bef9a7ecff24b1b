/** A braille line chart (renderChart's lines and colour spans) as ink text. */
import { Box } from "ink";
import { renderChart, type ChartSpec } from "../chart/braille.js";
import { LaidOutLines } from "./laid-out-lines.js";

export function ChartView({ spec }: { spec: ChartSpec }) {
  const { spans } = renderChart(spec);
  return (
    <Box flexDirection="column" width={spec.width} flexShrink={0}>
      <LaidOutLines lines={spans} />
    </Box>
  );
}
