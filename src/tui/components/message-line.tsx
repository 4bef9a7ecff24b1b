/**
 * One line under the status: a failure (red), else the last key's message, else the scenario's
 * description — cut to the width with a pointer to the help, which has it in full.
 */
import { Text } from "ink";
import { clip } from "../number-format.js";
import { COLORS } from "../palette.js";
import { useColor } from "./color-context.js";

export interface MessageLineProps {
  failure: string | null;
  message: string | null;
  description: string;
  width: number;
}

const MORE = " (? more)";

/** The description in `width` columns: whole, or cut with "… (? more)". */
export function descriptionLine(description: string, width: number): string {
  const whole = clip(description, width);
  if (whole === clip(description, Number.MAX_SAFE_INTEGER)) return whole;
  return clip(description, Math.max(1, width - MORE.length)) + MORE;
}

export function MessageLine({ failure, message, description, width }: MessageLineProps) {
  const color = useColor();
  if (failure) return <Text color={color ? COLORS.failure : undefined}>{clip(failure, width)}</Text>;
  if (message) return <Text color={color ? COLORS.message : undefined}>{clip(message, width)}</Text>;
  return <Text dimColor={color}>{descriptionLine(description, width) || " "}</Text>;
}
