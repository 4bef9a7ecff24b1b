/**
 * The help (opened with ?, closed with ? or Esc), drawn over the charts: a fixed first line, then
 * the keys, the scenario's description and notes, scrolled with ↑↓ PgUp PgDn when they do not fit.
 */
import { Box, Text } from "ink";
import { clip } from "../number-format.js";
import { type HelpLine, KEY_WIDTH } from "../help-lines.js";
import { useColor } from "./color-context.js";

// Wider than this, a help box is mostly empty space.
export const HELP_MAX_WIDTH = 96;
/** The border's two rows and the fixed first line. */
export const HELP_CHROME_ROWS = 3;

/** The box's width and the text width inside it (border and one column of padding each side). */
export function helpBox(width: number): { boxWidth: number; inner: number } {
  const boxWidth = Math.min(width, HELP_MAX_WIDTH);
  return { boxWidth, inner: Math.max(10, boxWidth - 4) };
}

export interface HelpOverlayProps {
  width: number;
  height: number;
  lines: readonly HelpLine[];
  scroll: number;
}

export function HelpOverlay({ width, height, lines, scroll }: HelpOverlayProps) {
  const color = useColor();
  const { boxWidth, inner } = helpBox(width);
  const visible = Math.max(0, height - HELP_CHROME_ROWS);
  const offset = Math.min(scroll, Math.max(0, lines.length - visible));
  const shown = lines.slice(offset, offset + visible);
  const more = lines.length > visible ? `  ↑↓ scroll, ${offset + 1}–${offset + shown.length} of ${lines.length} ·` : "";
  return (
    <Box flexDirection="column" width={boxWidth} height={height} borderStyle="round" paddingX={1} overflow="hidden">
      <Text wrap="truncate" bold={color}>
        {clip(`keys${more} Esc or ? closes`, inner)}
      </Text>
      {shown.map((line, i) => (
        <Text key={offset + i} wrap="truncate" bold={color && line.tone === "title"} dimColor={color && line.tone === "note"}>
          {line.keys !== undefined ? <Text color={color ? "cyan" : undefined}>{line.keys.padEnd(KEY_WIDTH)}</Text> : null}
          {clip(line.text, inner - (line.keys !== undefined ? KEY_WIDTH : 0)) || " "}
        </Text>
      ))}
    </Box>
  );
}
