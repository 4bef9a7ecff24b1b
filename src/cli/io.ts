/** What a command may touch of the process: injected so commands are testable in-process. */
export interface Io {
  out(text: string): void;
  /** One line on stderr (a newline is added). */
  err(line: string): void;
  /** A transient progress line (stderr, overwritten). */
  progress(text: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Aborted when the process receives SIGINT or SIGTERM. Read it only when about to poll it:
   *  the first read installs the handlers (until then a signal ends the process at once). */
  signal: AbortSignal;
}
