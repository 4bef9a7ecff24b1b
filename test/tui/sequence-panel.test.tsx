/**
 * The sequence panel: its lines from a hand-made input (order by π, the three columns, the KL profile's
 * bars in proportion), and the live panel in the Root on sequence-basic, where the optimum's column
 * shows π*(y) = π_ref(y)·exp(R(y)/β)/Z computed here from the scenario's definition.
 */
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { loadScenario, simConfigOf } from "../../src/scenario/loader.js";
import { Simulation } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";
import { Root } from "../../src/tui/components/root.js";
import { formatProbability } from "../../src/tui/number-format.js";
import { sequencePanel } from "../../src/tui/sequence-rows.js";

afterEach(() => cleanup());
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
/** Lets ink deliver a key and React commit, for as long as a loaded machine needs (up to 5 s): waits, asserts nothing about time. */
async function until(condition: () => boolean): Promise<void> {
  for (let k = 0; k < 250 && !condition(); k++) await settle();
}
const text = (line: { text: string }[]) => line.map((s) => s.text).join("");

describe("sequencePanel", () => {
  const input = {
    policy: [0.1, 0.6, 0.3],
    reference: [0.5, 0.25, 0.25],
    optimum: [0.2, 0.5, 0.3],
    label: (y: number) => ["a end", "b b", "a b"][y]!,
    profile: [0.4, 0.1],
    meanLength: 1.7,
    tokenMeanKL: 0.25,
  };

  it("lists sequences by π with π, π_ref and π*, then the KL by position with bars in proportion", () => {
    const { lines, view } = sequencePanel(input, 40, 12, 0);
    const rows = lines.map(text);
    expect(view.indices).toEqual([0, 1, 2]); // all fit: no ranking needed
    expect(rows.every((r) => Array.from(r).length === 40)).toBe(true);
    expect(rows[2]).toMatch(/^a end\s+0\.100\s+0\.500\s+0\.200$/);
    expect(rows[3]).toMatch(/^b b\s+0\.600\s+0\.250\s+0\.500$/);
    expect(rows.some((r) => r.startsWith("KL by position (Σ 0.5)"))).toBe(true);
    const t0 = rows.find((r) => r.startsWith("t0"))!;
    const t1 = rows.find((r) => r.startsWith("t1"))!;
    // a bar's length in eighths of a cell: █ is 8, ▏…▉ are 1…7
    const eighths = (r: string) => Array.from(r).reduce((n, c) => n + (c === "█" ? 8 : Math.max(0, "▏▎▍▌▋▊▉".indexOf(c) + 1)), 0);
    expect(eighths(t0)).toBe(4 * eighths(t1)); // 0.4 : 0.1, the largest filling the bar
    expect(rows[rows.length - 1]).toContain("E[L] 1.7  token-mean KL 0.25");
  });

  it("ranks by π and scrolls when they do not all fit; a label too long for one row goes above its numbers", () => {
    const { lines, view } = sequencePanel({ ...input, profile: null }, 24, 4, 1);
    expect(view.byMass).toBe(true);
    expect(view.indices).toEqual([2]); // one two-row sequence fits; scrolled by one from the top (b b)
    const rows = lines.map(text);
    expect(rows[0]).toContain("2–2 of 3");
    expect(rows[2]!.trim()).toBe("a b");
    expect(rows[3]!.trim().split(/\s+/)).toEqual(["0.300", "0.250", "0.300"]);
  });
});

describe("the sequence panel in the TUI (sequence-basic)", () => {
  it("replaces the token panel: top sequences as token strings with π* from the definition, the KL profile, ↓ scrolls", async () => {
    const scenario = await loadScenario("sequence-basic");
    const sim = new Simulation(scenario.problem, simConfigOf(scenario));
    const store = new SimStore(sim, scenario, { stepsPerFrame: 10, paused: true });
    const app = render(<Root store={store} size={{ columns: 120, rows: 40 }} />);
    await settle();
    const frame = () => app.lastFrame() ?? "";
    // π*(good⁴) = π_ref·e^(4/β)/Z: π_ref(y) = (1/3)·Π(½ if repeated else ¼), R = #good − ½·#bad, β = ½
    let z = 0;
    const seqs: number[][] = [];
    for (let k = 0; k < 81; k++) seqs.push([0, 1, 2, 3].map((t) => Math.floor(k / 3 ** t) % 3));
    const weight = (s: number[]) =>
      s.reduce((p, a, t) => p * (t === 0 ? 1 / 3 : a === s[t - 1] ? 0.5 : 0.25), 1) *
      Math.exp((s.filter((a) => a === 0).length - 0.5 * s.filter((a) => a === 2).length) / 0.5);
    for (const s of seqs) z += weight(s);
    const best = weight([0, 0, 0, 0]) / z;
    expect(frame()).toContain("of 81 sequences");
    expect(frame()).toContain("good good good good");
    expect(frame()).toContain(formatProbability(best));
    expect(frame()).toContain("KL by position");
    for (const t of ["t0", "t1", "t2", "t3"]) expect(frame()).toMatch(new RegExp(`${t} `));
    expect(frame()).not.toContain("tokens ("); // not the token panel
    app.stdin.write("\u001b[B");
    await until(() => frame().includes("2–"));
    expect(frame()).toContain("2–");
    app.stdin.write("k"); // the estimator key says how sequence training is set instead
    await until(() => frame().includes("k, i, b act"));
    expect(frame()).toContain("k, i, b act on one-token training");
  });
});
