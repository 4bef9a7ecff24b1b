/**
 * The one signal set: every way a user or the system asks klsim to stop. Interrupt (Ctrl+C),
 * terminate (kill), hang-up (the terminal closed) and quit (Ctrl+\) are handled alike by
 * `klsim run`/`sweep` (unfinished output removed) and by the TUI (terminal restored).
 */
import { constants } from "node:os";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const satisfies readonly NodeJS.Signals[];

/** The shell's exit code for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/** Installs `handler` for every stop signal; returns the function that removes it again. */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
