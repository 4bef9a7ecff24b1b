#!/usr/bin/env node
/** The `klsim` binary: see cli.ts. */
import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`klsim: internal error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
