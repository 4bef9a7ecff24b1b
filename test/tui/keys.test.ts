import { describe, expect, it } from "vitest";
import { commandForKey, HELP_ROWS } from "../../src/tui/keys.js";

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

  it("with the help open, only ?, Esc and quit act", () => {
    expect(commandForKey("+", {}, true)).toBeNull();
    expect(commandForKey(" ", {}, true)).toBeNull();
    expect(commandForKey("?", {}, true)).toBe("toggleHelp");
    expect(commandForKey("q", {}, true)).toBe("quit");
  });

  it("documents every key in the help rows, q and ? first (the footer keeps those)", () => {
    expect(HELP_ROWS.slice(0, 2).map((row) => row.keys)).toEqual(["q", "?"]);
    const keys = HELP_ROWS.map((row) => row.keys).join(" ");
    for (const key of ["space", "n", "+", "-", "0", "d", "[", "]", "r", "s", "e"]) expect(keys).toContain(key);
  });
});
