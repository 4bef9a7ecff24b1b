import { describe, expect, it } from "vitest";
import { KEY_WIDTH } from "../../src/tui/help-lines.js";
import { commandForKey, HELP_ROWS, RESERVED_KEYS } from "../../src/tui/keys.js";

describe("commandForKey", () => {
  it("maps the documented keys", () => {
    const cases: [string, string][] = [
      [" ", "togglePause"],
      ["n", "step"],
      ["+", "betaUp"],
      ["=", "betaUp"],
      ["-", "betaDown"],
      ["0", "betaZero"],
      ["d", "toggleDirection"],
      ["[", "slower"],
      ["]", "faster"],
      ["r", "reset"],
      ["s", "nextScenario"],
      ["e", "export"],
      ["z", "zoom"],
      ["g", "toggleLog"],
      ["?", "toggleHelp"],
      ["q", "quit"],
    ];
    for (const [input, command] of cases) expect(commandForKey(input, {}, false)).toBe(command);
  });

  it("quits on Ctrl+C, closes help on Esc, scrolls on arrows and pages", () => {
    expect(commandForKey("c", { ctrl: true }, false)).toBe("quit");
    expect(commandForKey("c", { ctrl: true }, true)).toBe("quit");
    expect(commandForKey("", { escape: true }, true)).toBe("closeHelp");
    expect(commandForKey("", { upArrow: true }, false)).toBe("scrollUp");
    expect(commandForKey("", { downArrow: true }, false)).toBe("scrollDown");
    expect(commandForKey("", { pageDown: true }, false)).toBe("pageDown");
    expect(commandForKey("", { pageUp: true }, false)).toBe("pageUp");
  });

  it("ignores unknown keys and Ctrl with other letters", () => {
    expect(commandForKey("x", {}, false)).toBeNull();
    expect(commandForKey("d", { ctrl: true }, false)).toBeNull();
  });

  it("with the help open, only ?, Esc, quit and the scroll keys (which scroll the help) act", () => {
    expect(commandForKey("+", {}, true)).toBeNull();
    expect(commandForKey(" ", {}, true)).toBeNull();
    expect(commandForKey("z", {}, true)).toBeNull();
    expect(commandForKey("?", {}, true)).toBe("toggleHelp");
    expect(commandForKey("q", {}, true)).toBe("quit");
    expect(commandForKey("", { downArrow: true }, true)).toBe("scrollDown");
    expect(commandForKey("", { pageUp: true }, true)).toBe("pageUp");
  });

  it("leaves the keys DESIGN.md reserves for coming features unbound; scrolling is on the arrows", () => {
    expect(RESERVED_KEYS).toEqual([]); // c, the last of them, pins a ghost run now
    for (const key of [...RESERVED_KEYS, "j"]) expect(commandForKey(key, {}, false)).toBeNull();
  });

  it("documents every key in the help rows, each in one line of an 80-column help box", () => {
    expect(HELP_ROWS.slice(0, 2).map((row) => row.keys)).toEqual(["q", "?"]);
    const keys = HELP_ROWS.map((row) => row.keys).join(" ");
    for (const key of ["space", "n", "+", "-", "0", "d", "[", "]", "z", "g", "r", "s", "e", "↑", "PgDn"]) expect(keys).toContain(key);
    // 80 columns less the border and padding (4) and the key column.
    for (const row of HELP_ROWS) expect(Array.from(row.does).length, row.keys).toBeLessThanOrEqual(80 - 4 - KEY_WIDTH);
  });
});
