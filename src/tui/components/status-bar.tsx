/** Two status lines: the run and its settings, then the current metrics. */
import { Box } from "ink";
import { statusLines, type StatusInput } from "../status.js";
import { LaidOutLines } from "./laid-out-lines.js";

export function StatusBar({ input, width }: { input: StatusInput; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <LaidOutLines lines={statusLines(input, width)} />
    </Box>
  );
}
