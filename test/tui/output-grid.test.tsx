import fc from "fast-check";
import { cleanup, render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// chalk decides its level when first imported: colour on, so the frames carry escape codes.
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import stringWidth from "string-width";
import { loadScenario, simConfigOf } from "../../src/scenario/loader.js";
import { Simulation } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";
import { Root } from "../../src/tui/components/root.js";
import { inkOutputClass } from "../../src/tui/ink-output.js";
import { isNarrow, NARROW } from "../../src/tui/laid-out.js";
import { type InkClip, type InkOutput, OutputGrid } from "../../src/tui/output-grid.js";

interface InkOutputInstance extends InkOutput {
  write(x: number, y: number, text: string, options: { transformers: ((line: string, index: number) => string)[] }): void;
  clip(clip: InkClip): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type InkOutputConstructor = new (size: { width: number; height: number }) => InkOutputInstance;

let Output: InkOutputConstructor;
let inkGet: (this: InkOutput) => { output: string; height: number };
beforeAll(async () => {
  const ink = await inkOutputClass();
  Output = ink.Output as unknown as InkOutputConstructor;
  inkGet = ink.Output.prototype.get; // ink's own: only runTui installs the grid, and no test runs it
});
afterAll(() => {
  delete process.env.FORCE_COLOR;
});

// Everything ink's tokeniser treats specially, next to what the grid reads in one pass.
const PIECES = [
  "a",
  "Z",
  " ",
  "  ",
  "0.25",
  "⠒",
  "⣀⡠",
  "β",
  "π*",
  "│",
  "█",
  "◆",
  "·",
  "中",
  "ｱ",
  "😀",
  "👍🏽",
  "👨‍👩‍👧",
  "🇩🇪",
  "e\u0301",
  "\u0301",
  "\u1100\u1161",
  "\u00ad",
  "\u200b",
  "\u200d",
  "\ufe0f",
  "\t",
  "\r",
  "\u001b[31m",
  "\u001b[39m",
  "\u001b[1m",
  "\u001b[2m",
  "\u001b[22m",
  "\u001b[0m",
  "\u001b[m",
  "\u001b[1;31;44m",
  "\u001b[38;5;200m",
  "\u001b[38;2;1;2;3m",
  "\u001b[49m",
  "\u001b[2K",
  "\u001b[",
  "\u001b",
  "\u001b]8;;http://x\u0007",
  "\u001b]8;;\u0007",
  "\u009b31m",
];
const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constant("\n")), { maxLength: 24 }).map((parts) => parts.join(""));
const TRANSFORMERS: ((line: string, index: number) => string)[][] = [
  [],
  [(line) => line.toUpperCase()],
  [(line) => `\u001b[32m${line}\u001b[39m`],
  [(line, index) => (index % 2 === 1 ? "" : line), (line) => `\u001b[2m${line}\u001b[22m`],
];
const coordinate = (limit: number) => fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -3, max: limit + 3 }) }, { weight: 1, arbitrary: fc.constant(1.5) });
const bound = (limit: number) => fc.option(fc.integer({ min: -1, max: limit + 1 }), { nil: undefined });
const operation = (width: number, height: number) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        type: fc.constant("write" as const),
        x: coordinate(width),
        y: coordinate(height),
        text,
        transformers: fc.constantFrom(...TRANSFORMERS),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant("clip" as const),
        clip: fc.record({ x1: bound(width), x2: bound(width), y1: bound(height), y2: bound(height) }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ type: "unclip" as const }) },
  );
const frame = fc
  .record({ width: fc.integer({ min: 0, max: 14 }), height: fc.integer({ min: 0, max: 6 }) })
  .chain(({ width, height }) =>
    fc.record({ width: fc.constant(width), height: fc.constant(height), operations: fc.array(operation(width, height), { maxLength: 8 }) }),
  );

type Operation =
  | { type: "write"; x: number; y: number; text: string; transformers: ((line: string, index: number) => string)[] }
  | { type: "clip"; clip: InkClip }
  | { type: "unclip" };

function inkOutputOf(width: number, height: number, operations: readonly Operation[]): InkOutputInstance {
  const output = new Output({ width, height });
  for (const op of operations) {
    if (op.type === "write") output.write(op.x, op.y, op.text, { transformers: op.transformers });
    else if (op.type === "clip") output.clip(op.clip);
    else output.unclip();
  }
  return output;
}

describe("OutputGrid against ink's Output.get", () => {
  it("gives the same string for random frames: escape codes, wide and combining characters, clips, transformers, rows and columns off the grid", () => {
    const grid = new OutputGrid(); // one grid for all frames: its caches must not leak between them
    fc.assert(
      fc.property(frame, ({ width, height, operations }) => {
        const output = inkOutputOf(width, height, operations);
        expect(grid.compose(output)).toEqual(inkGet.call(output));
      }),
      { numRuns: 3000, seed: 18 },
    );
  });

  it("gives the same string for the whole TUI's frames (200×60, colour on, after training)", async () => {
    const scenario = await loadScenario("large-vocab");
    const store = new SimStore(new Simulation(scenario.problem, simConfigOf(scenario)), scenario, { paused: true });
    store.step(300);
    const captured: InkOutputInstance[] = [];
    const { Output: Class } = await inkOutputClass();
    const own = Class.prototype.get;
    Class.prototype.get = function get(this: InkOutputInstance) {
      captured.push(this);
      return own.call(this);
    };
    try {
      const app = render(<Root store={store} size={{ columns: 200, rows: 60 }} />);
      await new Promise((resolve) => setTimeout(resolve, 20));
      store.step(50);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(app.lastFrame()).toContain("\u001b[");
    } finally {
      Class.prototype.get = own;
      cleanup();
    }
    expect(captured.length).toBeGreaterThan(1);
    const grid = new OutputGrid();
    for (const output of captured) expect(grid.compose(output)).toEqual(inkGet.call(output));
  });
});

describe("NARROW code points", () => {
  const narrow = [...NARROW.keys()].filter((c) => NARROW[c] === 1).map((c) => String.fromCodePoint(c));
  it("covers what the charts and panels draw", () => {
    expect(isNarrow("⠒⣀ β π* │ █ ◆ ─┤└ ‖ ℓ ↑↓ ≈ ▏▉ ▸ ● …–— ×·")).toBe(true);
    expect(narrow.length).toBeGreaterThan(1500);
  });
  it("are one column each by string-width, which ink measures with", () => {
    expect(narrow.filter((c) => stringWidth(c) !== 1)).toEqual([]);
  });
  it("are each a grapheme of their own beside any other (Intl.Segmenter, as ink's tokeniser splits)", () => {
    const segmenter = new Intl.Segmenter();
    const joined = narrow.join("");
    expect([...segmenter.segment(joined)].length).toBe(narrow.length);
    for (const neighbour of ["a", "\u001b", "⠒", "β"]) {
      const mixed = narrow.map((c) => `${c}${neighbour}`).join("");
      expect([...segmenter.segment(mixed)].length).toBe(2 * narrow.length);
    }
  });
  it("leave out controls, marks, joiners, soft hyphens and wide characters", () => {
    for (const c of ["\u001b", "\t", "\u0301", "\u200d", "\u00ad", "\ufe0f", "中", "\u25fd", "\u2028"]) expect(isNarrow(c)).toBe(false);
  });
});
