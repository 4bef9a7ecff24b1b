/**
 * Runs the real `klsim` binary as a child process, the way a user does: no stdin, CI=true, and
 * (unless asked) no TTY. Prefers the built binary `dist/cli/klsim.cjs` when it is at least as new as
 * every file under src/ (a fast start); otherwise runs the sources through tsx, so the tests also
 * work before `npm run build` and never test a stale build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DIST_MAIN = join(ROOT, "dist", "cli", "klsim.cjs");
const SRC_MAIN = join(ROOT, "src", "cli", "main.ts");
const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let cachedArgs: string[] | undefined;

/** The node arguments that start klsim: the build when it is fresh, else the sources via tsx. */
export function klsimNodeArgs(): string[] {
  if (cachedArgs) return cachedArgs;
  const fresh = existsSync(DIST_MAIN) && statSync(DIST_MAIN).mtimeMs >= newestMtime(join(ROOT, "src"));
  cachedArgs = fresh && !process.env.KLSIM_TEST_SOURCES ? [DIST_MAIN] : ["--import", TSX_LOADER, SRC_MAIN];
  return cachedArgs;
}

/** Which build the tests run, for a log line. */
export function klsimFlavour(): "dist" | "tsx" {
  return klsimNodeArgs()[0] === DIST_MAIN ? "dist" : "tsx";
}

export interface KlsimOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill (SIGKILL) after this many ms and report `timedOut`; a hang is a failure. */
  timeout?: number;
}

export interface KlsimResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Starts klsim without waiting (for signal tests). */
export function spawnKlsim(args: readonly string[], options: KlsimOptions = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1", ...options.env };
  delete env.KLSIM_DEBUG;
  delete env.FORCE_COLOR;
  return spawn(process.execPath, [...klsimNodeArgs(), ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Collects a spawned klsim's output until it exits. */
export function finished(child: ChildProcess, timeout = 60_000): Promise<KlsimResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

// At most one child per core at a time across a test file, so parallel tests stay fast on 2 cores.
const slots = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= slots) await new Promise<void>((wake) => waiting.push(wake));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs `klsim ...args` to completion. */
export function klsim(args: readonly string[], options: KlsimOptions = {}): Promise<KlsimResult> {
  return withSlot(() => finished(spawnKlsim(args, options), options.timeout ?? 60_000));
}

/** The lines of a stream's text (without the final newline's empty string). */
export function linesOf(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * What is wrong with a bad-input result, or null: exit code 2, exactly one line on stderr (no
 * stack trace, no error class name), nothing on stdout.
 */
export function badInputProblem(result: KlsimResult): string | null {
  if (result.timedOut) return "timed out (a hang)";
  if (result.code !== 2) return `exit code ${result.code} (signal ${result.signal}), expected 2`;
  const lines = linesOf(result.stderr);
  if (lines.length !== 1) return `stderr has ${lines.length} lines, expected exactly 1:\n${result.stderr}`;
  const line = lines[0]!;
  if (/^\s+at\s|\bat .*:\d+:\d+\)?$/.test(line) || /\b(\w*Error|TypeError|RangeError):/.test(line)) return `stack trace or error class in: ${line}`;
  if (/internal error/.test(line)) return `internal error: ${line}`;
  if (/\bNaN\b/.test(line) && !/NaN or Infinity|the string "NaN"|'NaN'|evaluates to NaN/.test(line)) return `NaN in: ${line}`;
  if (line.trim() === "") return "empty error line";
  if (result.stdout !== "") return `unexpected stdout: ${result.stdout.slice(0, 200)}`;
  return null;
}
