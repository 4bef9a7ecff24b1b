/** `klsim run`: a headless, deterministic run of a scenario, streaming records to a file. */
import { InputError } from "../errors.js";
import { checkWritable, sameFile } from "../io/atomic.js";
import { RecordWriter, formatOf, STDOUT } from "../io/records.js";
import { SIGPIPE_EXIT } from "../io/stdout.js";
import { outcomeNamer, simConfigOf, type Scenario, tokenNames } from "../scenario/loader.js";
import { checkNumber } from "../scenario/validate.js";
import { FIELD } from "../sim/record.js";
import { jsonNumber } from "../sim/record-format.js";
import { Simulation } from "../sim/simulation.js";
import { booleanFlag, numberFlag, stringFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import { BETA_FLAG, JSON_FLAG, loadScenarioFor, LR_FLAG, PENALTY_FLAG, SEED_FLAG, SET_FLAG, STEPS_FLAG, TRAINING_FLAGS } from "./overrides.js";
import { fmt, metricsTable, scenarioJson, summaryJson, topTokens } from "./final-summary.js";
import type { Io } from "./io.js";

export const runSpec: CommandSpec = {
  name: "run",
  summary: "Train the policy headlessly on a scenario; stream every K-th step to a file and print the final summary.",
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ (e.g. basic) or a path to a .json file" }],
  flags: [
    STEPS_FLAG,
    BETA_FLAG,
    PENALTY_FLAG,
    LR_FLAG,
    SEED_FLAG,
    ...TRAINING_FLAGS,
    SET_FLAG,
    { name: "every", type: "integer", value: "K", describe: "write every K-th step (default: ~10 000 rows in all; 1 = every step)" },
    {
      name: "out",
      type: "string",
      value: "FILE",
      describe: "write the records to FILE (.csv, .json or .ndjson), atomically; - streams NDJSON to stdout (the summary then goes to stderr)",
    },
    JSON_FLAG,
    { name: "quiet", type: "boolean", describe: "no progress and no text summary (JSON still printed with --json)" },
  ],
  examples: [
    "klsim run basic",
    "klsim run basic --beta 0.1 --steps 5000 --out basic.csv",
    "klsim run scenarios/reward-hacking.json --every 1 --out hack.ndjson --json --quiet",
  ],
};

/** Default K: keeps a file near 10 000 rows. */
export function defaultEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / 10_000));
}

/** Work per slice between event-loop turns (Simulation.stepsFor), so Ctrl+C/SIGTERM are handled promptly. */
const SLICE_WORK = 2_000_000;

export async function runCommand(args: ParsedArgs, io: Io): Promise<number> {
  const out = stringFlag(args, "out");
  const json = booleanFlag(args, "json");
  const quiet = booleanFlag(args, "quiet");
  const toStdout = out === STDOUT;
  if (toStdout && json) throw new InputError("stdout carries the records of --out -; write them to a file to have the JSON summary too", "--json");
  if (out !== undefined && !toStdout) {
    checkWritable(out); // refuse a bad --out (missing directory, a directory) before any work
    formatOf(out);
  }
  const every = numberFlag(args, "every");
  if (every !== undefined) checkNumber(every, { integer: true, min: 1 }, "--every");
  const scenario = await loadScenarioFor(args, args.positionals[0]!);
  if (out !== undefined && !toStdout && sameFile(out, scenario.file)) throw new InputError(`${out} is the scenario file; refusing to overwrite it`, "--out");
  const showProgress = !quiet && io.stderrIsTTY;
  const result = await runScenario(scenario, {
    every: every ?? defaultEvery(scenario.spec.steps),
    out,
    progress: showProgress ? (done, total) => io.progress(`step ${done}/${total}`) : undefined,
    signal: io.signal,
  });
  if (showProgress) io.progress(""); // clear the progress line: what follows starts at column 0
  const { sim } = result;
  if (result.outputFailure) {
    io.err(`klsim: ${result.outputFailure}`);
    return 1;
  }
  if (result.readerGone) return SIGPIPE_EXIT; // `klsim run … --out - | head`: the reader had enough
  if (result.failure) {
    // No summary: the policy of a diverged step is not a result. The file keeps the good rows.
    io.err(`${scenario.file}: ${result.failure}${out ? ` (${toStdout ? "stdout got" : `${out} keeps`} the ${result.rows} rows before it)` : ""}`);
    return 1;
  }
  if (json) io.out(JSON.stringify(runJson(scenario, sim)) + "\n");
  else if (!quiet) {
    // with --out - stdout holds only the records: the summary goes to stderr
    const text = textSummary(scenario, sim, result.rows, toStdout ? "stdout" : out);
    if (toStdout) io.err(text);
    else io.out(text + "\n");
  }
  return 0;
}

/** `run --json`: the final policy's summary, the optimum's at the final β, the token labels and the scenario's name. */
export function runJson(scenario: Scenario, sim: Simulation): Record<string, unknown> {
  const klEstimate = sim.row[FIELD.kl_estimate]!;
  const final = { policy: sim.policy, metrics: sim.metrics(), beta: sim.beta, steps: sim.currentStep, penalty: sim.penalty.name };
  const opt = sim.optimum();
  return {
    ...summaryJson({ ...final, klEstimate: Number.isNaN(klEstimate) ? null : klEstimate }),
    optimum: summaryJson({ policy: opt.policy, metrics: opt.metrics, beta: opt.beta, steps: null, penalty: opt.penalty.name, klEstimate: null }),
    ...scenarioJson(scenario),
    ...studentJson(scenario, sim),
  };
}

/** Fit mode: `student: { family, parameters: { mu, sigma, … } }`, the fitted parameters; nothing otherwise. */
function studentJson(scenario: Scenario, sim: Simulation): { student?: { family: string; parameters: Record<string, number | string | null> } } {
  const parameters = sim.parameters;
  if (!parameters || !scenario.student) return {};
  return { student: { family: scenario.student.family, parameters: Object.fromEntries(parameters.map((p) => [p.name, jsonNumber(p.value)])) } };
}

export interface RunOptions {
  every: number;
  out?: string | undefined;
  progress?: ((done: number, total: number) => void) | undefined;
  /** Aborted on SIGINT/SIGTERM: the run stops and nothing is written. */
  signal?: AbortSignal | undefined;
  /** A simulation of this scenario at step 0 to run on (a sweep thread's, restarted); default a new one. */
  simulation?: Simulation | undefined;
}

export interface RunResult {
  sim: Simulation;
  rows: number;
  /** Set when the run diverged (the file keeps what was computed before). */
  failure: string | null;
  /** `--out -` and stdout's reader went away: the run stopped early. */
  readerGone: boolean;
  /** `--out -` and writing to stdout failed otherwise. */
  outputFailure: string | null;
}

/** Runs a scenario to its step count, streaming every K-th record (and the last) to `out`. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const sim = options.simulation ?? new Simulation(scenario.problem, simConfigOf(scenario));
  const writer = options.out === undefined ? null : new RecordWriter(options.out, sim.recordFields);
  const total = scenario.spec.steps;
  const every = options.every;
  const onRow = writer ? (row: Float64Array) => row[0]! % every === 0 && writer.write(row) : undefined;
  let failure: string | null = null;
  try {
    if (writer) writer.write(sim.row);
    const slice = sim.stepsFor(SLICE_WORK); // by the real cost of a step (batch × epochs in sampled mode), not V alone
    while (sim.currentStep < total) {
      const n = Math.min(slice, total - sim.currentStep);
      try {
        sim.step(n, onRow);
      } catch (error) {
        if (!sim.failed) throw error;
        failure = sim.failed;
        break;
      }
      if (options.progress) options.progress(sim.currentStep, total);
      if (writer) await writer.drained(); // stdout: wait for a slow reader rather than buffer the run
      if (writer?.readerGone || writer?.failed) break;
      if (sim.currentStep < total) await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) throw options.signal.reason;
    }
    if (writer && sim.currentStep % every !== 0 && !failure) writer.write(sim.row);
    writer?.commit();
    // stdout: a write error (EPIPE, ENOSPC) is reported on a later turn; let the guard see it before any summary
    if (options.out === STDOUT) await new Promise((resolve) => setImmediate(resolve));
  } catch (error) {
    writer?.abort();
    throw error;
  }
  return { sim, rows: writer?.rowCount ?? 0, failure, readerGone: writer?.readerGone ?? false, outputFailure: writer?.failed ?? null };
}

function textSummary(scenario: Scenario, sim: Simulation, rows: number, out: string | undefined): string {
  const { spec } = scenario;
  const opt = spec.optimizer;
  const head = `${spec.name}: ${sim.currentStep} steps, penalty ${sim.penalty.label}, beta ${fmt(sim.beta)} (${spec.controller.kind}), ${opt.kind} lr ${fmt(opt.lr)}`;
  const lines = [
    head,
    "",
    metricsTable([
      ["final", sim.metrics()],
      ["optimum", sim.optimum().metrics],
    ]),
    "",
  ];
  const [names, what] = scenario.sequence ? [outcomeNamer(scenario), "sequences"] : [tokenNames(scenario), "tokens"];
  lines.push(`policy   ${topTokens(names, sim.policy, 8, what)}`);
  lines.push(`optimum  ${topTokens(names, sim.optimum().policy, 8, what)}`);
  const parameters = sim.parameters;
  if (parameters && scenario.student) lines.push(`student  ${scenario.student.family}: ${parameters.map((p) => `${p.name} ${fmt(p.value)}`).join("  ")}`);
  if (out) lines.push("", `wrote ${rows} rows to ${out}`);
  return lines.join("\n");
}
