import { describe, expect, it } from "vitest";
import { MIN_WINDOW, nextWindow, windowLabel, windowRange } from "../../src/tui/window.js";

describe("nextWindow (z)", () => {
  it("goes from all steps to the largest power of ten below the step, down by tens, then back to all", () => {
    // At step 8280 with every step kept: 1000, 100, then all (10 < MIN_WINDOW = 100).
    const seen: (number | null)[] = [];
    let window: number | null = null;
    for (let k = 0; k < 4; k++) {
      window = nextWindow(window, 8280, 1);
      seen.push(window);
    }
    expect(MIN_WINDOW).toBe(100);
    expect(seen).toEqual([1000, 100, null, 1000]);
  });

  it("never offers a window as long as the run (1000 steps: 100 first), nor one before 100 steps are run", () => {
    expect(nextWindow(null, 1000, 1)).toBe(100);
    expect(nextWindow(null, 1001, 1)).toBe(1000);
    expect(nextWindow(null, 100, 1)).toBeNull();
    expect(nextWindow(null, 0, 1)).toBeNull();
  });

  it("keeps at least 16 history points in a window: with a stride of 256, 1000 steps hold 3.9 points, 10 000 hold 39", () => {
    expect(nextWindow(null, 1_000_000, 256)).toBe(100_000);
    expect(nextWindow(100_000, 1_000_000, 256)).toBe(10_000);
    expect(nextWindow(10_000, 1_000_000, 256)).toBeNull();
  });
});

describe("windowRange and windowLabel", () => {
  it("is the last `window` steps, clipped at the first, and all steps without a window", () => {
    expect(windowRange(null, 0, 8280)).toEqual([0, 8280]);
    expect(windowRange(1000, 0, 8280)).toEqual([7280, 8280]);
    expect(windowRange(1000, 0, 300)).toEqual([0, 300]);
    expect(windowLabel(10_000)).toBe("last 10 000 steps");
    expect(windowLabel(null)).toBeNull();
  });
});
