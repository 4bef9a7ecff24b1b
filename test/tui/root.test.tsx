import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanup, render } from "ink-testing-library";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { makeProblem } from "../../src/core/problem.js";
import { loadScenario, simConfigOf, type Scenario } from "../../src/scenario/loader.js";
import { CSV_HEADER } from "../../src/sim/record-format.js";
import { fieldIndex } from "../../src/sim/record.js";
import { Simulation } from "../../src/sim/simulation.js";
import { SimStore } from "../../src/sim/store.js";
import type { ScenarioSource } from "../../src/tui/commands.js";
import { LINE_STYLES, renderChart } from "../../src/tui/chart/braille.js";
import { metricCharts, SERIES_STYLES } from "../../src/tui/charts.js";
import { Root } from "../../src/tui/components/root.js";
import { footerLines } from "../../src/tui/footer-text.js";
import { formatValue } from "../../src/tui/number-format.js";
import { KEY_WIDTH } from "../../src/tui/help-lines.js";
import { HELP_ROWS } from "../../src/tui/keys.js";
import { layoutFor } from "../../src/tui/layout.js";

let basic: Scenario;
let exportDir: string;

beforeAll(async () => {
  basic = await loadScenario("basic");
  exportDir = mkdtempSync(join(tmpdir(), "klsim-tui-"));
});
afterAll(() => rmSync(exportDir, { recursive: true, force: true }));
afterEach(() => cleanup());

/** Lets ink deliver input and React commit (input and Esc flushing use setImmediate). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** One driver frame, then let React commit the published snapshot. */
async function tick(store: { tick(): void }, frames = 1) {
  for (let k = 0; k < frames; k++) store.tick();
  await settle();
}

async function press(stdin: { write(data: string): void }, ...keys: string[]) {
  for (const key of keys) {
    stdin.write(key);
    await settle();
  }
}

interface Setup {
  scenario?: Scenario;
  sim?: Simulation;
  paused?: boolean;
  size?: { columns: number; rows: number };
  scenarios?: ScenarioSource;
  stopAt?: number;
}

/** The root component on a store the test drives by hand (no timer: store.tick() is a frame). */
async function setup({ scenario = basic, sim, paused = true, size = { columns: 100, rows: 30 }, scenarios, stopAt }: Setup = {}) {
  const simulation = sim ?? new Simulation(scenario.problem, simConfigOf(scenario));
  const store = new SimStore(simulation, scenario, { stepsPerFrame: 10, paused, ...(stopAt === undefined ? {} : { stopAt }) });
  const onExit = vi.fn();
  const app = render(<Root store={store} size={size} exportDir={exportDir} onExit={onExit} {...(scenarios ? { scenarios } : {})} />);
  await settle();
  const frame = () => app.lastFrame() ?? "";
  return { store, app, onExit, frame, stdin: app.stdin };
}

describe("Root", () => {
  it("k, i and b change the estimator, placement and baseline; the status says what it optimises, and a dotted line marks the fixed point", async () => {
    const grpo = await loadScenario("sampled-grpo"); // k3 in the loss, loo, β ½ on basic's problem
    const { store, frame, stdin } = await setup({ scenario: grpo, size: { columns: 140, rows: 40 } });
    // the forward optimum of basic at β = ½ (4d² + 2d − ½ = 0, π*₀ = ⅛/d) and the reverse one e²/(e² + 3)
    const d = (-2 + Math.sqrt(4 + 8)) / 8;
    const forward = 0.125 / d;
    const reverse = Math.exp(2) / (Math.exp(2) + 3);
    expect(frame()).toContain("k3·loss·loo → forward KL");
    expect(frame()).toContain(`fixed pt ${formatValue(forward)}`);
    expect(frame()).toContain(`π* ${formatValue(reverse)}`);
    await press(stdin, "k"); // k3 → rho-k3: the reverse KL's gradient
    expect(store.sim.sampling!.estimator.name).toBe("rho-k3");
    expect(frame()).toContain("rho-k3·loss·loo → reverse KL");
    expect(frame()).not.toContain("fixed pt"); // it is π* itself
    await press(stdin, "i"); // into the reward: ρ·k3 is k3 there
    expect(frame()).toContain("rho-k3·reward·loo → reverse − forward (unbounded)");
    expect(frame()).toContain("no fixed point");
    await press(stdin, "i", "b"); // back to the loss, then the mean baseline: β·32/31
    expect(store.sim.sampling!.baseline.name).toBe("mean");
    const biased = Math.exp(31 / 16) / (Math.exp(31 / 16) + 3);
    expect(frame()).toContain(`fixed pt ${formatValue(biased)}`);
  });

  it("k in exact mode says what it needs", async () => {
    const { frame, stdin } = await setup();
    await press(stdin, "k");
    expect(frame()).toContain("mode=sampled");
  });

  it("shows the scenario, step, β, controller, direction, optimiser and metrics", async () => {
    const { frame } = await setup();
    const screen = frame();
    expect(screen).toContain("basic");
    expect(screen).toContain("step 0");
    expect(screen).toContain("paused");
    expect(screen).toContain("β 0.5");
    expect(screen).toContain("fixed");
    expect(screen).toContain("penalty reverse KL(π‖π_ref)");
    expect(screen).toContain("sgd lr 1");
    expect(screen).toContain("reward 0.25"); // π = π_ref = uniform: E[r] = 1/4
    for (const title of ["reward", "reverse KL(π‖π_ref)", "forward KL(π_ref‖π)"]) expect(screen).toContain(title);
    for (const token of ["good", "ok", "meh", "bad"]) expect(screen).toContain(token);
    expect(screen).not.toMatch(/NaN/);
  });

  it("draws the charts from the driver's ticks", async () => {
    const { store, frame } = await setup({ paused: false });
    await tick(store, 2);
    expect(frame()).toContain("step 20");
    expect(frame()).toMatch(/step 0\s+step 20/); // the charts' step range
  });

  it("+ raises β by 1.25 (0.5 → 0.625) and moves the optimum lines at once", async () => {
    const { store, frame, stdin } = await setup();
    const optimumBefore = store.sim.optimum().metrics.reward;
    expect(frame()).toContain(`π* ${formatValue(optimumBefore)}`);
    await press(stdin, "+");
    expect(store.sim.beta).toBe(0.625);
    expect(frame()).toContain("β 0.625");
    const optimumAfter = store.sim.optimum().metrics.reward;
    expect(optimumAfter).toBeLessThan(optimumBefore);
    expect(frame()).toContain(`π* ${formatValue(optimumAfter)}`);
    await press(stdin, "-");
    expect(frame()).toContain("β 0.5 ");
  });

  it("d cycles through the four penalties, and the dashed optimum lines follow", async () => {
    const { store, frame, stdin } = await setup();
    // basic: π_ref uniform over 4, r = e₀, β = ½. π* = (p, (1−p)/3 ×3) with E[r] = p, where the
    // stationarity r_i − β f′(u_i) = λ (u = π/π_ref) gives 1 = β(f′(4p) − f′(4(1 − p)/3)),
    // solved here by bisection for each f′ (f-DPO, Wang et al. 2023)
    const fPrime: Record<string, (u: number) => number> = {
      reverse: (u) => Math.log(u),
      forward: (u) => -1 / u,
      js: (u) => 0.5 * Math.log((2 * u) / (1 + u)),
      "alpha:0.5": (u) => (1 - u ** -0.5) / 0.5,
    };
    const rewardAtOptimum = (name: string) => {
      let lo = 0.25;
      let hi = 1 - 1e-15;
      for (let k = 0; k < 200; k++) {
        const p = (lo + hi) / 2;
        if (0.5 * (fPrime[name]!(4 * p) - fPrime[name]!((4 * (1 - p)) / 3)) < 1) lo = p;
        else hi = p;
      }
      return lo;
    };
    expect(rewardAtOptimum("reverse")).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 3), 12);
    const seen: string[] = [];
    for (const [name, label, chart] of [
      ["reverse", "reverse KL(π‖π_ref)", "reverse KL(π‖π_ref) · penalty"],
      ["forward", "forward KL(π_ref‖π)", "forward KL(π_ref‖π) · penalty"],
      ["js", "Jensen–Shannon JS(π, π_ref)", null],
      ["alpha:0.5", "α-divergence D_α(π‖π_ref), α = 0.5", null],
    ] as const) {
      if (seen.length) await press(stdin, "d");
      seen.push(store.sim.penalty.name);
      expect(store.sim.penalty.name).toBe(name);
      expect(frame()).toContain(`penalty ${label}`);
      if (chart) expect(frame()).toContain(chart);
      else expect(frame()).not.toContain("· penalty");
      expect(frame()).toContain(`π* ${formatValue(rewardAtOptimum(name))}`);
    }
    await press(stdin, "d");
    expect(store.sim.penalty.name).toBe("reverse");
  });

  it("0 sets β to 0, and + from 0 gives 0.01", async () => {
    const { store, frame, stdin } = await setup();
    await press(stdin, "0");
    expect(store.sim.beta).toBe(0);
    expect(frame()).toMatch(/β 0(?![.\d])/);
    await press(stdin, "+");
    expect(frame()).toContain("β 0.01");
  });

  it("space pauses and resumes; n steps once while paused", async () => {
    const { store, frame, stdin } = await setup({ paused: false });
    expect(frame()).toContain("running");
    await press(stdin, " ");
    expect(frame()).toContain("paused");
    expect(store.paused).toBe(true);
    await tick(store);
    expect(frame()).toContain("step 0");
    await press(stdin, "n");
    expect(frame()).toContain("step 1");
    await press(stdin, " ");
    expect(store.paused).toBe(false);
    await tick(store);
    expect(frame()).toContain("step 11");
  });

  it("[ and ] change the steps per frame the driver runs", async () => {
    const { store, frame, stdin } = await setup({ paused: false });
    expect(frame()).toContain("×10/frame");
    await press(stdin, "]");
    expect(frame()).toContain("×20/frame");
    await tick(store);
    expect(store.sim.currentStep).toBe(20);
    await press(stdin, "[", "[");
    expect(store.stepsPerFrame).toBe(5);
  });

  it("r resets to step 0 with the scenario's β", async () => {
    const { store, frame, stdin } = await setup();
    store.step(50);
    await press(stdin, "+");
    await press(stdin, "r");
    expect(store.sim.currentStep).toBe(0);
    expect(frame()).toContain("step 0");
    expect(frame()).toContain("β 0.5");
  });

  it("e exports the history atomically as <scenario>-history.csv and says how many rows", async () => {
    const { store, frame, stdin } = await setup();
    store.step(30);
    await press(stdin, "e");
    const csv = readFileSync(join(exportDir, "basic-history.csv"), "utf8").trimEnd().split("\n");
    expect(csv[0]).toBe(CSV_HEADER);
    expect(csv).toHaveLength(1 + 31); // steps 0..30
    expect(csv[31]?.startsWith("30,0.5,")).toBe(true);
    expect(frame()).toContain("exported 31 rows to");
    expect(frame()).toContain("basic-history.csv");
  });

  it("s loads the next scenario into a new simulation", async () => {
    const modeSeeking = await loadScenario("mode-seeking");
    const scenarios: ScenarioSource = { names: () => ["basic", "mode-seeking"], load: async () => modeSeeking };
    const { store, frame, stdin } = await setup({ scenarios });
    store.step(5);
    await press(stdin, "s");
    await settle();
    expect(store.sim.problem).toBe(modeSeeking.problem);
    expect(frame()).toContain("mode-seeking");
    expect(frame()).toContain("step 0");
    expect(frame()).toContain("β 0.15");
    expect(frame()).toContain("cautious");
  });

  it("? opens the help with every key; ? or Esc closes it; keys other than quit wait", async () => {
    const { store, frame, stdin } = await setup();
    await press(stdin, "?");
    expect(frame()).toContain("keys");
    expect(frame()).toContain("export the chart history");
    await press(stdin, "+");
    expect(store.sim.beta).toBe(0.5);
    await press(stdin, "\u001b");
    expect(frame()).not.toContain("export the chart history");
    await press(stdin, "?", "?");
    expect(frame()).not.toContain("export the chart history");
  });

  it("q exits: the exit callback runs and the app stops rendering", async () => {
    const { store, app, onExit, stdin } = await setup({ paused: false });
    await press(stdin, "q");
    expect(onExit).toHaveBeenCalledTimes(1);
    const frames = app.frames.length;
    store.tick();
    await settle();
    expect(app.frames.length).toBe(frames);
  });

  it("Ctrl+C exits the same way", async () => {
    const { onExit, stdin } = await setup();
    await press(stdin, "\u0003");
    expect(onExit).toHaveBeenCalledTimes(1);
  });

  it("shows the failure when the simulation diverges", async () => {
    const problem = makeProblem([0.5, 0.5], [1e300, 0]);
    const sim = new Simulation(problem, { penalty: divergenceNamed("reverse"), beta: 0, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 1e300 } });
    const { store, frame } = await setup({ scenario: { ...basic, spec: { ...basic.spec, vocab: 2, tokens: ["a", "b"] }, problem }, sim, paused: false });
    await tick(store);
    expect(frame()).toContain("FAILED");
    expect(frame()).toContain("(r resets)");
    expect(frame()).toMatch(/diverged at step 1: a logit became non-finite/);
  });

  it.each([
    [80, 24],
    [100, 40],
  ])("fits %i×%i: no line wider than the terminal, the last row left free", async (columns, rows) => {
    const { store, frame } = await setup({ size: { columns, rows }, paused: false });
    await tick(store);
    const lines = frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(rows - 1);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
    expect(lines.slice(-2).join("\n")).toContain("q quit");
  });

  it("shows the top tokens by mass for a large vocabulary and scrolls with the arrows", async () => {
    const large = await loadScenario("large-vocab");
    const { store, frame, stdin } = await setup({ scenario: large, paused: false });
    await tick(store, 20);
    expect(frame()).toMatch(/top \d+ of 1024 by π/);
    await press(stdin, "\u001b[B"); // down arrow
    expect(frame()).toMatch(/2–\d+ of 1024 by π/);
  });
});

/** basic's closed-form optimum under reverse KL: π* ∝ π_ref·exp(r/β), so E_π*[r] = π*_good = e^{1/β}/(e^{1/β} + 3). */
const reverseGood = (beta: number) => Math.exp(1 / beta) / (Math.exp(1 / beta) + 3);

/** The step axes on screen: [first step, last step] of each chart. */
const axes = (screen: string) => [...screen.matchAll(/└step (\d+).*?step (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

/** The y labels (top, middle, bottom) of the chart whose legend line starts with `title` (charts are at the left edge). */
function yLabels(screen: string, title: string): string[] {
  const lines = screen.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  const end = lines.findIndex((l, k) => k > start && l.includes("└step"));
  return lines
    .slice(start + 1, end)
    .filter((l) => l.indexOf("┤") >= 0 && l.indexOf("┤") < 10)
    .map((l) => l.slice(0, l.indexOf("┤")).trim());
}

describe("Root: the story over time", () => {
  it("z zooms to the last 1000, then 100 steps, then back to all: the step range on every axis", async () => {
    const { store, frame, stdin } = await setup();
    store.step(2000);
    await settle();
    expect(axes(frame())).toEqual([
      [0, 2000],
      [0, 2000],
      [0, 2000],
    ]);
    await press(stdin, "z"); // the largest power of ten below 2000 steps
    expect(axes(frame())).toEqual(Array(3).fill([2000 - 1000, 2000]));
    expect(frame()).toContain("last 1 000 steps");
    await press(stdin, "z");
    expect(axes(frame())).toEqual(Array(3).fill([2000 - 100, 2000]));
    await press(stdin, "z"); // 10 steps is below the smallest window: all steps again
    expect(axes(frame())).toEqual(Array(3).fill([0, 2000]));
    expect(frame()).toContain("zoom: all steps");
  });

  it("a β change leaves a marker under its step on every chart, and the optimum line changes there", async () => {
    const size = { columns: 100, rows: 30 };
    const { store, frame, stdin } = await setup({ size });
    store.step(50);
    await press(stdin, "+");
    store.step(50);
    await settle();
    // Where step 50 of [0, 100] falls: the plot starts after a 7-column gutter (labels 6 wide + the
    // axis), its dot columns (2 per cell) span the steps, and a dot column is in cell ⌊dx/2⌋.
    const chartWidth = layoutFor(size.columns, size.rows, 4, footerLines(size.columns).length).chartWidth;
    const plotCells = chartWidth - 7;
    const dx = Math.round((50 / 100) * (2 * plotCells - 1));
    const column = 7 + Math.floor(dx / 2);
    const axisLines = frame()
      .split("\n")
      .filter((l) => l.includes("└step"));
    expect(axisLines).toHaveLength(3);
    for (const line of axisLines) expect(Array.from(line)[column]).toBe("β");
    expect(store.getSnapshot().changes).toEqual([{ step: 50, setting: "beta", from: "0.5", to: "0.625" }]);

    // The reward chart's π* line: β 0.5 up to step 50, 0.625 after, each at its closed form.
    const snap = store.getSnapshot();
    const [reward] = metricCharts(snap.sim, chartWidth, [9, 9, 9], { problem: basic.problem, changes: snap.changes });
    const optimumLine = reward!.series.find((s) => s.label.startsWith("π* "))!;
    // A fixed controller: constant between the ends and the change, with a vertical step at 50.
    expect(Array.from(optimumLine.xs)).toEqual([0, 50, 50, 100]);
    [0.5, 0.5, 0.625, 0.625].forEach((beta, k) => expect(optimumLine.ys[k]).toBeCloseTo(reverseGood(beta), 12));
    // Drawn alone it lies on two rows: the closed forms' dot rows on either side of the change.
    const drawn = renderChart({ ...reward!, series: [optimumLine], markers: [] });
    const [lo, hi] = drawn.yRange;
    const dotRows = 4 * 7;
    const rowOf = (y: number) => Math.round((1 - (y - lo) / (hi - lo)) * (dotRows - 1));
    const cellRow = (y: number) => 1 + Math.floor(rowOf(y) / 4); // below the legend line
    expect(cellRow(reverseGood(0.5))).not.toBe(cellRow(reverseGood(0.625)));
    const cellsOf = (line: string) => Array.from(line.slice(7));
    const leftHalf = (row: number) => cellsOf(drawn.lines[row]!).slice(0, Math.floor(plotCells / 2) - 1);
    const rightHalf = (row: number) => cellsOf(drawn.lines[row]!).slice(Math.floor(plotCells / 2) + 1);
    expect(leftHalf(cellRow(reverseGood(0.5))).some((c) => c !== " ")).toBe(true);
    expect(rightHalf(cellRow(reverseGood(0.5))).every((c) => c === " ")).toBe(true);
    expect(rightHalf(cellRow(reverseGood(0.625))).some((c) => c !== " ")).toBe(true);
    expect(leftHalf(cellRow(reverseGood(0.625))).every((c) => c === " ")).toBe(true);
  });

  it("g puts the KL charts on a log scale: geometric labels, a '≤' floor for the step-0 KL of 0; again: linear", async () => {
    const { store, frame, stdin } = await setup();
    store.step(200);
    await settle();
    const title = "reverse KL(π‖π_ref)";
    const linear = yLabels(frame(), title);
    expect(linear).toHaveLength(3);
    // Plot rows of the chart: 6 (a 30-row terminal); the middle label is on row ⌊5/2⌋ = 2, whose
    // centre is dot row 4·2 + 1.5 of 4·6 − 1: that fraction of the way down from the top.
    const plotRows = 6;
    const t = (4 * 2 + 1.5) / (4 * plotRows - 1);
    const [top, mid, bottom] = linear.map(Number) as [number, number, number];
    expect(bottom).toBe(0);
    expect(mid).toBeCloseTo(top - t * (top - bottom), 2);

    await press(stdin, "g");
    expect(frame()).toContain(`${title} · penalty · log`);
    const log = yLabels(frame(), title);
    expect(log[2]).toMatch(/^≤/); // KL(π_0‖π_ref) = 0 sits on the floor
    const [logTop, logMid, floor] = [Number(log[0]), Number(log[1]), Number(log[2]!.slice(1))];
    expect(Math.log10(logMid)).toBeCloseTo(Math.log10(logTop) - t * (Math.log10(logTop) - Math.log10(floor)), 1);
    expect(logMid).toBeLessThan((logTop + floor) / 4); // far below the arithmetic middle
    expect(frame()).not.toMatch(/NaN|inf/);

    await press(stdin, "g");
    expect(yLabels(frame(), title)).toEqual(linear);
  });

  it("c pins the run as a ghost under the live curves: its history frozen at the press; c again clears it", async () => {
    const { store, frame, stdin } = await setup({ size: { columns: 120, rows: 40 } });
    store.step(200);
    await settle();
    const rewardsThen = Array.from(store.sim.snapshot().history[fieldIndex("reward")]!.subarray(0, store.sim.snapshot().historyLength));
    await press(stdin, "c");
    expect(frame()).toContain("pinned: β 0.5 · reverse KL");
    const sample = LINE_STYLES[SERIES_STYLES.pinned].sample;
    expect(frame()).toContain(`${sample} pinned`);
    // the pinned copy does not follow the live run: reset, a larger β, more steps
    await press(stdin, "r", "+", "+", "+");
    store.step(300);
    await settle();
    const options = { problem: basic.problem, pinned: null };
    const live = metricCharts(store.sim.snapshot(), 100, [8, 8, 8], options)[0]!;
    expect(live.series.some((s) => s.label.startsWith("pinned"))).toBe(false);
    expect(frame()).toContain(`${sample} pinned`); // still drawn, until c again
    await press(stdin, "c");
    expect(frame()).toContain("ghost run cleared");
    expect(frame()).not.toContain(`${sample} pinned`);
    expect(rewardsThen.length).toBeGreaterThan(1);
  });

  it("the pinned series is the copy taken at the press, drawn before (under) the live ones", async () => {
    const sim = new Simulation(basic.problem, simConfigOf(basic));
    sim.step(100);
    const snap = sim.snapshot();
    const n = snap.historyLength;
    const copy = (name: "step" | "reward" | "reverse_kl" | "forward_kl") => Float64Array.from(snap.history[fieldIndex(name)]!.subarray(0, n));
    const pinned = { label: "β 0.5 · reverse KL", step: copy("step"), reward: copy("reward"), reverseKL: copy("reverse_kl"), forwardKL: copy("forward_kl") };
    const rewardBefore = Array.from(pinned.reward);
    sim.setBeta(2);
    sim.step(100); // the live history moves on; the copy must not
    const [reward, reverse, forward] = metricCharts(sim.snapshot(), 120, [8, 8, 8], { problem: basic.problem, pinned });
    for (const [chart, ys] of [
      [reward!, pinned.reward],
      [reverse!, pinned.reverseKL],
      [forward!, pinned.forwardKL],
    ] as const) {
      const first = chart.series[0]!;
      expect(first.label.startsWith("pinned")).toBe(true);
      expect(first.style).toBe(SERIES_STYLES.pinned);
      expect(Array.from(first.xs)).toEqual(Array.from(pinned.step));
      expect(Array.from(first.ys)).toEqual(Array.from(ys));
    }
    expect(Array.from(pinned.reward)).toEqual(rewardBefore);
    // too narrow for its legend entry: the ghost is still drawn, first and unlisted
    const narrow = metricCharts(sim.snapshot(), 40, [8, 8, 8], { problem: basic.problem, pinned })[0]!;
    expect(narrow.series[0]!.unlisted).toBe(true);
    expect(Array.from(narrow.series[0]!.ys)).toEqual(Array.from(pinned.reward));
    expect(renderChart(narrow).lines[0]).not.toContain("pinned");
    // the reward at step 0 is π_ref's: ¼ on basic
    expect(pinned.reward[0]).toBeCloseTo(0.25, 15);
  });

  it("--steps N: the driver pauses at step N exactly, says so, and space runs on", async () => {
    const { store, frame, stdin } = await setup({ paused: false, stopAt: 25 });
    await tick(store, 3); // 10, 20, then 5 of the next 10
    expect(store.sim.currentStep).toBe(25);
    expect(frame()).toContain("step 25");
    expect(frame()).toContain("paused");
    expect(frame()).toContain("paused at step 25 (--steps)");
    await tick(store);
    expect(store.sim.currentStep).toBe(25);
    await press(stdin, " ");
    await tick(store);
    expect(store.sim.currentStep).toBe(35);
    expect(frame()).toContain("running");
  });
});

describe("Root at 80×24: every key can be found", () => {
  it("the footer has every key with its word, in two lines, within the width", async () => {
    const { store, frame } = await setup({ size: { columns: 80, rows: 24 }, paused: false });
    await tick(store);
    const lines = frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    const footer = lines.slice(-2).join(" · ");
    for (const row of HELP_ROWS) expect(footer).toContain(`${row.footerKeys ?? row.keys} ${row.short}`);
  });

  it("the help shows its title and every key row on its first page, and scrolls to the full description", async () => {
    const { frame, stdin } = await setup({ size: { columns: 80, rows: 24 } });
    await press(stdin, "?");
    const page = frame();
    expect(page.split("\n").length).toBeLessThanOrEqual(23);
    expect(page).toMatch(/│ keys {2}↑↓ scroll/);
    for (const row of HELP_ROWS) expect(page).toContain(`${row.keys.padEnd(KEY_WIDTH)}${row.does}`);
    let seen = page;
    for (let k = 0; k < 4; k++) {
      await press(stdin, "\u001b[6~"); // PgDn
      seen += frame();
    }
    const text = seen.replace(/[│╭╮╰╯─]/g, " ");
    for (const word of basic.spec.description.split(/\s+/)) expect(text).toContain(word);
    expect(frame()).toContain("NO_COLOR=1"); // the last note
  });

  it("writes text from the scenario file without its control characters", async () => {
    const hostile = { ...basic, spec: { ...basic.spec, name: "evil\u001b[2Jname", description: "bell\u0007 and \u001b]0;title\u0007 here" } };
    const { frame, stdin } = await setup({ scenario: hostile });
    expect(frame()).toContain("evil [2Jname");
    await press(stdin, "?");
    const bad = Array.from(frame()).filter((ch) => ch !== "\n" && /[\u0000-\u001f\u007f-\u009f]/u.test(ch));
    expect(
      bad.map((ch) => ch.codePointAt(0)),
      frame()
        .split("\n")
        .filter((l) => /[\u0007\u001b]/u.test(l))
        .join("\n"),
    ).toEqual([]); // line breaks aside
    expect(frame()).toContain("bell and ]0;title here");
  });

  it("the message line says where the rest of a long description is", async () => {
    const { frame } = await setup({ size: { columns: 80, rows: 24 } });
    const line = frame().split("\n")[2]!;
    expect(basic.spec.description.length).toBeGreaterThan(80);
    expect(line.endsWith("… (? more)")).toBe(true);
    expect(Array.from(line).length).toBeLessThanOrEqual(80);
  });
});

describe("Root without a fixed size", () => {
  it("follows the terminal's size through 'resize' events", async () => {
    const { render: inkRender } = await import("ink");
    const { EventEmitter } = await import("node:events");
    /** A terminal whose size the test changes. */
    class FakeTerminal extends EventEmitter {
      columns = 120;
      rows = 40;
      last = "";
      write = (text: string) => {
        this.last = text;
        return true;
      };
    }
    const stdout = new FakeTerminal();
    const stdin = Object.assign(new EventEmitter(), { isTTY: false, setEncoding() {}, setRawMode() {}, ref() {}, unref() {}, read: () => null });
    const store = new SimStore(new Simulation(basic.problem, simConfigOf(basic)), basic, { paused: true });
    const app = inkRender(<Root store={store} />, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      patchConsole: false,
      exitOnCtrlC: false,
    });
    await settle();
    const height = () => stdout.last.replace(/\n+$/, "").split("\n").length;
    const widest = () => Math.max(...stdout.last.split("\n").map((l) => Array.from(l.replace(/\u001b\[[\d;]*m/g, "")).length));
    expect(height()).toBe(39);
    expect(widest()).toBeGreaterThan(100);
    stdout.columns = 80;
    stdout.rows = 24;
    stdout.emit("resize");
    await settle();
    expect(height()).toBe(23);
    expect(widest()).toBeLessThanOrEqual(80);
    app.unmount();
  });
});
