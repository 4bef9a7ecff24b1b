/**
 * `--out -`: records streamed to stdout instead of a file. Writes are batched into chunks, a run
 * waits for stdout to drain between slices (so a slow reader, `| less`, holds the run back instead
 * of letting memory grow), and a reader that goes away (`| head`) ends the run quietly: EPIPE
 * marks the sink closed instead of crashing the process (any other write error is kept for the run to report).
 */

import { reasonOf } from "./atomic.js";

const CHUNK = 1 << 16;

/** 128 + SIGPIPE, what a shell reports for a writer whose reader closed the pipe. */
export const SIGPIPE_EXIT = 141;

/**
 * The one output-stream guard, installed by the CLI for every command: a reader that went away
 * (EPIPE: `klsim kl … | true`) ends the process quietly with 141; any other write error on stdout
 * (ENOSPC: `> /dev/full`) is one line on stderr and exit 1. Unfinished output files are removed by
 * the exit handler as on any exit. Without it Node prints the error's stack trace.
 */
export function guardStdout(stream: NodeJS.WritableStream = process.stdout, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") return exit(SIGPIPE_EXIT);
    try {
      process.stderr.write(`klsim: cannot write to stdout: ${reasonOf(error)}\n`);
    } catch {
      // stderr is gone too: the exit code says it
    }
    exit(1);
  });
}

export class StdoutSink {
  private buffer = "";
  private closed = false;
  private failure: string | null = null;

  constructor(private readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean } = process.stdout) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      this.closed = true;
      if (error.code !== "EPIPE") this.failure = `cannot write to stdout: ${reasonOf(error)}`;
    });
  }

  /** The reader has gone away (EPIPE): nothing more will be read. */
  get readerGone(): boolean {
    return this.closed && this.failure === null;
  }

  /** Why stdout failed otherwise (not EPIPE), or null. */
  get failed(): string | null {
    return this.failure;
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= CHUNK) this.flush();
  }

  private flush(): void {
    if (this.buffer && !this.closed) this.stream.write(this.buffer);
    this.buffer = "";
  }

  /** Flushes and resolves once stdout has taken what it was given (or the reader has gone). */
  drained(): Promise<void> {
    this.flush();
    if (this.closed || !this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
  }

  commit(): void {
    this.flush();
  }

  /** A stream cannot be taken back: what was written stays written. */
  abort(): void {
    this.buffer = "";
  }
}
