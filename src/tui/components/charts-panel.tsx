/** The β(t) strip over the three live charts (reward, reverse KL, forward KL), each with its π* line. */
import { Box } from "ink";
import type { SimSnapshot } from "../../sim/simulation.js";
import { betaStrip, type ChartOptions, metricCharts } from "../charts.js";
import { ChartView } from "./chart-view.js";

export interface ChartsPanelProps {
  sim: SimSnapshot;
  width: number;
  heights: readonly number[];
  betaRows: number;
  options: ChartOptions;
}

export function ChartsPanel({ sim, width, heights, betaRows, options }: ChartsPanelProps) {
  const specs = [betaStrip(sim, width, betaRows, options), ...metricCharts(sim, width, heights, options)];
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {specs.map((spec, i) => (
        <ChartView key={i} spec={spec} />
      ))}
    </Box>
  );
}
