/** Two status lines: the run and its settings, then the current metrics. */
import { Box } from "ink";
import { statusLines, type StatusInput } from "../status.js";
import { SpanLine } from "./span-line.js";

export function StatusBar({ input, width }: { input: StatusInput; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {statusLines(input, width).map((line, i) => (
        <SpanLine key={i} spans={line} />
      ))}
    </Box>
  );
}
