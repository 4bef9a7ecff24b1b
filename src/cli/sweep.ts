/**
 * `klsim sweep`: one run per point of a grid (β × each --vary value, × --seeds), spread over worker
 * threads, with the final and the closed-form optimum metrics per point and whether the run got
 * there (`converged`). `planSweep` + `runSweep` are shared with `klsim frontier`.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { InputError } from "../errors.js";
import { CONVERGED_TV, CONVERGENCE_RULE } from "../explore/convergence.js";
import { type Cell, foldSeeds, type Row, SPREAD_COLUMNS } from "../explore/sweep-rows.js";
import { AtomicFile, checkWritable, sameFile } from "../io/atomic.js";
import type { Scenario } from "../scenario/loader.js";
import { parseSetting, type Setting } from "../scenario/settings.js";
import { checkNumber } from "../scenario/validate.js";
import { jsonNumber } from "../sim/record-format.js";
import { booleanFlag, type CommandSpec, decimalNumber, type FlagSpec, listFlag, numberFlag, type ParsedArgs, stringFlag } from "./args.js";
import { fmt } from "./final-summary.js";
import type { Io } from "./io.js";
import { JSON_FLAG, LR_FLAG, PENALTY_FLAG, SET_FLAG, settingsOf, STEPS_FLAG } from "./overrides.js";
import { loadOnce, RUN_COLUMNS, type SweepJob, type SweepRun, sweepBatch, sweepBlockable, sweepWorkers } from "./sweep-job.js";
import { workerThreads } from "../engine/helper.js";

export const BETA_GRID_FLAG: FlagSpec = {
  name: "beta",
  type: "string",
  value: "LIST|A:B:N[:log]",
  describe: "β values: 0.01,0.1,1 or 0:1:11 (N points) or 0.001:10:50:log",
};

/** The sweep flags `klsim frontier` shares. */
export const SWEEP_FLAGS: readonly FlagSpec[] = [
  STEPS_FLAG,
  PENALTY_FLAG,
  LR_FLAG,
  SET_FLAG,
  {
    name: "vary",
    type: "string",
    value: "KEY=LIST",
    describe: "also sweep a scenario field (any --set path): controller.target=1,2,3, sampling.estimator=k1,k3, optimizer.lr=0.1:1:4; the grid is the product",
    repeatable: true,
  },
  { name: "seeds", type: "integer", value: "N", describe: "runs per point with seeds s, s+1, …, s+N−1 (sampled mode): mean and *_std spread" },
  {
    name: "tol",
    type: "number",
    value: "T",
    describe: `converged when TV(π_final, π*) = ½Σ|π_final − π*| ≤ T (default ${CONVERGED_TV}), π* the optimum at the final β`,
  },
  {
    name: "jobs",
    type: "integer",
    value: "J",
    describe:
      "threads, this one included (default: 1 where the native kernel steps the β together on both cores, else as many as pay for their start on the idle cores; at most the cores)",
  },
  { name: "quiet", type: "boolean", describe: "no progress bar and no table (JSON still printed with --json)" },
];

export const sweepSpec: CommandSpec = {
  name: "sweep",
  summary: `One run per β (and per --vary value; all cores), reporting the final and the closed-form optimum metrics for each: a reward–KL frontier. ${CONVERGENCE_RULE}.`,
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ or a path to a .json file" }],
  flags: [
    BETA_GRID_FLAG,
    ...SWEEP_FLAGS,
    { name: "out", type: "string", value: "FILE", describe: "write one row per point to FILE (.csv, .json or .ndjson)" },
    JSON_FLAG,
  ],
  examples: [
    "klsim sweep basic --beta 0.01:10:30:log",
    "klsim sweep reward-hacking --beta 0.05,0.1,0.2,0.3,0.5 --out frontier.csv",
    "klsim sweep adaptive --vary controller.target=0.5,1,2",
    "klsim sweep sampled-ppo --beta 0.1,1 --vary sampling.estimator=k1,k3 --seeds 4",
  ],
};

/** "0.1,1" | "A:B:N" | "A:B:N:log" → the values (≥ 0). */
export function parseBetaList(text: string, field = "--beta"): number[] {
  if (text.includes(":")) {
    const parts = text.split(":");
    const log = parts[3] === "log";
    if (parts.length < 3 || parts.length > 4 || (parts.length === 4 && !log)) {
      throw new InputError(`expected A:B:N or A:B:N:log, got '${text}'`, field);
    }
    const [a, b, n] = parts.slice(0, 3).map(decimalNumber) as [number, number, number]; // an empty end ("1::5") is NaN, not 0
    if (![a, b].every(Number.isFinite) || a < 0 || b < 0) throw new InputError(`range ends must be numbers ≥ 0, got '${text}'`, field);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InputError(`N must be a whole number from 1 to 100000, got '${parts[2]}'`, field);
    if (log && (a <= 0 || b <= 0)) throw new InputError("a log range needs A > 0 and B > 0", field);
    if (n === 1) return [a];
    return Array.from({ length: n }, (_, k) => (log ? Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * k) / (n - 1)) : a + ((b - a) * k) / (n - 1)));
  }
  return text.split(",").map((part, i) => {
    const value = decimalNumber(part.trim());
    if (!Number.isFinite(value) || value < 0) throw new InputError(`entry ${i} is '${part}', expected a number ≥ 0`, field);
    return value;
  });
}

/** One swept field: its path and its values, each as the Setting that applies it. */
export interface VaryAxis {
  key: string;
  values: Array<{ shown: Cell; setting: Setting }>;
}

const RANGE = /^[^,]*:[^,]*:[^,]*(:log)?$/;

/** "KEY=LIST" → the axis; LIST is comma-separated values (each read like --set's) or a numeric range A:B:N[:log]. */
export function parseVary(text: string): VaryAxis {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).trim();
  if (key === "" || eq === text.length - 1) throw new InputError(`expected KEY=LIST (e.g. controller.target=1,2,3), got '${text}'`, "--vary");
  if (key === "beta") throw new InputError("β has its own grid: use --beta", "--vary beta");
  const field = `--vary ${key}`;
  const list = text.slice(eq + 1);
  const raw = RANGE.test(list) ? parseBetaList(list, field).map(String) : list.split(",");
  const values = raw.map((value, i) => {
    if (value.trim() === "") throw new InputError(`entry ${i} is empty`, field);
    const setting = parseSetting(`${key}=${value.trim()}`, "--vary");
    const shown: Cell =
      typeof setting.value === "number" || typeof setting.value === "string" || typeof setting.value === "boolean" ? setting.value : value.trim();
    return { shown, setting };
  });
  return { key, values };
}

/** One point of the grid: its initial β (null: the scenario's), its --vary values and the settings that make it. */
export interface SweepPoint {
  beta: number | null;
  vary: Record<string, Cell>;
  settings: Setting[];
  /** Seeds of the runs (null: the scenario's seed, one run). */
  seeds: Array<number | null>;
}

export interface SweepPlan {
  file: string;
  scenario: Scenario;
  points: SweepPoint[];
  varyKeys: string[];
  seeds: number;
  tol: number;
  /** The row's columns, in order. */
  columns: string[];
}

const MAX_POINTS = 100_000;

/**
 * Reads the grid from the command line and validates every combination up front (a bad value is
 * exit 2 naming it, before any thread starts).
 */
export async function planSweep(args: ParsedArgs, betaRequired: boolean): Promise<SweepPlan> {
  const betaText = stringFlag(args, "beta");
  const axes = listFlag(args, "vary").map(parseVary);
  if (betaText === undefined && (betaRequired || axes.length === 0)) throw new InputError("is required (e.g. --beta 0.01:10:20:log)", "--beta");
  const betas: Array<number | null> = betaText === undefined ? [null] : parseBetaList(betaText);
  const seeds = numberFlag(args, "seeds") ?? 1;
  checkNumber(seeds, { integer: true, min: 1, max: 10_000 }, "--seeds");
  const tol = numberFlag(args, "tol") ?? CONVERGED_TV;
  checkNumber(tol, { min: 0, max: 1 }, "--tol");
  const jobsFlag = numberFlag(args, "jobs");
  if (jobsFlag !== undefined) checkNumber(jobsFlag, { integer: true, min: 1, max: 1024 }, "--jobs");
  const count = axes.reduce((n, axis) => n * axis.values.length, betas.length) * seeds;
  if (count > MAX_POINTS) throw new InputError(`the grid has ${count} runs; at most ${MAX_POINTS}`, axes.length ? "--vary" : "--beta");
  const base = settingsOf(args);
  const file = args.positionals[0]!;
  const scenario = await loadOnce(file, base);
  // The product of the axes, the first --vary outermost, β innermost.
  let combos: Array<Array<{ key: string; shown: Cell; setting: Setting }>> = [[]];
  for (const axis of axes) combos = combos.flatMap((combo) => axis.values.map((v) => [...combo, { key: axis.key, ...v }]));
  const points: SweepPoint[] = [];
  for (const combo of combos) {
    const settings = [...base, ...combo.map((c) => c.setting)];
    const point = combo.length ? await loadOnce(file, settings) : scenario;
    if (point.spec.controller.kind === "schedule") {
      throw new InputError("a schedule controller fixes β; sweep needs a fixed or adaptive one", "controller", point.file);
    }
    if (seeds > 1 && point.spec.mode !== "sampled") {
      throw new InputError(`a run in ${point.spec.mode} mode does not depend on its seed; --seeds needs mode=sampled`, "--seeds");
    }
    const first = point.spec.seed;
    const seedList = seeds === 1 ? [null] : Array.from({ length: seeds }, (_, k) => first + k);
    const vary = Object.fromEntries(combo.map((c) => [c.key, c.shown]));
    for (const beta of betas) points.push({ beta, vary, settings, seeds: seedList });
  }
  const varyKeys = axes.map((a) => a.key);
  const [beta, ...rest] = RUN_COLUMNS;
  const spread = seeds > 1 ? ["seeds", "converged_seeds", ...SPREAD_COLUMNS.map((c) => `${c}_std`)] : [];
  return {
    file: scenario.file,
    scenario,
    points,
    varyKeys,
    seeds,
    tol,
    columns: [beta, ...varyKeys.filter((k) => !(RUN_COLUMNS as readonly string[]).includes(k)), ...rest, ...spread],
  };
}

export interface SweepOptions {
  jobs?: number | undefined;
  /** Called as runs finish (done, total). */
  progress?: ((done: number, total: number) => void) | undefined;
}

/** Runs every point's seeds (the worker threads when built) and folds them into one row per point. */
export async function runSweep(plan: SweepPlan, io: Io, options: SweepOptions = {}): Promise<Row[]> {
  const jobs: SweepJob[] = [];
  const owner: number[] = [];
  plan.points.forEach((point, p) => {
    for (const seed of point.seeds) {
      jobs.push({ file: plan.file, settings: point.settings, beta: point.beta, seed, tol: plan.tol });
      owner.push(p);
    }
  });
  const blockable = sweepBlockable(plan.scenario);
  const threads = sweepWorkers(options.jobs, jobs.length, plan.scenario, blockable);
  const oneBatch = oneThreadBatch(plan.scenario.problem.V, plan.scenario.spec.steps);
  const runs = await runAll(batchesOf(jobs, threads, blockable, oneBatch), threads, io.signal, options.progress);
  const byPoint: Row[][] = plan.points.map(() => []);
  runs.forEach((run, k) => byPoint[owner[k]!]!.push(run as unknown as Row));
  const runColumns = plan.columns.filter((c) => (RUN_COLUMNS as readonly string[]).includes(c));
  return plan.points.map((point, p) => {
    const folded = foldSeeds(byPoint[p]!, runColumns);
    return Object.fromEntries(plan.columns.map((c) => [c, c in folded ? folded[c]! : (point.vary[c] ?? null)]));
  });
}

/** A progress bar on stderr when it is a terminal (and not --quiet); a no-op otherwise. */
export function progressBar(io: Io, quiet: boolean, what: string): { update?: (done: number, total: number) => void; clear: () => void } {
  if (quiet || !io.stderrIsTTY) return { clear: () => {} };
  const width = 30;
  return {
    update: (done, total) => {
      const filled = Math.round((width * done) / total);
      io.progress(`${what} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} runs`);
    },
    clear: () => io.progress(""),
  };
}

export async function sweepCommand(args: ParsedArgs, io: Io): Promise<number> {
  const out = stringFlag(args, "out");
  const format = out === undefined ? undefined : (await import("../io/records.js")).formatOf(out);
  const quiet = booleanFlag(args, "quiet");
  const plan = await planSweep(args, false);
  if (out !== undefined) {
    // Refuse a bad --out before the (possibly long) sweep, not after it.
    if (sameFile(out, plan.file)) throw new InputError(`${out} is the scenario file; refusing to overwrite it`, "--out");
    checkWritable(out);
  }
  // more threads than cores only adds memory and switching: clamped, with a note
  const jobsFlag = numberFlag(args, "jobs");
  const cores = availableParallelism();
  if (jobsFlag !== undefined && jobsFlag > cores) io.err(`klsim: note: --jobs ${jobsFlag} is more than the ${cores} cores; using ${cores}`);
  const bar = progressBar(io, quiet, "sweep");
  const rows = await runSweep(plan, io, { jobs: jobsFlag === undefined ? undefined : Math.min(jobsFlag, cores), progress: bar.update });
  bar.clear();
  if (out !== undefined && format !== undefined) writeRows(out, format, plan.columns, rows);
  if (booleanFlag(args, "json")) io.out(JSON.stringify(rows.map((r) => jsonRow(r, plan.columns))) + "\n");
  else if (!quiet) io.out(sweepTable(plan, rows) + (out ? `\nwrote ${rows.length} rows to ${out}\n` : ""));
  return 0;
}

function jsonCell(value: Cell): Cell {
  return typeof value === "number" ? jsonNumber(value) : value;
}

export function jsonRow(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((c) => [c, jsonCell(row[c] ?? null)]));
}

function writeRows(path: string, format: "csv" | "json" | "ndjson", columns: readonly string[], rows: Row[]): void {
  const file = new AtomicFile(path);
  try {
    if (format === "csv") {
      file.write(columns.join(",") + "\n");
      for (const row of rows) file.write(columns.map((c) => csvCell(row[c] ?? null)).join(",") + "\n");
    } else if (format === "ndjson") for (const row of rows) file.write(JSON.stringify(jsonRow(row, columns)) + "\n");
    else
      file.write(
        JSON.stringify(
          rows.map((r) => jsonRow(r, columns)),
          null,
          1,
        ) + "\n",
      );
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

function csvCell(value: Cell): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A table cell: numbers compact, yes/no for booleans, other text with control characters made visible. */
export function tableCell(value: Cell): string {
  if (typeof value === "number" || value === null) return fmt(value);
  if (typeof value === "boolean") return value ? "yes" : "NO";
  return JSON.stringify(value).slice(1, -1);
}

export function sweepTable(plan: SweepPlan, rows: Row[]): string {
  const adaptive = rows.some((r) => r.final_beta !== r.beta);
  const headline = [
    "beta",
    ...plan.varyKeys,
    "reward",
    "gold_reward",
    "reverse_kl",
    "forward_kl",
    "opt_reward",
    "opt_gold_reward",
    "opt_reverse_kl",
    "opt_forward_kl",
    ...(adaptive ? ["final_beta"] : []),
    ...(plan.seeds > 1 ? ["reward_std", "gold_reward_std", "reverse_kl_std"] : []),
    "tv_to_opt",
    "converged",
  ];
  const shownName: Record<string, string> = { gold_reward: "gold", opt_gold_reward: "opt_gold" };
  const table = formatTable(
    headline.map((c) => shownName[c] ?? c),
    rows.map((r) => headline.map((c) => tableCell(r[c] ?? null))),
  );
  const unconverged = rows.filter((r) => r.converged === false).length;
  const note = `${CONVERGENCE_RULE}, tol ${fmt(plan.tol)}${adaptive ? " (opt_* at final_beta)" : ""}${plan.seeds > 1 ? `; ${plan.seeds} seeds per row: mean, *_std the sample std; converged = every seed` : ""}`;
  const moot = rows.some((r) => r.converged === null) ? "; converged - : π* (the teacher) is out of a restricted student's reach" : "";
  return `${table}\n${unconverged ? `${unconverged} of ${rows.length} runs NOT converged (raise --steps or --lr); ` : ""}${note}${moot}\n`;
}

export function formatTable(headers: readonly string[], body: readonly string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  return [headers, ...body].map((cells) => cells.map((cell, c) => cell.padStart(widths[c]!)).join("  ")).join("\n") + "\n";
}

/** The most β in one batch of a worker (the native kernel's block takes 8 runs to a vector), so that the workers' shares stay even. */
const BATCH_MAX = 32;

/**
 * One thread (the block kernel on both cores): a batch holds as many runs as keep its θ and e
 * within 4 MB (runs × V ≤ 2¹⁸: fresh memory costs ~2.7 ms a megabyte on a VM here) and its steps to
 * ~0.25 s (runs × V × steps ≤ 5·10⁸: progress moves), and at least 16, from which the kernel's two
 * threads take blocks of their own. Fewer calls pay less start-up: at V = 256, 200 β × 5000 steps
 * took 0.28 s in batches of 32, 0.26 s in one.
 */
const BATCH_TOKENS = 1 << 18;
const BATCH_WORK = 5e8;
const BATCH_MIN = 16;

/** Runs of a batch on one thread, a multiple of 8 (see BATCH_TOKENS). */
export function oneThreadBatch(V: number, steps: number): number {
  const most = Math.min(BATCH_TOKENS / V, BATCH_WORK / (V * Math.max(1, steps)));
  return Math.max(BATCH_MIN, Math.floor(most / 8) * 8);
}

/**
 * The jobs in the batches the threads take in turn, in the jobs' order: where the block kernel
 * takes the β (`blockable`: sweep-job.ts sweepBatch steps a batch together), consecutive jobs that
 * differ only in β — on one thread `oneBatch` of them (oneThreadBatch), with workers about two per
 * thread; otherwise one job each, for an even share.
 */
export function batchesOf(all: readonly SweepJob[], threads: number, blockable: boolean, oneBatch = BATCH_MAX): SweepJob[][] {
  if (!blockable) return all.map((job) => [job]);
  const groups: SweepJob[][] = [];
  for (const job of all) {
    const last = groups[groups.length - 1]?.[0];
    if (last && job.seed === null && last.seed === null && job.settings === last.settings) groups[groups.length - 1]!.push(job);
    else groups.push([job]);
  }
  return groups.flatMap((group) => {
    // one thread: its kernel takes both cores itself; else about two per thread
    const size = threads === 1 ? oneBatch : Math.min(BATCH_MAX, Math.max(8, Math.ceil(group.length / (2 * threads) / 8) * 8));
    return Array.from({ length: Math.ceil(group.length / size) }, (_, k) => group.slice(k * size, (k + 1) * size));
  });
}

/**
 * Runs the batches on `threads` threads: this one and threads − 1 workers, each taking the next batch as
 * it finishes one (this thread starts at once, the workers join as they come up); in-process alone
 * when the compiled worker is absent (e.g. under tsx).
 */
async function runAll(batches: SweepJob[][], threads: number, signal: AbortSignal, progress?: (done: number, total: number) => void): Promise<SweepRun[]> {
  const workerUrl = new URL("./sweep-worker.js", import.meta.url);
  const total = batches.reduce((n, batch) => n + batch.length, 0);
  let done = 0;
  const finished = (runs: number) => {
    done += runs;
    progress?.(done, total);
  };
  const rows: SweepRun[][] = new Array(batches.length);
  let next = 0;
  // one taker of batches (this thread, or a worker): the next batch while there is one
  const take = async (run: (batch: SweepJob[]) => Promise<SweepRun[]>) => {
    while (next < batches.length) {
      if (signal.aborted) throw signal.reason;
      const index = next++;
      rows[index] = await run(batches[index]!);
      finished(batches[index]!.length);
    }
  };
  const here = (batch: SweepJob[]) => sweepBatch(batch, signal);
  if (threads === 1 || !existsSync(workerUrl)) {
    await take(here);
    return rows.flat();
  }
  // loaded here, not at start-up: a sweep the block kernel takes never starts a worker (~3 ms)
  const { Worker } = workerThreads();
  const workers = Array.from({ length: threads - 1 }, () => new Worker(workerUrl));
  // Ctrl+C/SIGTERM: stop at once (the finally terminates the workers mid-job) rather than after the jobs in flight.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {}); // handled by the race below; never an unhandled rejection
  try {
    await Promise.race([aborted, Promise.all([...workers.map((worker) => take((batch) => ask(worker, batch))), take(here)])]);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return rows.flat();
}

function ask(worker: Worker, jobs: SweepJob[]): Promise<SweepRun[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { rows?: SweepRun[]; error?: string }) => {
      worker.off("error", onError);
      if (message.rows) resolve(message.rows);
      else reject(new Error(message.error ?? "sweep worker failed"));
    };
    const onError = (error: Error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
    worker.postMessage(jobs);
  });
}
