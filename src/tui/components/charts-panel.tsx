/** The three live charts, stacked: reward, reverse KL, forward KL, each with its π* line. */
import { Box } from "ink";
import type { SimSnapshot } from "../../sim/simulation.js";
import { metricCharts } from "../charts.js";
import { ChartView } from "./chart-view.js";

export interface ChartsPanelProps {
  sim: SimSnapshot;
  width: number;
  heights: readonly number[];
  /** Sampled mode's estimator (k1, k3, …): its KL estimate is drawn too. */
  estimator?: string | undefined;
}

export function ChartsPanel({ sim, width, heights, estimator }: ChartsPanelProps) {
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {metricCharts(sim, width, heights, estimator).map((spec) => (
        <ChartView key={spec.title} spec={spec} />
      ))}
    </Box>
  );
}
