/** The full key list and what the screen shows (opened with ?, closed with ? or Esc), drawn over the charts. */
import { Box, Text } from "ink";
import { clip } from "../number-format.js";
import { HELP_ROWS } from "../keys.js";

const NOTES = [
  "Charts: reward (proxy, and gold when the scenario has one), reverse KL(π‖π_ref), forward KL(π_ref‖π).",
  "Dashed lines: the closed-form optimum π* for the current β and direction; they move as soon as you change either.",
  "Tokens: π now, π_ref and π*; with many tokens, the top ones by π mass.",
];
// Wider than this, a help box is mostly empty space.
const MAX_WIDTH = 96;

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const boxWidth = Math.min(width, MAX_WIDTH);
  const inner = Math.max(10, boxWidth - 4);
  const keyWidth = Math.max(...HELP_ROWS.map((row) => row.keys.length)) + 2;
  return (
    <Box flexDirection="column" width={boxWidth} height={height} borderStyle="round" paddingX={1} overflow="hidden">
      <Text bold>keys</Text>
      {HELP_ROWS.map((row) => (
        <Text key={row.keys} wrap="truncate">
          <Text color="cyan">{row.keys.padEnd(keyWidth)}</Text>
          {clip(row.does, inner - keyWidth)}
        </Text>
      ))}
      <Text> </Text>
      {NOTES.map((note) => (
        <Text key={note} dimColor>
          {note}
        </Text>
      ))}
      <Text dimColor>Esc or ? closes this help.</Text>
    </Box>
  );
}
