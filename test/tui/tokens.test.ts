import { describe, expect, it } from "vitest";
import { barSpans, tokenPanel } from "../../src/tui/token-rows.js";
import { barScale, scenarioScale, selectTokens, topIndices } from "../../src/tui/tokens.js";

const text = (spans: { text: string }[]) => spans.map((s) => s.text).join("");
const width = (s: string) => Array.from(s).length;

describe("topIndices", () => {
  it("returns the k largest, largest first, ties by index", () => {
    expect(topIndices([0.1, 0.4, 0.2, 0.4, 0.05], 3)).toEqual([1, 3, 2]);
    expect(topIndices([3, 1, 2], 10)).toEqual([0, 2, 1]);
    expect(topIndices([NaN, 1, 0], 2)).toEqual([1, 2]);
  });

  it("agrees with a full sort on a large random vector", () => {
    const values = Float64Array.from({ length: 5000 }, (_, i) => Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1);
    const sorted = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b);
    expect(topIndices(values, 25)).toEqual(sorted.slice(0, 25));
  });
});

describe("selectTokens", () => {
  it("shows every token in vocabulary order when they fit", () => {
    expect(selectTokens([0.1, 0.6, 0.3], 5, 0)).toEqual({ indices: [0, 1, 2], byMass: false, offset: 0, maxOffset: 0 });
  });

  it("shows the top tokens by π mass when they do not, scrolling through the ranking", () => {
    const pi = [0.05, 0.3, 0.1, 0.25, 0.2, 0.1];
    expect(selectTokens(pi, 3, 0)).toMatchObject({ indices: [1, 3, 4], byMass: true, offset: 0, maxOffset: 3 });
    expect(selectTokens(pi, 3, 2).indices).toEqual([4, 2, 5]);
    expect(selectTokens(pi, 3, 99)).toMatchObject({ indices: [2, 5, 0], offset: 3 });
  });
});

describe("bars", () => {
  it("uses a round full scale that covers the largest value", () => {
    expect(barScale(0.71)).toBe(1);
    expect(barScale(0.5)).toBe(0.5);
    expect(barScale(0.3)).toBe(0.5);
    expect(barScale(0.15)).toBe(0.2);
    expect(barScale(0.025)).toBe(0.05);
    expect(barScale(0)).toBe(1);
  });

  it("draws π in eighths and puts the π_ref and π* marks where their values fall", () => {
    // 10 cells at scale 1: π = 0.45 → 36 eighths = 4 full cells and a half; π_ref = 0.25 → cell 2; π* = 0.75 → cell 7.
    const bar = text(barSpans(0.45, 0.25, 0.75, 1, 10));
    expect(bar).toBe("██│█▌  ◆  ");
  });
});

describe("tokenPanel", () => {
  const labels = ["good", "ok", "meh", "bad"];
  const p = { policy: [0.7, 0.1, 0.1, 0.1], reference: [0.25, 0.25, 0.25, 0.25], optimum: [0.71, 0.097, 0.097, 0.096], labels };

  it("gives each token its label line and three bars (π, ref, π*) when there is room", () => {
    const { lines } = tokenPanel(p, 40, 20, 0, 1);
    const rows = lines.map(text);
    expect(rows[0]).toContain("tokens (4)");
    const good = rows.findIndex((r) => r.startsWith("good"));
    expect(rows[good + 1]).toMatch(/^\s+π\s+█+.*0\.700$/);
    expect(rows.filter((r) => /^\s+ref\s/.test(r))).toHaveLength(4);
    expect(rows.filter((r) => /^\s+π\*\s/.test(r))).toHaveLength(4);
    for (const row of rows) expect(width(row)).toBeLessThanOrEqual(40);
  });

  it("falls back to one row per token, and to the top tokens by mass for a large vocabulary", () => {
    const V = 1024;
    const policy = Float64Array.from({ length: V }, (_, i) => (i === 700 ? 0.5 : 0.5 / (V - 1)));
    const ref = new Float64Array(V).fill(1 / V);
    const { lines, view } = tokenPanel({ policy, reference: ref, optimum: policy, labels: [] }, 30, 12, 0, 1);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(view.byMass).toBe(true);
    expect(view.indices[0]).toBe(700);
    expect(lines.map(text).join("\n")).toContain("t700");
    expect(lines.map(text).join("\n")).toMatch(/top \d+ of 1024 by π/);
    for (const line of lines) expect(width(text(line))).toBe(30);
  });
});

describe("token panel: fixed scale, reward and log-ratio", () => {
  const labels = ["good", "ok", "meh", "bad"];
  // π = (0.7, 0.1, 0.1, 0.1) as θ = log π (so logZ = 0); π_ref uniform; r = (1, 0, 0, 0).
  const policy = [0.7, 0.1, 0.1, 0.1];
  const info = {
    policy,
    reference: [0.25, 0.25, 0.25, 0.25],
    optimum: [0.71, 0.097, 0.097, 0.096],
    labels,
    reward: [1, 0, 0, 0],
    logPolicy: policy.map(Math.log),
    logReference: [0.25, 0.25, 0.25, 0.25].map(Math.log),
  };

  it("shows each token's reward and ℓ = log π/π_ref: log(0.7/0.25) = +1.03, log(0.1/0.25) = -0.916", () => {
    const rows = tokenPanel(info, 40, 20, 0, 1).lines.map(text);
    expect(rows).toContain("good  r 1  ℓ +1.03".padEnd(40));
    expect(rows).toContain("ok  r 0  ℓ -0.916".padEnd(40));
    // Two lines per token when four do not fit: the info goes under the bar.
    const two = tokenPanel(info, 40, 10, 0, 1).lines.map(text);
    const good = two.findIndex((r) => r.startsWith("good "));
    expect(two[good + 1]?.trim()).toBe("r 1  ℓ +1.03");
    // One line per token when wide enough: ℓ and r columns beside π.
    const one = tokenPanel(info, 60, 5, 0, 1).lines.map(text);
    expect(one.find((r) => r.startsWith("good "))).toMatch(/ 0\.700 ℓ \+1\.03 r {4}1 /);
  });

  it("keeps one bar scale per scenario, whatever page is shown and however π moves", () => {
    // 100 tokens, π_ref uniform (0.01), π with a 0.3 peak: the scale is the round value ≥ 0.3, 0.5.
    const V = 100;
    const reference = new Float64Array(V).fill(1 / V);
    const pi = Float64Array.from({ length: V }, (_, i) => (i === 7 ? 0.3 : 0.7 / (V - 1)));
    const p = { policy: pi, reference, optimum: pi, labels: [] };
    const scale = scenarioScale(p);
    expect(scale).toBe(0.5);
    const header = (scroll: number) => tokenPanel(p, 40, 12, scroll, scale).lines.map(text).join(" ");
    expect(header(0)).toContain("0–0.5");
    expect(header(50)).toContain("0–0.5"); // a page of tokens near 0.007 keeps it
    const later = Float64Array.from({ length: V }, (_, i) => (i === 7 ? 0.99 : 0.01 / (V - 1)));
    expect(scenarioScale({ ...p, policy: later })).toBe(0.5); // chosen once
    // π beyond the scale fills the bar and ends in ▸.
    expect(text(barSpans(0.99, 0.01, 0.99, 0.5, 10))).toMatch(/█+▸$|█+◆$/);
    expect(text(barSpans(0.99, 0.01, 0.2, 0.5, 10)).endsWith("▸")).toBe(true);
  });
});
