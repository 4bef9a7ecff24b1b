/** Runs the command line on `argv` and sets the process's exit code: the binary's one entry (main.ts, and klsim.cts's bundle). */
import { main } from "./cli.js";

export { main };

export function start(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`klsim: internal error: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
