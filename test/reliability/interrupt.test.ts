/**
 * Interrupted runs. Ctrl+C (SIGINT) or SIGTERM during `klsim run --out f.csv` leaves either the
 * previous f.csv intact or a complete new one, never a half file and no temporary file; the exit
 * code is 130/143 with one line on stderr. A signal during long synchronous work (loading a big
 * expression) ends the process at once instead of being ignored. A sweep stops promptly. The
 * interactive TUI restores the terminal whichever way it ends (run on a pseudo-terminal).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_HEADER } from "../../src/sim/record-format.js";
import { finished, klsim, klsimNodeArgs, linesOf, ROOT, spawnKlsim } from "../cli/klsim.js";

const work = mkdtempSync(join(tmpdir(), "klsim-interrupt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PREVIOUS = "step,beta,reward\n0,0.5,0.25\n# the previous run's file\n";

/** V = 4096 given literally (no expression to load): ~20 µs a step, a million steps. */
const LONG = {
  name: "long",
  vocab: 4096,
  reference: { logits: Array.from({ length: 4096 }, (_, i) => Math.sin(i)) },
  reward: Array.from({ length: 4096 }, (_, i) => (i % 7) / 7),
  beta: 0.1,
  optimizer: { kind: "sgd", lr: 0.5 },
  steps: 1_000_000,
};

/** A reward and a gold reward of `terms` terms of 12 operations each, evaluated at V = 8192 while the scenario loads. */
function expressionScenario(terms: number): object {
  const expr = Array.from({ length: terms }, (_, k) => `sin(i * ${k + 1}) * cos(i / ${k + 2})`).join(" + ");
  return { name: "heavy", vocab: 8192, reference: { expr: "1" }, reward: { expr }, gold: { expr: `${expr} + 1` }, steps: 10 };
}

/**
 * The longest synchronous expression evaluation a scenario may ask for while loading, twice: 81
 * terms, 971 operations × 8192 tokens ≈ 7.95·10⁶ each, under the expression work budget (8·10⁶ an
 * expression, expressions.ts); ~0.5 s of CPU for the two on a fast day here (one took ~0.26 s, and
 * a start-up measured high under the suite's load once left the signal nothing to interrupt). LIGHT
 * is the same scenario with one term: the same start-up, no evaluation to speak of.
 */
const HEAVY = expressionScenario(81);
const LIGHT = expressionScenario(1);

function fixture(name: string, scenario: object): { dir: string; file: string; out: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(scenario));
  const out = join(dir, "f.csv");
  writeFileSync(out, PREVIOUS);
  return { dir, file, out };
}

/**
 * Sampled PPO whose every step is as dear as a step may be: 10 epochs × (V 4 + batch 999 996) =
 * 10⁷ token evaluations, the cap (MAX_STEP_COST). Sliced by V alone (the old way) a slice was
 * 55 555 such steps, and a signal waited for all of them.
 */
const DEAR_STEPS = {
  name: "dear-steps",
  reference: [0.25, 0.25, 0.25, 0.25],
  reward: [1, 0, 0, 0],
  mode: "sampled",
  sampling: { batch: 999_996, algorithm: "ppo", epochs: 10 },
  steps: 1_000_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `ready` every 20 ms; resolves true once it holds, false after `limit` ms (a hang is a failure). */
async function until(ready: () => boolean, limit = 30_000): Promise<boolean> {
  const start = Date.now();
  while (Date.now() - start < limit) {
    if (ready()) return true;
    await sleep(20);
  }
  return false;
}

/** Readiness: the run is streaming (its temporary output file exists). */
function streaming(dir: string): Promise<boolean> {
  return until(() => readdirSync(dir).some((f) => f.endsWith(".tmp")));
}

/** CPU seconds a process has used (all threads; /proc/PID/stat utime + stime at 100 ticks a second), or null. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Readiness by work done, not wall time: the child has used `seconds` of CPU (however loaded the
 * machine, it has then got that far into its work). False at once if the child ends first.
 */
async function worked(pid: number, seconds: number): Promise<boolean> {
  await until(() => (cpuSeconds(pid) ?? Infinity) >= seconds);
  return cpuSeconds(pid) !== null;
}

/** The CPU seconds the child has used by its end (the last reading, 5 ms apart, before `done`), and what `done` gave. */
async function cpuAtEnd<T>(pid: number, done: Promise<T>): Promise<{ cpu: number; result: T }> {
  let last = cpuSeconds(pid) ?? 0;
  const poll = setInterval(() => {
    last = cpuSeconds(pid) ?? last;
  }, 5);
  const result = await done;
  clearInterval(poll);
  return { cpu: last, result };
}

const SIGNAL_CODES = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
  ["SIGQUIT", 131],
] as const;

describe("klsim run interrupted", () => {
  it.concurrent.each(SIGNAL_CODES)("%s while streaming to --out: exit %i, one line, the previous file intact, no temp file", async (signal, code) => {
    const { dir, file, out } = fixture(`run-${signal}`, LONG);
    const child = spawnKlsim(["run", file, "--every", "1", "--out", out]);
    const done = finished(child, 30_000);
    expect(await streaming(dir)).toBe(true);
    const sent = Date.now();
    child.kill(signal);
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(5_000); // prompt: checked between slices of steps
    expect(result.code).toBe(code);
    expect(linesOf(result.stderr)).toEqual([`klsim: interrupted by ${signal}; no output written`]);
    expect(result.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
    expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
  });

  it.concurrent.each(["SIGINT", "SIGTERM"] as const)(
    "%s during synchronous loading (the costliest expressions allowed) ends the process at once",
    async (signal) => {
      // the start-up's CPU (the build's or tsx's, on this machine), measured on the light scenario;
      // the second run's too, as tsx's first compiles into its cache, which the heavy run then finds
      const light = fixture(`light-${signal}`, LIGHT);
      const lightRun = async () => {
        const child = spawnKlsim(["run", light.file, "--every", "1", "--out", light.out]);
        return (await cpuAtEnd(child.pid!, finished(child, 30_000))).cpu;
      };
      const startup = Math.min(await lightRun(), await lightRun());
      const { dir, file, out } = fixture(`load-${signal}`, HEAVY);
      const child = spawnKlsim(["run", file, "--every", "1", "--out", out]);
      const done = finished(child, 30_000);
      // started and evaluating: 0.1 s of CPU past the start-up, of the evaluation's ~0.5
      expect(await worked(child.pid!, startup + 0.1), `still loading at ${startup + 0.1} s of CPU`).toBe(true);
      const atSignal = cpuSeconds(child.pid!) ?? Infinity;
      const sent = Date.now();
      child.kill(signal);
      const { cpu, result } = await cpuAtEnd(child.pid!, done);
      expect(Date.now() - sent).toBeLessThan(1_000);
      // at once: not after the rest of the evaluation (≥ 0.15 s of CPU even on a machine twice as fast)
      expect(cpu - atSignal, `CPU seconds after the signal`).toBeLessThan(0.08);
      // Either the default action (no handler yet: killed by the signal) or, had loading finished, the handler.
      expect(result.signal === signal || result.code === (signal === "SIGINT" ? 130 : 143), JSON.stringify(result)).toBe(true);
      expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
      expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
    },
  );

  it.concurrent.each(["SIGTERM", "SIGINT"] as const)(
    "sampled mode with the dearest steps allowed answers %s (slices sized by a step's cost)",
    async (signal) => {
      const { dir, file, out } = fixture(`dear-${signal}`, DEAR_STEPS);
      const child = spawnKlsim(["run", file, "--every", "1", "--out", out]);
      const done = finished(child, 40_000);
      expect(await streaming(dir)).toBe(true);
      child.kill(signal);
      const result = await done;
      expect(result.timedOut, JSON.stringify(result)).toBe(false);
      expect(result.code).toBe(signal === "SIGINT" ? 130 : 143);
      expect(linesOf(result.stderr)).toEqual([`klsim: interrupted by ${signal}; no output written`]);
      expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
      expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
    },
  );

  it("sweep --jobs 1 in sampled mode with the dearest steps answers SIGINT", async () => {
    const { dir, file, out } = fixture("dear-sweep", DEAR_STEPS);
    const child = spawnKlsim(["sweep", file, "--beta", "0.1,0.2", "--jobs", "1", "--out", out]);
    const done = finished(child, 40_000);
    // loaded and sweeping: loading takes well under a second of CPU, one step ~0.3 s
    expect(await worked(child.pid!, klsimNodeArgs().length > 1 ? 4 : 1.5)).toBe(true);
    child.kill("SIGINT");
    const result = await done;
    expect(result.timedOut, JSON.stringify(result)).toBe(false);
    expect(result.code, JSON.stringify(result)).toBe(130);
    expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
    expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
  });

  it("a run that completes replaces the previous file with a complete one", async () => {
    const { dir, out } = fixture("complete", {});
    const result = await klsim(["run", "basic", "--steps", "500", "--every", "1", "--out", out, "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = linesOf(readFileSync(out, "utf8"));
    expect(header).toBe(CSV_HEADER);
    expect(rows).toHaveLength(501);
    expect(rows.map((r) => Number(r.split(",")[0]))).toEqual(Array.from({ length: 501 }, (_, k) => k));
    expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
  });

  it.concurrent.each([
    ["worker threads", "2"],
    ["in-process", "1"],
  ])("a sweep (%s) stops promptly on SIGINT and writes nothing", async (_label, jobs) => {
    const { dir, file, out } = fixture(`sweep-${jobs}`, { ...LONG, steps: 200_000 });
    const child = spawnKlsim(["sweep", file, "--beta", "0.1,0.2,0.3", "--jobs", jobs, "--out", out]);
    const done = finished(child, 60_000);
    // loaded and sweeping (each job takes seconds of CPU): measured by work done, not by the clock
    expect(await worked(child.pid!, klsimNodeArgs().length > 1 ? 4 : 1.5)).toBe(true);
    const sent = Date.now();
    child.kill("SIGINT");
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(result.code, JSON.stringify(result)).toBe(130); // the handler ran: the sweep polled the signal mid-job
    expect(linesOf(result.stderr)).toEqual(["klsim: interrupted by SIGINT; no output written"]);
    expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
    expect(readdirSync(dir).sort()).toEqual(["f.csv", "scenario.json"]);
  });
});

function python(): string | null {
  try {
    execFileSync("python3", ["-c", "import pty, termios"], { stdio: "ignore" });
    return "python3";
  } catch {
    return null;
  }
}

const PY = python();
const tuiBuilt = existsSync(join(ROOT, "src", "tui", "app.tsx")) || existsSync(join(ROOT, "dist", "tui", "app.js"));

describe.skipIf(!PY || !tuiBuilt || process.platform === "win32")("the interactive TUI restores the terminal", () => {
  interface PtyReport {
    ready: boolean;
    killed: boolean;
    code: number;
    modesRestored: boolean;
    enteredAltScreen: boolean;
    leftAltScreenLast: boolean;
    cursorShownLast: boolean;
    tail: string;
  }

  /** A scenario that diverges at once (β·KL overflows): the TUI must show it, not crash. */
  const diverging = join(work, "tui-diverging.json");
  writeFileSync(diverging, JSON.stringify({ reference: [0.1, 0.2, 0.3, 0.4], reward: [1, 0, 0, 0], penalty: "forward", beta: 1e308 }));

  /** Sampled steps as dear as allowed (DEAR_STEPS): the TUI must still answer q. */
  const dear = join(work, "tui-dear.json");
  writeFileSync(dear, JSON.stringify(DEAR_STEPS));

  const ways: Array<[string, string, number]> = [
    ["q", "basic", 0],
    ["ctrl-c", "basic", 0],
    ["SIGTERM", "basic", 143],
    ["SIGINT", "basic", 130],
    ["SIGHUP", "basic", 129],
    ["SIGQUIT", "basic", 131],
    ["q", diverging, 0],
    ["q", dear, 0],
    ["SIGTERM", dear, 143],
  ];

  function ptyRun(
    action: string,
    scenario: string,
    extra: { args?: string[]; waitFor?: string; forbid?: string } = {},
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const wait = [...(extra.waitFor === undefined ? [] : ["--wait-for", extra.waitFor]), ...(extra.forbid === undefined ? [] : ["--forbid", extra.forbid])];
      const command = [process.execPath, ...klsimNodeArgs(), "tui", scenario, ...(extra.args ?? [])];
      const child = spawn(PY!, [join(ROOT, "test", "reliability", "pty-run.py"), action, ...wait, "--", ...command], {
        cwd: ROOT,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }

  it.concurrent.each(ways)(
    "on %s (%s): exit %i, echo and line mode back, alternate screen left, cursor shown",
    async (action, scenario, code) => {
      const run = await ptyRun(action, scenario);
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as PtyReport;
      const context = JSON.stringify(report);
      expect(report.ready, context).toBe(true);
      expect(report.killed, context).toBe(false);
      expect(report.code, context).toBe(code);
      expect(report.modesRestored, context).toBe(true);
      expect(report.enteredAltScreen, context).toBe(true);
      expect(report.leftAltScreenLast, context).toBe(true);
      expect(report.cursorShownLast, context).toBe(true);
      expect(report.tail, context).not.toMatch(/internal error|\bat .*:\d+:\d+/);
    },
    60_000,
  );

  it("klsim tui basic --steps 30 pauses at step 30 and stays there; q leaves cleanly", async () => {
    const run = await ptyRun("q", "basic", { args: ["--steps", "30"], waitFor: "paused at step 30 (--steps)" });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as PtyReport & { sawText: boolean; maxStep: number };
    const context = JSON.stringify(report);
    expect(report.sawText, context).toBe(true);
    expect(report.maxStep, context).toBe(30); // no frame past it, though it ran at 10 steps a frame
    expect(report.code, context).toBe(0);
    expect(report.modesRestored && report.leftAltScreenLast && report.cursorShownLast, context).toBe(true);
  }, 60_000);

  it("an unstable run (basic --beta 1000) shows FAILED with the reason; q leaves cleanly", async () => {
    const run = await ptyRun("q", "basic", { args: ["--beta", "1000"], waitFor: "FAILED" });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as PtyReport & { sawText: boolean };
    expect(report.sawText, JSON.stringify(report)).toBe(true);
    expect(report.code).toBe(0);
    expect(report.modesRestored && report.leftAltScreenLast && report.cursorShownLast, JSON.stringify(report)).toBe(true);
  }, 60_000);

  it("escapes in a scenario's name reach the terminal inert (OSC 0 would rename the window)", async () => {
    const evil = join(work, "tui-evil.json");
    writeFileSync(evil, JSON.stringify({ name: "\u001b]0;pwned\u0007x", reference: [0.5, 0.5], reward: [1, 0] }));
    const run = await ptyRun("q", evil, { waitFor: "pwned", forbid: "\\x1b]0;pwned" });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as PtyReport & { sawText: boolean; sawForbidden: boolean };
    expect(report.sawText, JSON.stringify(report)).toBe(true); // the name is shown, escaped
    expect(report.sawForbidden, JSON.stringify(report)).toBe(false);
    expect(report.code).toBe(0);
  }, 60_000);
});
