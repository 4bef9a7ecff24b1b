/** Shown instead of the UI when the terminal cannot hold it. */
import { Text } from "ink";
import { MIN_COLUMNS, MIN_ROWS } from "../layout.js";

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
  return (
    <Text wrap="truncate">
      klsim needs {MIN_COLUMNS}×{MIN_ROWS} (now {columns}×{rows}) · q quits
    </Text>
  );
}
