/**
 * Whether the terminal UI uses colour. FORCE_COLOR decides when set, as chalk (which ink draws
 * with) and Node read it: "0" or "false" means none, anything else colour. Otherwise a non-empty
 * NO_COLOR means none (https://no-color.org), which chalk alone would ignore. Without colour the
 * series still differ by line style and the token bars by glyph.
 */
export function colorAllowed(env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return !env.NO_COLOR;
}
