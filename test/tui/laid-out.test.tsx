import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

// chalk decides its level when first imported: colour on, so the frames carry escape codes.
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { renderChart, type Span } from "../../src/tui/chart/braille.js";
import { ColorContext } from "../../src/tui/components/color-context.js";
import { LaidOutLines } from "../../src/tui/components/laid-out-lines.js";
import { SpanLine } from "../../src/tui/components/span-line.js";
import { ansiLine, narrowWidths } from "../../src/tui/laid-out.js";

afterEach(() => cleanup());
afterAll(() => {
  delete process.env.FORCE_COLOR;
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

// The same lines as ink lays them out itself: one <Text> of coloured <Text> spans per line.
async function frames(lines: Span[][], color: boolean, width: number): Promise<{ laidOut: string; spanLines: string }> {
  const laid = render(
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        <LaidOutLines lines={lines} />
      </Box>
    </ColorContext.Provider>,
  );
  await settle();
  const laidOut = laid.lastFrame() ?? "";
  cleanup();
  const spans = render(
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        {lines.map((line, i) => (
          <SpanLine key={i} spans={line} />
        ))}
      </Box>
    </ColorContext.Provider>,
  );
  await settle();
  return { laidOut, spanLines: spans.lastFrame() ?? "" };
}

const xs = Array.from({ length: 60 }, (_, i) => i);
const chart = renderChart({
  title: "reward",
  width: 50,
  height: 12,
  series: [
    { label: "proxy", color: "green", xs, ys: xs.map((x) => Math.sin(x / 9)) },
    { label: "gold", color: "yellow", xs, ys: xs.map((x) => Math.cos(x / 7)), style: "dotted" },
  ],
  references: [{ label: "π*", color: "gray", y: 0.5 }],
});

describe("LaidOutLines", () => {
  it("draws a braille chart exactly as a SpanLine per line does, with colour and without", async () => {
    for (const color of [true, false]) {
      const { laidOut, spanLines } = await frames(chart.spans, color, 50);
      expect(laidOut).toBe(spanLines);
      expect(laidOut.includes("\u001b[")).toBe(color);
      expect(laidOut.split("\n")).toHaveLength(12);
    }
  });

  it("falls back to ink's own layout for lines with wide, combining or control characters, with the same screen", async () => {
    const lines: Span[][] = [[{ text: "label " }, { text: "中文", color: "cyan" }], [{ text: "e\u0301 ok", color: "red" }], [{ text: "bell\u0007" }]];
    expect(narrowWidths(lines)).toBeNull();
    const { laidOut, spanLines } = await frames(lines, true, 30);
    expect(laidOut).toBe(spanLines);
    expect(laidOut).toContain("中文");
  });

  it("measures a line by its code points and colours it with ink's (chalk's) codes", () => {
    expect(narrowWidths([[{ text: "β 0.1 " }, { text: "⠒⠒", color: "yellow" }], []])).toEqual([8, 0]);
    expect(ansiLine([{ text: "a" }, { text: "⠒", color: "green" }, { text: "b", color: "gray" }])).toBe("a\u001b[32m⠒\u001b[39m\u001b[90mb\u001b[39m");
  });
});
