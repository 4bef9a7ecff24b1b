import { cleanup, render } from "ink-testing-library";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// chalk (which ink colours with) decides its level when it is first imported: force colour for this
// file, so that a missing colour escape is our doing, not the test terminal's.
vi.hoisted(() => {
  process.env.FORCE_COLOR = "1";
});

import { loadScenario, simConfigOf, type Scenario } from "../../src/scenario/loader.js";
import { Simulation } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";
import { LINE_STYLES } from "../../src/tui/chart/braille.js";
import { SERIES_STYLES } from "../../src/tui/charts.js";
import { colorAllowed } from "../../src/tui/color.js";
import { Root } from "../../src/tui/components/root.js";

const ESCAPE = "\u001b[";
let hacking: Scenario;
beforeAll(async () => {
  hacking = await loadScenario("reward-hacking");
  delete process.env.FORCE_COLOR; // chalk has its level; from here the UI reads NO_COLOR itself
  delete process.env.NO_COLOR; // CI exports NO_COLOR=1: "by default" means unset here
});
afterEach(() => {
  cleanup();
  delete process.env.NO_COLOR;
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function screen(): Promise<string> {
  const store = new SimStore(new Simulation(hacking.problem, simConfigOf(hacking)), hacking, { paused: true });
  store.step(4000); // past the point where gold turns down: proxy and gold apart
  const app = render(<Root store={store} size={{ columns: 120, rows: 40 }} />);
  await settle();
  return app.lastFrame() ?? "";
}

describe("colour", () => {
  it("colours the UI by default (the test can see colour escapes)", async () => {
    expect(await screen()).toContain(ESCAPE);
  });

  it("NO_COLOR=1: not one escape sequence, and the series still differ by line style", async () => {
    process.env.NO_COLOR = "1";
    const text = await screen();
    expect(text).not.toContain(ESCAPE);
    expect(text).not.toContain("\u001b");
    const legend = text.split("\n").find((l) => l.startsWith("reward  "))!; // the chart title, not the status line
    const sample = (style: keyof typeof SERIES_STYLES) => LINE_STYLES[SERIES_STYLES[style]].sample;
    // Each series' legend entry carries its own style's sample…
    expect(legend).toContain(`${sample("measured")} proxy`);
    expect(legend).toContain(`${sample("gold")} gold`);
    expect(legend).toContain(`${sample("optimum")} π*`);
    // …and the styles that share a chart differ: proxy / gold / π*, exact KL / estimate / π* / target.
    for (const group of [
      ["measured", "gold", "optimum", "optimumGold"],
      ["measured", "estimate", "optimum", "target"],
    ] as const) {
      expect(new Set(group.map(sample)).size).toBe(group.length);
    }
    // On the plot: the dotted gold line's cells (one dot column of two lit: ⠂-like) appear, and so do solid ones.
    expect(text).toMatch(/[⠁⠂⠄⡀]/u);
  });
});

describe("colorAllowed", () => {
  it("follows no-color.org and chalk's FORCE_COLOR", () => {
    expect(colorAllowed({})).toBe(true);
    expect(colorAllowed({ NO_COLOR: "1" })).toBe(false);
    expect(colorAllowed({ NO_COLOR: "0" })).toBe(false); // any non-empty value
    expect(colorAllowed({ NO_COLOR: "" })).toBe(true); // empty: as if unset
    expect(colorAllowed({ NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(true); // FORCE_COLOR decides when set
    expect(colorAllowed({ FORCE_COLOR: "0" })).toBe(false);
    expect(colorAllowed({ FORCE_COLOR: "false" })).toBe(false);
    expect(colorAllowed({ FORCE_COLOR: "" })).toBe(true);
  });
});
