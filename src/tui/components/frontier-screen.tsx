/** The frontier screen (`f`): the optimum and best-of-n curves of the scenario with the live run as a point. */
import { Box } from "ink";
import { useMemo } from "react";
import type { Divergence } from "../../core/divergence.js";
import type { PolicyMetrics } from "../../core/metrics.js";
import type { Problem } from "../../core/problem.js";
import { frontierChart, frontierCurves } from "../frontier-chart.js";
import { LaidOutLines } from "./laid-out-lines.js";

export interface FrontierScreenProps {
  problem: Problem;
  penalty: Divergence;
  live: PolicyMetrics;
  width: number;
  height: number;
}

export function FrontierScreen({ problem, penalty, live, width, height }: FrontierScreenProps) {
  const curves = useMemo(() => frontierCurves(problem, penalty), [problem, penalty]);
  const chart = frontierChart(curves, live, penalty.label, width, height);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LaidOutLines lines={chart.spans} />
    </Box>
  );
}
