import { describe, expect, it } from "vitest";
import {
  type BrailleGrid,
  type ChartLines,
  type ChartSpec,
  type LineStyle,
  type Span,
  DOT_BITS,
  LINE_STYLES,
  MIN_HEIGHT,
  MIN_WIDTH,
  formatAxisNumber,
  formatStep,
  gridToStrings,
  plotToBraille,
  renderChart,
  resolveYRange,
} from "../../src/tui/chart/braille.js";

const BLANK = " ";
const braille = (bits: number): string => String.fromCharCode(0x2800 + bits);
const isBraille = (ch: string): boolean => ch >= "\u2801" && ch <= "\u28ff";

/** All lit dots of a grid as "dx,dy" strings, decoded from the cell bits. */
function litDots(grid: BrailleGrid): Set<string> {
  const out = new Set<string>();
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const bits = grid.bits[r * grid.cols + c] ?? 0;
      for (let col = 0; col < 2; col++) {
        for (let row = 0; row < 4; row++) {
          if (bits & (DOT_BITS[col]?.[row] ?? 0)) out.add(`${c * 2 + col},${r * 4 + row}`);
        }
      }
    }
  }
  return out;
}

/** Colour of the character at column `col` of a span list. */
function colorAt(spans: Span[], col: number): string | undefined {
  let c = 0;
  for (const s of spans) {
    const n = Array.from(s.text).length;
    if (col < c + n) return s.color;
    c += n;
  }
  throw new Error(`column ${col} out of range`);
}

/** The invariants every rendering must satisfy. */
function expectShape(out: ChartLines, width: number, height: number): void {
  expect(out.lines).toHaveLength(height);
  expect(out.spans).toHaveLength(height);
  out.lines.forEach((line, k) => {
    expect(Array.from(line)).toHaveLength(width);
    expect(out.spans[k]?.map((s) => s.text).join("")).toBe(line);
    expect(line).not.toMatch(/nan/i);
  });
}

const base = (over: Partial<ChartSpec>): ChartSpec => ({ title: "t", width: 12, height: 5, series: [], ...over });

describe("plotToBraille", () => {
  it("puts a point at (xMin, yMax) in the first cell as the top-left dot 0x01", () => {
    const grid = plotToBraille([[0, 1]], 3, 2, [0, 10], [0, 1]);
    expect(gridToStrings(grid)).toEqual([braille(0x01) + BLANK + BLANK, BLANK.repeat(3)]);
  });

  it("puts a point at (xMax, yMin) in the last cell as the bottom-right dot 0x80", () => {
    const grid = plotToBraille([[10, 0]], 3, 2, [0, 10], [0, 1]);
    expect(gridToStrings(grid)).toEqual([BLANK.repeat(3), BLANK + BLANK + braille(0x80)]);
  });

  it("draws y = 0.25 on dot row round(0.75 * 11) = 8, i.e. top dots of cell row 2", () => {
    // 3 cell rows = 12 dot rows; row 8 is the first dot row of cell row 2: bits 0x01 | 0x08.
    const grid = plotToBraille(
      [
        [0, 0.25],
        [100, 0.25],
      ],
      5,
      3,
      [0, 100],
      [0, 1],
    );
    expect(gridToStrings(grid)).toEqual([BLANK.repeat(5), BLANK.repeat(5), braille(0x09).repeat(5)]);
  });

  it("draws a diagonal from bottom-left to top-right with one dot per dot column", () => {
    // 8×8 dots: the line (0,7)→(7,0) lights exactly (k, 7-k).
    const grid = plotToBraille(
      [
        [0, 0],
        [1, 1],
      ],
      4,
      2,
      [0, 1],
      [0, 1],
    );
    const expected = new Set(Array.from({ length: 8 }, (_, k) => `${k},${7 - k}`));
    expect(litDots(grid)).toEqual(expected);
    // Cell (0,1) holds (0,7)=0x40 and (1,6)=0x20; cell (1,1) holds (2,5)=0x02 and (3,4)=0x08.
    expect(gridToStrings(grid)).toEqual([BLANK + BLANK + braille(0x60) + braille(0x0a), braille(0x60) + braille(0x0a) + BLANK + BLANK]);
  });

  it("keeps a steep segment continuous: every dot row is lit", () => {
    // 2 dot columns × 16 dot rows: from (0,15) to (1,0).
    const grid = plotToBraille(
      [
        [0, 0],
        [1, 1],
      ],
      1,
      4,
      [0, 1],
      [0, 1],
    );
    const rows = new Set([...litDots(grid)].map((d) => Number(d.split(",")[1])));
    expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, k) => k));
  });

  it("keeps a one-point spike that shares a dot column with many points", () => {
    // 1000 points on 4 dot columns; x = 600 maps to round(600/999*3) = 2; the spike reaches row 0.
    const pts: [number, number][] = Array.from({ length: 1000 }, (_, i) => [i, i === 600 ? 1 : 0]);
    const dots = litDots(plotToBraille(pts, 2, 2, [0, 999], [0, 1]));
    for (let row = 0; row < 8; row++) expect(dots.has(`2,${row}`)).toBe(true);
    // The baseline (row 7) is lit in every column.
    for (let col = 0; col < 4; col++) expect(dots.has(`${col},7`)).toBe(true);
  });

  it("breaks the line at non-finite points instead of joining across them", () => {
    const pts: [number, number][] = [
      [0, 0],
      [1, NaN],
      [3, Infinity],
      [5, -Infinity],
      [7, 1],
    ];
    const dots = litDots(plotToBraille(pts, 4, 1, [0, 7], [0, 1]));
    expect(dots).toEqual(new Set(["0,3", "7,0"]));
  });

  it("ignores points outside the ranges without throwing", () => {
    const grid = plotToBraille(
      [
        [-5, 0.5],
        [50, 1e300],
      ],
      2,
      1,
      [0, 1],
      [0, 1],
    );
    expect(gridToStrings(grid)).toHaveLength(1);
  });
});

describe("formatAxisNumber", () => {
  it.each([
    [0.712, "0.712"],
    [0.000012, "1.2e-5"],
    [3400, "3.4k"],
    [-0.5, "-0.5"],
    [0, "0"],
    [-0, "0"],
    [12, "12"],
    [0.001, "0.001"],
    [123456, "123k"],
    [1234567, "1.23M"],
    [999.95, "1k"],
    [2.5e9, "2.5G"],
    [1e20, "1e20"],
    [-3.25e-7, "-3.25e-7"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "?"],
  ])("%s → %s", (x, label) => {
    expect(formatAxisNumber(x)).toBe(label);
  });

  it("accepts more digits", () => {
    expect(formatAxisNumber(0.71234, 5)).toBe("0.71234");
  });

  it("formats steps exactly below 100k and compactly above", () => {
    expect(formatStep(20000)).toBe("20000");
    expect(formatStep(250000)).toBe("250k");
  });
});

describe("resolveYRange", () => {
  const s = (ys: number[]) => [{ label: "a", color: "red", xs: ys.map((_, i) => i), ys }];

  it("pads the data range by 5% on each side", () => {
    const [lo, hi] = resolveYRange(s([1, 2, 3]), []);
    expect(lo).toBeCloseTo(0.9, 12);
    expect(hi).toBeCloseTo(3.1, 12);
  });

  it("gives flat series a non-zero range around the value", () => {
    expect(resolveYRange(s([5, 5]), [])).toEqual([4.5, 5.5]);
    expect(resolveYRange(s([0, 0]), [])).toEqual([0, 1]); // pad 1, clamped at 0 for non-negative data
    const [lo, hi] = resolveYRange(s([-2]), []);
    expect(lo).toBeCloseTo(-2.2, 12);
    expect(hi).toBeCloseTo(-1.8, 12);
  });

  it("includes reference values and honours fixed bounds", () => {
    const [lo, hi] = resolveYRange(s([1, 2]), [{ label: "opt", color: "gray", y: 3 }]);
    expect(lo).toBeCloseTo(0.9, 12);
    expect(hi).toBeCloseTo(3.1, 12);
    expect(resolveYRange(s([1, 2]), [], 0, 10)).toEqual([0, 10]);
    expect(resolveYRange(s([1, 2]), [], 10, 0)).toEqual([0, 10]);
    expect(resolveYRange(s([1, 2]), [], 5)).toEqual([5, 5.5]);
  });

  it("falls back to [0, 1] with no finite data", () => {
    expect(resolveYRange(s([NaN, Infinity]), [{ label: "r", color: "c", y: NaN }])).toEqual([0, 1]);
  });
});

describe("renderChart", () => {
  it("puts the top-left and bottom-right points in the corner cells, coloured by series", () => {
    // Labels "1" and "0" → gutter of 2 columns; 10 plot columns; 4 plot rows (no middle label).
    const out = renderChart(
      base({
        width: 12,
        height: 6,
        yMin: 0,
        yMax: 1,
        series: [
          { label: "a", color: "red", xs: [0], ys: [1] },
          { label: "b", color: "blue", xs: [10], ys: [0] },
        ],
      }),
    );
    expectShape(out, 12, 6);
    expect(out.xRange).toEqual([0, 10]);
    expect(out.lines[1]).toBe("1┤" + braille(0x01) + BLANK.repeat(9));
    expect(out.lines[4]).toBe("0┤" + BLANK.repeat(9) + braille(0x80));
    expect(colorAt(out.spans[1] ?? [], 2)).toBe("red");
    expect(colorAt(out.spans[4] ?? [], 11)).toBe("blue");
    expect(colorAt(out.spans[1] ?? [], 0)).toBeUndefined();
  });

  it("draws a constant series on the hand-computed dot row in every plot column", () => {
    // 3 plot rows = 12 dot rows over [0, 1]: y = 0.25 → dot row 8 → cell row 2, bits 0x09.
    const out = renderChart(base({ yMin: 0, yMax: 1, series: [{ label: "a", color: "red", xs: [0, 100], ys: [0.25, 0.25] }] }));
    expectShape(out, 12, 5);
    expect(out.lines[1]).toBe("1┤" + BLANK.repeat(10));
    expect(out.lines[2]).toBe(" │" + BLANK.repeat(10));
    expect(out.lines[3]).toBe("0┤" + braille(0x09).repeat(10));
    for (let c = 2; c < 12; c++) expect(colorAt(out.spans[3] ?? [], c)).toBe("red");
  });

  it("draws a reference as a dashed line on the expected row, under the data", () => {
    // y = 0.25 → dot row 8 → cell row 2; dot columns 0,1 lit, 2,3 dark, ... → every other cell.
    const ref = { label: "optimum", color: "gray", y: 0.25 };
    const out = renderChart(base({ yMin: 0, yMax: 1, references: [ref] }));
    expectShape(out, 12, 5);
    expect(out.lines[3]).toBe("0┤" + (braille(0x09) + BLANK).repeat(5));
    expect(colorAt(out.spans[3] ?? [], 2)).toBe("gray");
    expect(out.lines[0]).toContain("⠒ ⠒ optim"); // the dashed style's legend sample

    // A series on the same row wins every cell's colour.
    const both = renderChart(
      base({
        yMin: 0,
        yMax: 1,
        references: [ref],
        series: [{ label: "a", color: "red", xs: [0, 1], ys: [0.25, 0.25] }],
      }),
    );
    for (let c = 2; c < 12; c++) expect(colorAt(both.spans[3] ?? [], c)).toBe("red");
  });

  it("skips a non-finite reference", () => {
    const out = renderChart(base({ references: [{ label: "opt", color: "gray", y: Infinity }] }));
    expectShape(out, 12, 5);
    expect(out.yRange).toEqual([0, 1]);
    expect(out.lines.join("")).not.toContain("opt");
  });

  it("shows a legend with coloured markers after the title", () => {
    const out = renderChart(
      base({
        title: "KL",
        width: 40,
        series: [
          { label: "reward", color: "green", xs: [0], ys: [0] },
          { label: "gold", color: "yellow", xs: [0], ys: [0] },
        ],
        references: [{ label: "optimum", color: "gray", y: 1 }],
      }),
    );
    expectShape(out, 40, 5);
    // Solid series "⠒⠒" (dots 2 and 5: both dot columns of the second dot row), the dashed reference "⠒ ⠒".
    expect(out.lines[0]).toBe(`KL  ${braille(0x12).repeat(2)} reward  ${braille(0x12).repeat(2)} gold  ${braille(0x12)} ${braille(0x12)} optimum`.padEnd(40));
    expect(colorAt(out.spans[0] ?? [], 4)).toBe("green");
    expect(colorAt(out.spans[0] ?? [], 16)).toBe("yellow");
    expect(colorAt(out.spans[0] ?? [], 24)).toBe("gray");
    expect(colorAt(out.spans[0] ?? [], 7)).toBeUndefined();
  });

  it("labels the y range (max, middle, min) and the first and last step", () => {
    // 7 plot rows over [0.5, 2.75]; middle label on row 3 at dot row 13.5 of 27:
    // 2.75 - 13.5/27 * 2.25 = 1.625 → "1.63". Labels are 4 wide → gutter 5.
    const out = renderChart(
      base({
        width: 30,
        height: 9,
        yMin: 0.5,
        yMax: 2.75,
        series: [{ label: "a", color: "red", xs: [0, 20000], ys: [1, 2] }],
      }),
    );
    expectShape(out, 30, 9);
    expect(out.yRange).toEqual([0.5, 2.75]);
    expect(out.xRange).toEqual([0, 20000]);
    expect(out.lines[1]?.startsWith("2.75┤")).toBe(true);
    expect(out.lines[4]?.startsWith("1.63┤")).toBe(true);
    expect(out.lines[7]?.startsWith(" 0.5┤")).toBe(true);
    for (const k of [2, 3, 5, 6]) expect(out.lines[k]?.startsWith("    │")).toBe(true);
    expect(out.lines[8]).toBe("    └step 0" + BLANK.repeat(9) + "step 20000");
  });

  it("uses extra digits when a narrow range would repeat labels", () => {
    const out = renderChart(base({ height: 4, yMin: 0.7121, yMax: 0.7123 }));
    expect(out.lines[1]?.startsWith("0.7123┤")).toBe(true);
    expect(out.lines[2]?.startsWith("0.7121┤")).toBe(true);
  });

  it("skips non-finite values: same ranges as without them, and no NaN text", () => {
    const clean = renderChart(base({ series: [{ label: "a", color: "red", xs: [0, 3, 5], ys: [1, 2, 3] }] }));
    const dirty = renderChart(
      base({
        series: [{ label: "a", color: "red", xs: [0, 1, 2, 3, 4, 5, 9], ys: [1, NaN, Infinity, 2, -Infinity, 3, NaN] }],
      }),
    );
    expectShape(dirty, 12, 5);
    expect(dirty.yRange).toEqual(clean.yRange);
    expect(dirty.yRange[0]).toBeCloseTo(0.9, 12);
    expect(dirty.yRange[1]).toBeCloseTo(3.1, 12);
    expect(dirty.xRange).toEqual([0, 5]); // x = 9 has no finite y
  });

  it("gives a flat series a non-zero range and draws it", () => {
    const out = renderChart(base({ series: [{ label: "a", color: "red", xs: [0, 10], ys: [5, 5] }] }));
    expectShape(out, 12, 5);
    expect(out.yRange).toEqual([4.5, 5.5]);
    expect(out.lines.slice(1, 4).join("")).toMatch(/[\u2801-\u28ff]/);
  });

  it("renders empty series as axes only", () => {
    const out = renderChart(base({ series: [{ label: "a", color: "red", xs: [], ys: [] }] }));
    expectShape(out, 12, 5);
    expect(Array.from(out.lines.slice(1, 4).join("")).some(isBraille)).toBe(false); // only the legend's sample
    expect(out.lines[4]).toBe(" └step 0" + BLANK.repeat(4));
    expect(out.lines[1]).toBe("1┤" + BLANK.repeat(10));
  });

  it("renders a single point as exactly one dot", () => {
    const out = renderChart(base({ series: [{ label: "a", color: "red", xs: [7], ys: [3] }] }));
    expectShape(out, 12, 5);
    expect(out.xRange).toEqual([7, 7]);
    const cells = Array.from(out.lines.slice(1, 4).join("")).filter(isBraille);
    expect(cells).toHaveLength(1);
    const bits = (cells[0] ?? "").charCodeAt(0) - 0x2800;
    expect(bits & (bits - 1)).toBe(0); // a power of two: one dot
    expect(out.lines[4]?.trimEnd()).toBe("   └step 7");
  });

  it.each([
    [0, 0],
    [1, 1],
    [3, 2],
    [5, 3],
    [7.5, 4.9],
    [-5, -5],
    [NaN, NaN],
    [Infinity, Infinity],
    [80, 24],
  ])("degrades gracefully at width %s, height %s", (width, height) => {
    const spec = base({
      width,
      height,
      series: [{ label: "a long label", color: "red", xs: [0, 1, 2], ys: [0, 5, 1] }],
      references: [{ label: "opt", color: "gray", y: 2 }],
    });
    const out = renderChart(spec);
    const w = Number.isFinite(width) ? Math.max(MIN_WIDTH, Math.floor(width)) : MIN_WIDTH;
    const h = Number.isFinite(height) ? Math.max(MIN_HEIGHT, Math.floor(height)) : MIN_HEIGHT;
    expectShape(out, w, h);
  });

  it("sanitises control characters in the title", () => {
    const out = renderChart(base({ title: "a\nb\tc" }));
    expectShape(out, 12, 5);
    expect(out.lines[0]?.startsWith("a b c")).toBe(true);
  });

  it("renders three 100 000-point series and keeps a lone spike", () => {
    const n = 100_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from(xs, (x) => Math.sin(x / 5000));
    const spiky = Float64Array.from(ys, (y, i) => (i === 54_321 ? 10 : y));
    const out = renderChart({
      title: "big",
      width: 100,
      height: 20,
      series: [
        { label: "a", color: "red", xs, ys },
        { label: "b", color: "blue", xs, ys: Float64Array.from(ys, (y) => -y) },
        { label: "c", color: "green", xs, ys: spiky },
      ],
      references: [{ label: "opt", color: "gray", y: 0.5 }],
    });
    expectShape(out, 100, 20);
    expect(out.xRange).toEqual([0, n - 1]);
    expect(out.yRange[1]).toBeGreaterThan(10);
    // The spike reaches the top plot row, drawn in the spiky series' colour.
    const top = out.spans[1] ?? [];
    const cols = Array.from({ length: 100 }, (_, c) => c).filter((c) => colorAt(top, c) === "green");
    expect(cols.length).toBeGreaterThan(0);
    expect(out.lines[out.lines.length - 1]?.trimEnd().endsWith("step 99999")).toBe(true);
  });
});

describe("formatAxisNumber with few digits", () => {
  it("never falls into exponent form inside the positional range", () => {
    expect(formatAxisNumber(110, 2)).toBe("110");
    expect(formatAxisNumber(150000, 2)).toBe("150k");
    expect(formatAxisNumber(0.0123, 2)).toBe("0.012");
  });
});

describe("line styles", () => {
  it("each style's legend sample is what it draws on a flat line, and the samples all differ", () => {
    // 2 plot rows = 8 dot rows over [0, 1]: y = 6/7 → dot row round(1/7 · 7) = 1, the dots of the
    // legend samples (⠒ = dots 2 and 5, row 1 of a cell).
    for (const [style, { sample }] of Object.entries(LINE_STYLES)) {
      const out = renderChart(
        base({
          width: 12,
          height: 4,
          yMin: 0,
          yMax: 1,
          xRange: [0, 19],
          series: [{ label: "a", color: "red", xs: [0, 19], ys: [6 / 7, 6 / 7], style: style as LineStyle }],
        }),
      );
      const plot = out.lines[1]!.slice(2); // after "1┤"
      expect(plot.startsWith(sample), `${style}: ${plot}`).toBe(true);
      const reference = renderChart(
        base({ width: 12, height: 4, yMin: 0, yMax: 1, references: [{ label: "r", color: "red", y: 6 / 7, style: style as LineStyle }] }),
      );
      expect(reference.lines[1]!.slice(2).startsWith(sample), `${style} reference`).toBe(true);
    }
    const samples = Object.values(LINE_STYLES).map((s) => s.sample);
    expect(new Set(samples).size).toBe(samples.length);
  });

  it("dotted lines stay visible when steep: every other dot of a vertical run is lit", () => {
    // x from 0 to 1 over 10 plot columns (20 dot columns), y from 0 to 1 over 3 rows (12 dot rows):
    // a jump at x = 0.5 is a vertical run in one dot column, half of whose 12 dots are lit.
    const out = renderChart(base({ yMin: 0, yMax: 1, series: [{ label: "a", color: "red", xs: [0, 0.5, 0.5, 1], ys: [0, 0, 1, 1], style: "dotted" }] }));
    const cells = out.lines.slice(1, 4).map((line) => Array.from(line.slice(2)));
    const column = cells.map((row) => row[5] ?? " "); // dot column round(0.5 · 19) = 10 → cell 5
    expect(column.every((ch) => isBraille(ch))).toBe(true);
  });
});

describe("log scale", () => {
  it("spaces the y labels geometrically, and marks a floor that zeros were clamped to", () => {
    // Values 0.001 … 1 and a 0: 7 plot rows over [log 0.001, log 1 + 5%·3 decades].
    const spec = base({ width: 30, height: 9, yScale: "log", series: [{ label: "a", color: "red", xs: [0, 1, 2, 3], ys: [0, 0.001, 0.1, 1] }] });
    const out = renderChart(spec);
    expectShape(out, 30, 9);
    expect(out.yRange[0]).toBeCloseTo(-3, 12);
    expect(out.yRange[1]).toBeCloseTo(0.15, 12);
    const label = (k: number) => out.lines[k]!.split(/[┤│]/)[0]!.trim();
    // The middle label sits on plot row 3, dot row 13.5 of 27: 10^(0.15 − 13.5/27 · 3.15) = 10^-1.425.
    expect(Number(label(4))).toBeCloseTo(10 ** -1.425, 4);
    expect(Number(label(1))).toBeCloseTo(10 ** 0.15, 2);
    expect(label(7)).toBe("≤0.001");
    // The 0 at x = 0 is drawn on the bottom row (not dropped): the first plot column has a dot there.
    expect(isBraille(out.lines[7]!.split("┤")[1]![0]!)).toBe(true);
    expect(out.lines.join("")).not.toMatch(/NaN|inf/);
  });

  it("shows at least a decade and no '≤' when nothing is clamped", () => {
    const out = renderChart(base({ width: 30, height: 9, yScale: "log", series: [{ label: "a", color: "red", xs: [0, 1], ys: [0.2873, 0.2874] }] }));
    expect(out.yRange[1] - out.yRange[0]).toBeGreaterThanOrEqual(1);
    expect(out.lines.join("")).not.toContain("≤");
  });
});

describe("windows, markers and strips", () => {
  it("a fixed x range clips the data at its edges and labels the window's steps", () => {
    const out = renderChart(
      base({ width: 50, xRange: [1000, 2000], xLabel: "last 1 000 steps", series: [{ label: "a", color: "red", xs: [0, 500, 1500, 2000], ys: [5, 0, 1, 2] }] }),
    );
    expect(out.xRange).toEqual([1000, 2000]);
    // Labels "2.05"… are 4 wide: the gutter is 5, the window label centred in the 45 columns after it.
    const axis = out.lines[4]!;
    expect(axis.startsWith("    └step 1000 ")).toBe(true);
    expect(axis.endsWith(" step 2000")).toBe(true);
    expect(axis.indexOf("last 1 000 steps")).toBe(5 + Math.floor((45 - 16) / 2));
    // The y range covers only the points shown (1 and 2, padded), not the 5 and 0 before the window.
    expect(out.yRange[0]).toBeCloseTo(0.95, 12);
    expect(out.yRange[1]).toBeCloseTo(2.05, 12);
  });

  it("draws a marker as dots up its column and its label on the step axis", () => {
    // 20 plot columns = 40 dot columns over [0, 100]: step 50 → dot column round(0.5 · 39) = 20 → cell 10.
    const out = renderChart(
      base({
        width: 22,
        height: 5,
        xRange: [0, 100],
        markers: [{ x: 50, label: "β", color: "yellow" }],
        series: [{ label: "a", color: "red", xs: [0, 100], ys: [0, 0] }],
      }),
    );
    const axis = out.lines[4]!;
    expect(Array.from(axis).indexOf("β")).toBe(2 + 10);
    expect(colorAt(out.spans[4] ?? [], 12)).toBe("yellow");
    for (const k of [1, 2]) expect(isBraille(Array.from(out.lines[k]!)[12]!)).toBe(true); // the dotted column
    expect(axis.startsWith(" └step 0")).toBe(true);
  });

  it("a marker at the last step (a key just pressed) keeps the step label, moved left of it", () => {
    const out = renderChart(
      base({
        width: 30,
        xRange: [0, 100],
        markers: [{ x: 100, label: "D", color: "yellow" }],
        series: [{ label: "a", color: "red", xs: [0, 100], ys: [0, 1] }],
      }),
    );
    const axis = out.lines[4]!;
    expect(axis.endsWith("step 100 D")).toBe(true);
  });

  it("without legend and axis: one plot row, the title in the gutter", () => {
    const out = renderChart(
      base({
        title: "β",
        width: 20,
        height: 1,
        legend: false,
        xAxis: false,
        labelWidth: 6,
        series: [{ label: "β", color: "yellow", xs: [0, 10], ys: [0.5, 0.5] }],
      }),
    );
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.startsWith("     β┤")).toBe(true);
    expect(Array.from(out.lines[0]!.slice(7)).every(isBraille)).toBe(true);
  });
});
