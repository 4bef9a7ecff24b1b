/**
 * The divergence guard: extreme β (0, 1e-12, 1e12, 1e308), a huge learning rate and rewards of
 * ±1e300 never put a NaN (or an Infinity) into the history, the records or the files. A run either
 * completes with finite records or stops with a clear message naming the step, keeping what it
 * computed before (exit 1 from the CLI, the rows before the step in --out).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DivergenceError } from "../../src/errors.js";
import { resolveScenario, simConfigOf } from "../../src/scenario/loader.js";
import { parseScenarioSpec } from "../../src/scenario/schema.js";
import { BANDIT_FIELDS, CSV_HEADER } from "../../src/sim/record-format.js";
import { NULLABLE_FIELDS, RECORD_FIELDS } from "../../src/sim/record.js";
import { Simulation } from "../../src/sim/simulation.js";
import { klsim, linesOf } from "../cli/klsim.js";

const work = mkdtempSync(join(tmpdir(), "klsim-divergence-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ESTIMATE = RECORD_FIELDS.indexOf("kl_estimate");
/** Fields only a sequence model fills: not applicable (NaN) here. */
const MODEL_ONLY = new Set([RECORD_FIELDS.indexOf("mean_length"), RECORD_FIELDS.indexOf("token_mean_kl")]);

interface Extreme {
  name: string;
  beta: number;
  lr: number;
  reward: number[];
  optimizer?: "sgd" | "adam";
}

/** The extremes of the issue, crossed below with both penalties, both optimisers and sampled mode. */
const EXTREMES: Extreme[] = [
  { name: "β = 0", beta: 0, lr: 1, reward: [1, 0, 0, 0] },
  { name: "β = 1e-12", beta: 1e-12, lr: 1, reward: [1, 0, 0, 0] },
  { name: "β = 1e12", beta: 1e12, lr: 1, reward: [1, 0, 0, 0] },
  { name: "β = 1e308", beta: 1e308, lr: 1, reward: [1, 0, 0, 0] },
  { name: "lr = 1e6", beta: 0.5, lr: 1e6, reward: [1, 0, 0, 0] },
  { name: "lr = 1e300", beta: 0.5, lr: 1e300, reward: [1, 0, 0, 0] },
  { name: "reward 1e300", beta: 0.5, lr: 1, reward: [1e300, 0, 0, 0] },
  { name: "reward -1e300", beta: 0.5, lr: 1, reward: [-1e300, 0, 0, 0] },
  { name: "rewards ±1e300", beta: 0.1, lr: 1, reward: [1e300, -1e300, 1e300, -1e300] },
  { name: "reward 1e300, β = 1e300, lr = 1e6", beta: 1e300, lr: 1e6, reward: [1e300, -1e300, 0, 0] },
];

function scenarioJson(e: Extreme, penalty: "reverse" | "forward", optimizer: "sgd" | "adam", sampled: boolean, steps: number): Record<string, unknown> {
  return {
    name: e.name,
    tokens: ["a", "b", "c", "d"],
    reference: [0.1, 0.2, 0.3, 0.4],
    reward: e.reward,
    gold: [1, 0, 0, -1],
    penalty,
    beta: e.beta,
    optimizer: { kind: optimizer, lr: e.lr },
    steps,
    ...(sampled ? { mode: "sampled", sampling: { batch: 16, algorithm: "ppo", estimator: "k3", kl_in: "reward" } } : {}),
  };
}

/** A record is sound when every field is finite, except a not-applicable gold_reward/kl_estimate (NaN = null). */
function recordProblem(row: ArrayLike<number>, sampled: boolean): string | null {
  for (let f = 0; f < RECORD_FIELDS.length; f++) {
    const x = row[f]!;
    if (Number.isFinite(x)) continue;
    // every scenario here has a gold reward, so only exact mode's kl_estimate may be null (NaN)
    const notApplicable = Number.isNaN(x) && ((f === ESTIMATE && !sampled) || MODEL_ONLY.has(f));
    if (!notApplicable) return `${RECORD_FIELDS[f]} is ${x} at step ${row[0]}`;
  }
  return null;
}

describe("Simulation under extreme settings", () => {
  const cases = EXTREMES.flatMap((e) =>
    (["reverse", "forward"] as const).flatMap((penalty) =>
      (
        [
          ["sgd", false, "fast"],
          ["sgd", false, "plain"],
          ["adam", false, "fast"],
          ["adam", false, "plain"],
          ["sgd", true, "plain"],
        ] as const
      ).map(([optimizer, sampled, engine]) => ({
        ...e,
        penalty,
        optimizer,
        sampled,
        engine,
        label: `${e.name}, ${penalty}, ${optimizer}${sampled ? ", sampled" : ""}, ${engine}`,
      })),
    ),
  );

  it.each(cases)("$label: finite records, or a DivergenceError naming the step with the history kept", async (c) => {
    const steps = 300;
    const scenario = await resolveScenario(parseScenarioSpec(scenarioJson(c, c.penalty, c.optimizer, c.sampled, steps), "x"), "x.json");
    const sim = new Simulation(scenario.problem, { ...simConfigOf(scenario), engine: c.engine });
    const rows: number[][] = [Array.from(sim.row)];
    let error: unknown = null;
    try {
      sim.step(steps, (row) => rows.push(Array.from(row)));
    } catch (caught) {
      error = caught;
    }
    for (const row of rows) expect(recordProblem(row, c.sampled)).toBeNull();
    if (error) {
      expect(error).toBeInstanceOf(DivergenceError);
      const step = (error as DivergenceError).step;
      expect((error as Error).message).toMatch(new RegExp(`^diverged at step ${step}: \\S`));
      expect(sim.failed).toBe((error as Error).message);
      expect(rows).toHaveLength(step); // steps 0 .. step−1 were recorded, the bad one was not
      expect(sim.step(1)).toBe(0); // a failed simulation refuses to step
    } else {
      expect(rows).toHaveLength(steps + 1);
    }
    // Whatever happened, what a view reads is finite: metrics, optimum, the chart history.
    const snapshot = sim.snapshot();
    for (const value of Object.values(snapshot.metrics)) if (value !== null) expect(Number.isFinite(value)).toBe(true);
    for (const p of snapshot.optimum.policy) expect(Number.isFinite(p) && p >= 0).toBe(true);
    for (const value of Object.values(snapshot.optimum.metrics)) if (value !== null) expect(Number.isNaN(value)).toBe(false);
    for (let k = 0; k < snapshot.historyLength; k++)
      expect(
        recordProblem(
          snapshot.history.map((column) => column[k]!),
          c.sampled,
        ),
      ).toBeNull();
  });
});

/** Parses a --out CSV strictly: the header, then rows of the right width with only finite numbers (or empty where not applicable). */
function parseCsv(text: string, sampled: boolean): number[][] {
  expect(text.endsWith("\n")).toBe(true);
  const [header, ...lines] = linesOf(text);
  expect(header).toBe(CSV_HEADER);
  return lines.map((line) => {
    const cells = line.split(",");
    expect(cells).toHaveLength(BANDIT_FIELDS.length);
    return cells.map((cell, f) => {
      const field = BANDIT_FIELDS[f]!;
      if (cell === "") {
        expect(NULLABLE_FIELDS.has(field) && !(field === "kl_estimate" && sampled), `empty ${field} in: ${line}`).toBe(true);
        return NaN;
      }
      expect(cell, `${field} in: ${line}`).toMatch(/^-?(\d+(\.\d+)?)(e[+-]\d+)?$/);
      return Number(cell);
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface CliCase {
  name: string;
  json: Record<string, unknown>;
  /** Absent: must complete; "some step": must diverge; a number: must diverge at that step. */
  divergesAt?: number | "some step";
}

const CLI_CASES: CliCase[] = [
  { name: "β = 0", json: scenarioJson(EXTREMES[0]!, "reverse", "sgd", false, 400) },
  { name: "β = 1e-12", json: scenarioJson(EXTREMES[1]!, "reverse", "sgd", false, 400) },
  // lr·β = 1e12 is far past SGD's stability limit: the objective is thrown to ~−4e23 and stays finite;
  // issue 12 class 8 fails it as unstable (sim/instability.ts) instead of reporting it as a result
  { name: "β = 1e12, forward", json: scenarioJson(EXTREMES[2]!, "forward", "sgd", false, 400), divergesAt: "some step" },
  { name: "lr = 1e6", json: scenarioJson(EXTREMES[4]!, "reverse", "adam", false, 400) },
  { name: "reward 1e300", json: scenarioJson(EXTREMES[6]!, "reverse", "sgd", false, 400) },
  { name: "reward -1e300, forward", json: scenarioJson(EXTREMES[7]!, "forward", "sgd", false, 400) },
  { name: "reward 1e300, sampled", json: scenarioJson(EXTREMES[6]!, "reverse", "sgd", true, 200) },
  { name: "β = 1e308, forward: β·KL overflows", json: scenarioJson(EXTREMES[3]!, "forward", "sgd", false, 400), divergesAt: "some step" },
  {
    name: "a β schedule that is infinite at t = 7 (between the loader's checks)",
    json: { reference: [0.5, 0.5], reward: [1, 0], steps: 2000, controller: { kind: "schedule", expr: "1 / (t - 7) + 1" } },
    divergesAt: 7,
  },
];

describe("klsim run under extreme settings", () => {
  it.concurrent.each(CLI_CASES)(
    "$name: exit 0 with finite rows, or exit 1 naming the step with the rows before it kept",
    async ({ name, json, divergesAt }) => {
      const slug = name.replace(/\W+/g, "-");
      const file = join(work, `${slug}.json`);
      writeFileSync(file, JSON.stringify(json));
      const out = join(work, `${slug}.csv`);
      writeFileSync(out, "previous contents\n");
      const sampled = json.mode === "sampled";
      const result = await klsim(["run", file, "--every", "1", "--out", out, "--json", "--quiet"], { timeout: 60_000 });
      const rows = parseCsv(readFileSync(out, "utf8"), sampled);
      rows.forEach((row, k) => expect(row[0]).toBe(k));
      if (divergesAt === undefined) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe("");
        expect(rows).toHaveLength(Number(json.steps) + 1);
        const summary = JSON.parse(result.stdout) as Record<string, unknown> & { policy: unknown[] };
        expect(summary.steps).toBe(json.steps);
        for (const [key, value] of Object.entries(summary)) {
          if (key === "policy" || key === "tokens" || key === "optimum") continue; // arrays; the optimum may hold a true Infinity
          if (key === "penalty" || key === "scenario") expect(typeof value, key).toBe("string");
          else if (key === "kl_estimate" && !sampled)
            expect(value, key).toBeNull(); // exact mode estimates nothing
          else expect(typeof value === "number" && Number.isFinite(value), `${key}: ${JSON.stringify(value)}`).toBe(true);
        }
        for (const p of summary.policy) expect(typeof p === "number" && p >= 0 && p <= 1).toBe(true);
      } else {
        expect(result.code, result.stderr).toBe(1);
        expect(result.stdout).toBe("");
        const lines = linesOf(result.stderr);
        expect(lines).toHaveLength(1);
        const match = new RegExp(`^${escapeRegExp(file)}: diverged at step (\\d+): (.+) \\(${escapeRegExp(out)} keeps the (\\d+) rows before it\\)$`).exec(
          lines[0]!,
        );
        expect(match, lines[0]).not.toBeNull();
        const step = Number(match![1]);
        if (divergesAt !== "some step") expect(step).toBe(divergesAt);
        expect(Number(match![3])).toBe(step);
        expect(rows).toHaveLength(step); // steps 0 .. step − 1, complete
      }
    },
  );

  it("the JSON and NDJSON files of a diverged run are complete documents", async () => {
    const file = join(work, "diverging.json");
    writeFileSync(file, JSON.stringify(scenarioJson(EXTREMES[3]!, "forward", "sgd", false, 100)));
    for (const ext of ["json", "ndjson"]) {
      const out = join(work, `diverging-records.${ext}`);
      const result = await klsim(["run", file, "--every", "1", "--out", out, "--quiet"]);
      expect(result.code).toBe(1);
      const step = Number(/diverged at step (\d+)/.exec(result.stderr)?.[1]);
      const text = readFileSync(out, "utf8");
      const records =
        ext === "json" ? (JSON.parse(text) as Array<Record<string, unknown>>) : linesOf(text).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(step).toBeGreaterThanOrEqual(1);
      expect(records.map((r) => r.step)).toEqual(Array.from({ length: step }, (_, k) => k));
      for (const record of records) {
        expect(Object.keys(record)).toEqual([...BANDIT_FIELDS]);
        for (const [key, value] of Object.entries(record)) {
          if (key === "kl_estimate") expect(value).toBeNull();
          else expect(typeof value === "number" && Number.isFinite(value), `${key}: ${String(value)}`).toBe(true);
        }
      }
    }
  });

  it("klsim optimum and sweep at extreme β: no NaN or null, Infinity only for the KL of a policy with zeros", async () => {
    const cases = ["reverse", "forward"].flatMap((penalty) =>
      ["0", "5e-324", "1e-300", "1e-12", "1e12", "1e300", "1.7976931348623157e308"].map((beta) => ({ penalty, beta })),
    );
    const results = await Promise.all(cases.map(({ penalty, beta }) => klsim(["optimum", "basic", "--penalty", penalty, "--beta", beta, "--json"])));
    for (const [k, { penalty, beta }] of cases.entries()) {
      {
        const result = results[k]!;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout, `${penalty} β = ${beta}`).not.toMatch(/NaN/);
        const summary = JSON.parse(result.stdout) as Record<string, unknown> & { policy: number[] };
        // null only where it means "not applicable": no step count, no KL estimate in exact mode
        for (const [key, value] of Object.entries(summary)) if (key !== "steps" && key !== "kl_estimate") expect(value, key).not.toBeNull();
        // Infinity only where it is the truth: a KL of a policy with zeros (β → 0 puts all mass on
        // the argmax), and an objective that subtracts β times it.
        for (const [key, value] of Object.entries(summary)) {
          if (typeof value === "string" && key !== "penalty" && key !== "scenario") {
            expect(["forward_kl", "reverse_kl", "objective", "penalty_value"], `${key} = ${value} at ${penalty} β = ${beta}`).toContain(key);
          }
        }
        for (const p of summary.policy) expect(typeof p === "number" && p >= 0 && p <= 1).toBe(true);
        expect(Math.abs(summary.policy.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(1e-12);
      }
    }
    const out = join(work, "sweep.csv");
    const sweep = await klsim(["sweep", "basic", "--penalty", "forward", "--beta", "0,1e-12,1e12,1e308", "--steps", "50", "--out", out, "--jobs", "2"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const [header, ...lines] = linesOf(readFileSync(out, "utf8"));
    expect(lines).toHaveLength(4);
    const diverged = header!.split(",").indexOf("diverged_at");
    const columns = header!.split(",");
    for (const line of lines) {
      expect(line).not.toMatch(/NaN|null/);
      line.split(",").forEach((cell, c) => {
        if (c !== diverged) expect(cell, `${columns[c]} in ${line}`).not.toBe("");
        if (/Infinity/.test(cell)) expect(columns[c], line).toMatch(/_kl$|objective$/); // β = 0: all mass on argmax r
      });
    }
    expect(Number(lines[3]!.split(",")[diverged])).toBeGreaterThanOrEqual(1); // β = 1e308 forward: β·KL overflows
  });

  it("the static report (no TTY) of a diverging scenario: the report, then one line naming the step, exit 1", async () => {
    const file = join(work, "diverging-report.json");
    writeFileSync(file, JSON.stringify(scenarioJson(EXTREMES[3]!, "forward", "sgd", false, 100)));
    const result = await klsim(["tui", file]);
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBeGreaterThan(0);
    expect(result.stdout).not.toMatch(/NaN/);
    expect(linesOf(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^\S+diverging-report\.json: diverged at step \d+: the objective became non-finite/);
  });
});
