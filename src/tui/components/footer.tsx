/** Every key, in one or two lines (footer-text.ts); `?` explains them. */
import { Box, Text } from "ink";
import { useColor } from "./color-context.js";

export function Footer({ lines }: { lines: readonly string[] }) {
  const color = useColor();
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i} dimColor={color} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}
