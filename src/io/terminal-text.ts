/**
 * The one sanitiser for text that reaches a terminal from outside (a scenario's name,
 * description, token names, keys and values quoted in error lines). Control characters would be
 * obeyed by the terminal (ESC[2J clears the screen, OSC 0 renames the window, OSC 52 writes the
 * clipboard), and bidirectional overrides reorder what is shown: each is printed as a visible
 * escape instead. Idempotent: its output contains none of them, so printing it again changes nothing.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as an escape (\n, \t, \u001b, …): one line, inert. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Whether `text` holds a character `printable` would escape. */
export function hasControlCharacters(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  const found = UNPRINTABLE.test(text);
  UNPRINTABLE.lastIndex = 0;
  return found;
}

/** Echoed input kept short: a 20 MB key is quoted by its first `max` characters and "…". */
export const ECHO_LIMIT = 80;

export function clip(text: string, max = ECHO_LIMIT): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
