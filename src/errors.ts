import { clip, printable } from "./io/terminal-text.js";

/**
 * klsim's errors are told apart by a registered symbol, not by class identity: the binary's
 * CommonJS bundle (scripts/bundle-run.mjs) and the ES modules that the lazily loaded commands import
 * each hold a copy of this file, and an InputError thrown by one must be an InputError to the other.
 */
const KIND = Symbol.for("klsim.error-kind");

/** Makes `error instanceof cls` true for an error of any copy of `cls` (the same `kind`). */
function recognisedByKind(cls: abstract new (...args: never[]) => Error, kind: string): void {
  Object.defineProperty(cls.prototype, KIND, { value: kind });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown) => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[KIND] === kind,
  });
}

/**
 * Bad input from a user (a scenario file, a flag, a distribution). The CLI prints
 * `message` as exactly one line on stderr and exits with code 2; no stack trace.
 * The message names the file (when there is one) and the field:
 *   `scenarios/x.json: reference: probabilities sum to 1.1, expected 1`
 */
export class InputError extends Error {
  constructor(
    /** What was wrong, one line, without the file/field prefix. */
    readonly detail: string,
    /** The field path, e.g. `reference` or `optimizer.lr`, or a flag such as `--beta`. */
    readonly field?: string,
    /** The file the input came from, as the user named it. */
    readonly file?: string,
  ) {
    super(oneLine([file, field === undefined ? undefined : clip(field), detail].filter((part) => part !== undefined && part !== "").join(": ")));
    this.name = "InputError";
  }

  /** The same error re-attributed to a file and/or a parent field path. */
  within(file: string | undefined, parentField?: string): InputError {
    const field = parentField === undefined ? this.field : this.field ? `${parentField}.${this.field}` : parentField;
    return new InputError(this.detail, field, file ?? this.file);
  }
}

/** The message stays one line whatever it quotes (a key, a path or a value with a line break). */
function oneLine(text: string): string {
  return printable(text);
}

/** Output could not be written (disk full, an I/O error): exit code 1, one line, no stack trace. */
export class OutputError extends Error {
  constructor(message: string) {
    super(printable(message));
    this.name = "OutputError";
  }
}

/** A run that cannot continue (non-finite values): exit code 1 with a clear message, partial output kept. */
export class DivergenceError extends Error {
  constructor(
    readonly step: number,
    detail: string,
  ) {
    super(`diverged at step ${step}: ${detail}`);
    this.name = "DivergenceError";
  }
}

recognisedByKind(InputError, "InputError");
recognisedByKind(OutputError, "OutputError");
recognisedByKind(DivergenceError, "DivergenceError");
