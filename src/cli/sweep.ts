/** `klsim sweep`: one run per β, spread over worker threads, with final and optimum metrics per β. */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { InputError } from "../errors.js";
import { AtomicFile, checkWritable, sameFile } from "../io/atomic.js";
import { checkNumber } from "../scenario/validate.js";
import { jsonNumber } from "../sim/record-format.js";
import { booleanFlag, decimalNumber, numberFlag, stringFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { JSON_FLAG, loadScenarioFor, LR_FLAG, PENALTY_FLAG, SET_FLAG, settingsOf, STEPS_FLAG } from "./overrides.js";
import { fmt } from "./final-summary.js";
import { SWEEP_COLUMNS, sweepOne, sweepWorkers, type SweepJob, type SweepRow } from "./sweep-job.js";

export const sweepSpec: CommandSpec = {
  name: "sweep",
  summary: "One run per β (all cores), reporting the final and the closed-form optimum metrics for each: a reward–KL frontier.",
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ or a path to a .json file" }],
  flags: [
    { name: "beta", type: "string", value: "LIST|A:B:N[:log]", describe: "β values: 0.01,0.1,1 or 0:1:11 (N points) or 0.001:10:50:log" },
    STEPS_FLAG,
    PENALTY_FLAG,
    LR_FLAG,
    SET_FLAG,
    { name: "jobs", type: "integer", value: "J", describe: "worker threads (default: as many as pay for their start on the idle cores)" },
    { name: "out", type: "string", value: "FILE", describe: "write one row per β to FILE (.csv, .json or .ndjson)" },
    JSON_FLAG,
  ],
  examples: ["klsim sweep basic --beta 0.01:10:30:log", "klsim sweep reward-hacking --beta 0.05,0.1,0.2,0.3,0.5 --out frontier.csv"],
};

/** "0.1,1" | "A:B:N" | "A:B:N:log" → the β values. */
export function parseBetaList(text: string): number[] {
  const field = "--beta";
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

export async function sweepCommand(args: ParsedArgs, io: Io): Promise<number> {
  const betaText = stringFlag(args, "beta");
  if (betaText === undefined) throw new InputError("is required (e.g. --beta 0.01:10:20:log)", "--beta");
  const betas = parseBetaList(betaText);
  const out = stringFlag(args, "out");
  const format = out === undefined ? undefined : (await import("../io/records.js")).formatOf(out);
  const jobsFlag = numberFlag(args, "jobs");
  if (jobsFlag !== undefined) checkNumber(jobsFlag, { integer: true, min: 1, max: 1024 }, "--jobs");
  const scenario = await loadScenarioFor(args, args.positionals[0]!);
  if (scenario.spec.controller.kind === "schedule") {
    throw new InputError("a schedule controller fixes β; sweep needs a fixed or adaptive one", "controller", scenario.file);
  }
  if (out !== undefined) {
    // Refuse a bad --out before the (possibly long) sweep, not after it.
    if (sameFile(out, scenario.file)) throw new InputError(`${out} is the scenario file; refusing to overwrite it`, "--out");
    checkWritable(out);
  }
  // more threads than cores only adds memory and switching: clamped, with a note
  const cores = availableParallelism();
  if (jobsFlag !== undefined && jobsFlag > cores) io.err(`klsim: note: --jobs ${jobsFlag} is more than the ${cores} cores; using ${cores}`);
  const jobs = sweepWorkers(jobsFlag === undefined ? undefined : Math.min(jobsFlag, cores), betas.length, scenario);
  const base: Omit<SweepJob, "beta"> = { file: scenario.file, settings: settingsOf(args) };
  const rows = await runAll(
    betas.map((beta) => ({ ...base, beta })),
    jobs,
    io.signal,
  );
  if (out !== undefined && format !== undefined) writeRows(out, format, rows);
  if (booleanFlag(args, "json")) io.out(JSON.stringify(rows.map(jsonRow)) + "\n");
  else io.out(sweepTable(rows) + (out ? `\nwrote ${rows.length} rows to ${out}\n` : ""));
  return 0;
}

function jsonRow(row: SweepRow): Record<string, number | string | null> {
  return Object.fromEntries(SWEEP_COLUMNS.map((c) => [c, row[c] === null ? null : jsonNumber(row[c])]));
}

function writeRows(path: string, format: "csv" | "json" | "ndjson", rows: SweepRow[]): void {
  const file = new AtomicFile(path);
  try {
    if (format === "csv") {
      file.write(SWEEP_COLUMNS.join(",") + "\n");
      for (const row of rows) file.write(SWEEP_COLUMNS.map((c) => (row[c] === null ? "" : String(row[c]))).join(",") + "\n");
    } else if (format === "ndjson") for (const row of rows) file.write(JSON.stringify(jsonRow(row)) + "\n");
    else file.write(JSON.stringify(rows.map(jsonRow), null, 1) + "\n");
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}

function sweepTable(rows: SweepRow[]): string {
  const headers = ["beta", "reward", "gold", "reverse_kl", "forward_kl", "opt_reward", "opt_reverse_kl", "opt_forward_kl"];
  const body = rows.map((r) => [r.beta, r.reward, r.gold_reward, r.reverse_kl, r.forward_kl, r.opt_reward, r.opt_reverse_kl, r.opt_forward_kl].map(fmt));
  const widths = headers.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  return [headers, ...body].map((cells) => cells.map((cell, c) => cell.padStart(widths[c]!)).join("  ")).join("\n") + "\n";
}

/** Runs the jobs on `jobs` worker threads (in-process when the compiled worker is absent, e.g. under tsx). */
async function runAll(all: SweepJob[], jobs: number, signal: AbortSignal): Promise<SweepRow[]> {
  const workerUrl = new URL("./sweep-worker.js", import.meta.url);
  if (jobs === 1 || !existsSync(workerUrl)) {
    const rows: SweepRow[] = [];
    for (const job of all) {
      if (signal.aborted) throw signal.reason;
      rows.push(await sweepOne(job, signal));
    }
    return rows;
  }
  const rows = new Array<SweepRow>(all.length);
  let next = 0;
  const workers = Array.from({ length: jobs }, () => new Worker(workerUrl));
  // Ctrl+C/SIGTERM: stop at once (the finally terminates the workers mid-job) rather than after the jobs in flight.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {}); // handled by the race below; never an unhandled rejection
  try {
    await Promise.race([
      aborted,
      Promise.all(
        workers.map(async (worker) => {
          while (next < all.length) {
            if (signal.aborted) throw signal.reason;
            const index = next++;
            rows[index] = await ask(worker, all[index]!);
          }
        }),
      ),
    ]);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return rows;
}

function ask(worker: Worker, job: SweepJob): Promise<SweepRow> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { row?: SweepRow; error?: string }) => {
      worker.off("error", onError);
      if (message.row) resolve(message.row);
      else reject(new Error(message.error ?? "sweep worker failed"));
    };
    const onError = (error: Error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
    worker.postMessage(job);
  });
}
