/** The braille renderer's scatter layer and x-axis name (used by klsim frontier --plot). */
import { describe, expect, it } from "vitest";
import { renderChart } from "../../src/tui/chart/braille.js";

describe("renderChart points", () => {
  it("draws each point's glyph in the cell its (x, y) falls in, on top of lines; legend and axis name", () => {
    const chart = renderChart({
      title: "t",
      width: 12,
      height: 6,
      series: [],
      points: [{ label: "p", color: "red", glyph: "×", xs: [0, 1], ys: [0, 1] }],
      xName: "KL",
      yMin: 0,
      yMax: 1,
    });
    // legend, 4 plot rows, axis; y labels "1", "0" make the gutter 2 wide: plot columns 2..11
    expect(chart.lines[0]).toBe("t  × p      ");
    const plot = chart.lines.slice(1, 5);
    expect(plot[0]!.slice(2)).toBe("         ×"); // (1, 1): last column, top row
    expect(plot[3]!.slice(2)).toBe("×         "); // (0, 0): first column, bottom row
    expect(plot[1]!.slice(2).trim()).toBe("");
    expect(chart.lines[5]).toMatch(/^ └KL 0 +KL 1$/);
  });

  it("points count for the automatic ranges and non-finite ones are skipped", () => {
    const chart = renderChart({
      title: "",
      width: 20,
      height: 5,
      series: [{ label: "line", color: "green", xs: [0, 1], ys: [0, 0] }],
      points: [{ label: "p", color: "red", glyph: "●", xs: [2, Number.NaN], ys: [5, 1] }],
      xName: "x",
    });
    expect(chart.xRange).toEqual([0, 2]);
    expect(chart.yRange[1]).toBeGreaterThanOrEqual(5);
    expect(chart.lines.join("\n").split("●").length - 1).toBe(2); // the legend's and the one finite point
  });
});
