/**
 * Whether a fast stepper may start a helper thread: only on the main thread (not in sweep's
 * workers), and only when a core is idle — with every core busy it would just take turns with this
 * one. Idle means the 1-minute load average leaves a core, or (Linux) no more than cores − 1 tasks
 * are runnable right now, this one included: the average lags, and a run started just after another
 * program (a numpy loop, the previous run) would otherwise go without the helper for a minute. The
 * timing (schedule.ts) still decides whether it pays. KLSIM_THREADS=1 never starts one,
 * KLSIM_THREADS=2 starts one whatever the load.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

/**
 * Whether this is a process's main thread: sweep-worker.ts says otherwise as it starts. (Asking
 * node:worker_threads would load it, ~2–3 ms that a run or a sweep on the main thread never needs.)
 */
let mainThread = true;

/** Called by a worker thread that steps runs (sweep-worker.ts) before it does. */
export function markWorkerThread(): void {
  mainThread = false;
}

export function defaultThreads(): boolean {
  const setting = process.env.KLSIM_THREADS;
  if (setting === "1") return false;
  const cores = availableParallelism();
  if (cores < 2 || !mainThread) return false;
  return setting === "2" || idleCores() >= 1;
}

/**
 * Whether the native block kernel (block-runs.ts) may split its runs with a second thread: on the
 * main thread of a machine with two cores or more, whatever the load (KLSIM_THREADS=1 never). The
 * runs are independent — no step waits on the other thread — so with the other core busy the split
 * costs at most the time one thread alone would take, and the load average (which counts the JIT
 * compiler's threads at start-up) is no guide.
 */
export function blockThreads(): boolean {
  return process.env.KLSIM_THREADS !== "1" && availableParallelism() >= 2 && mainThread;
}

/** Cores that nothing else is using now, besides this thread's (the lower of the 1-minute average's and this instant's count). */
export function idleCores(): number {
  const cores = availableParallelism();
  const busy = Math.min(loadavg()[0]!, runnableNow()); // this thread is among the runnable ones
  return Math.max(0, Math.floor(cores - Math.max(1, busy)));
}

/** Tasks runnable at this instant (Linux), or Infinity if unknown. */
function runnableNow(): number {
  try {
    return runnableIn(readFileSync("/proc/loadavg", "latin1"));
  } catch {
    return Infinity; // not Linux
  }
}

/** The running count of /proc/loadavg's fourth field ("0.89 1.01 1.08 1/85 16151" → 1), or Infinity. */
export function runnableIn(loadavgText: string): number {
  const running = /^\S+ \S+ \S+ (\d+)\/\d+ /.exec(loadavgText)?.[1];
  return running === undefined ? Infinity : Number(running);
}
