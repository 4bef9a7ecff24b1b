/** The key hints that fit the width, most important first; `?` opens the full list. */
import { Text } from "ink";
import { HELP_ROWS } from "../keys.js";

export function footerText(width: number): string {
  let text = "";
  for (const row of HELP_ROWS) {
    if (!row.short) continue;
    const item = `${row.keys} ${row.short}`;
    const next = text ? `${text} · ${item}` : item;
    if (Array.from(next).length > width) break;
    text = next;
  }
  return text;
}

export function Footer({ width }: { width: number }) {
  return <Text dimColor>{footerText(width)}</Text>;
}
