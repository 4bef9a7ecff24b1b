/** One line under the status: a failure (red), else the last key's message, else the scenario's description. */
import { Text } from "ink";
import { clip } from "../number-format.js";
import { COLORS } from "../palette.js";

export interface MessageLineProps {
  failure: string | null;
  message: string | null;
  description: string;
  width: number;
}

export function MessageLine({ failure, message, description, width }: MessageLineProps) {
  if (failure) return <Text color={COLORS.failure}>{clip(failure, width)}</Text>;
  if (message) return <Text color={COLORS.message}>{clip(message, width)}</Text>;
  return <Text dimColor>{clip(description, width) || " "}</Text>;
}
