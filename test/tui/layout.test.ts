import { describe, expect, it } from "vitest";
import { CHROME_ROWS, layoutFor } from "../../src/tui/layout.js";

describe("layoutFor", () => {
  it("at 80×24 puts a narrow token panel beside small charts and leaves the last row free", () => {
    const l = layoutFor(80, 24, 4);
    expect(l.tooSmall).toBe(false);
    expect(l.tokensBeside).toBe(true);
    expect(l.chartWidth + 1 + l.tokenWidth).toBe(80);
    expect(CHROME_ROWS + l.bodyRows).toBe(23);
    expect(l.betaRows + l.chartHeights.reduce((a, b) => a + b)).toBe(l.bodyRows);
    expect(Math.min(...l.chartHeights)).toBeGreaterThanOrEqual(5); // title + 3 plot rows + axis
    // A two-line footer takes one more row from the body.
    const twoLines = layoutFor(80, 24, 4, 2);
    expect(CHROME_ROWS + 1 + twoLines.bodyRows).toBe(23);
    expect(twoLines.betaRows + twoLines.chartHeights.reduce((a, b) => a + b)).toBe(twoLines.bodyRows);
    expect(Math.min(...twoLines.chartHeights)).toBeGreaterThanOrEqual(5);
  });

  it("at 120×40 gives bigger charts and a wider token panel", () => {
    const small = layoutFor(80, 24, 4);
    const big = layoutFor(120, 40, 4);
    expect(big.chartWidth).toBeGreaterThan(small.chartWidth);
    expect(big.tokenWidth).toBeGreaterThan(small.tokenWidth);
    expect(Math.min(...big.chartHeights)).toBeGreaterThan(Math.max(...small.chartHeights));
    expect(CHROME_ROWS + big.bodyRows).toBe(39);
  });

  it("stacks the token panel under the charts on narrow terminals, and gives up below the minimum", () => {
    const narrow = layoutFor(60, 30, 1024);
    expect(narrow.tokensBeside).toBe(false);
    expect(narrow.chartWidth).toBe(60);
    expect(narrow.betaRows + narrow.chartHeights.reduce((a, b) => a + b) + narrow.tokenRows).toBe(narrow.bodyRows);
    expect(layoutFor(40, 24, 4).tooSmall).toBe(true);
    expect(layoutFor(80, 10, 4).tooSmall).toBe(true);
  });
});
