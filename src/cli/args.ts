/**
 * Command-line parsing: a small declarative parser so every command gets the same --help,
 * the same one-line errors (InputError → exit 2) and did-you-mean hints for unknown flags.
 */
import { InputError } from "../errors.js";
import { closest } from "../scenario/validate.js";

export type FlagType = "number" | "integer" | "string" | "boolean";

export interface FlagSpec {
  /** Long name without dashes, e.g. "beta". */
  name: string;
  type: FlagType;
  /** Placeholder shown in help, e.g. "B". */
  value?: string;
  describe: string;
  choices?: readonly string[];
  /** Checks a string value as it is parsed (a registry name) and returns it as it should be kept. */
  check?: (value: string, field: string) => string;
  /** Values shell completion offers when there are no fixed `choices` (a registry's examples). */
  suggestions?: readonly string[];
  /** The scenario field this flag sets (`--beta` sets `beta`): applied like `--set beta=…`. */
  path?: string;
  /** May be given more than once (a string flag): the values are kept in order (listFlag). */
  repeatable?: boolean;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  describe: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: readonly PositionalSpec[];
  flags: readonly FlagSpec[];
  examples: readonly string[];
}

export type FlagValue = string | number | boolean;

export interface ParsedArgs {
  positionals: string[];
  /** The last value of each flag given (a repeatable flag's: all of them, in order). */
  flags: Map<string, FlagValue | string[]>;
  /** Every flag given, in command-line order (repeatable flags and scenario settings read this). */
  occurrences: Array<{ flag: FlagSpec; value: FlagValue }>;
  help: boolean;
  version: boolean;
}

/** A token that is a number or a comma-separated list of numbers, e.g. "-0.5" or "-1,2". */
const NUMERIC = /^[-+]?(\d|\.\d)/;

const HELP = ["--help", "-h"];
const VERSION = ["--version", "-V"];

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  // --help (or --version) anywhere before a `--` wins, even over a typo elsewhere on the line.
  const end = argv.indexOf("--");
  const options = end < 0 ? argv : argv.slice(0, end);
  const help = options.some((token) => HELP.includes(token));
  const version = !help && options.some((token) => VERSION.includes(token));
  if (help || version) return { positionals: [], flags: new Map(), occurrences: [], help, version };
  const flags = new Map<string, FlagValue | string[]>();
  const occurrences: ParsedArgs["occurrences"] = [];
  const positionals: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const token = argv[k]!;
    if (token === "--") {
      positionals.push(...argv.slice(k + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-" || NUMERIC.test(token)) {
      positionals.push(token);
      continue;
    }
    const [rawName, inline] = splitFlag(token);
    const flag = spec.flags.find((f) => f.name === rawName);
    if (!flag) {
      const hint = closest(rawName, spec.flags.map((f) => f.name).concat("help", "version"));
      throw new InputError(`unknown option for 'klsim ${spec.name}'${hint ? ` (did you mean --${hint}?)` : ""}; see klsim ${spec.name} --help`, `--${rawName}`);
    }
    if (flag.type === "boolean") {
      if (inline !== undefined) throw new InputError("takes no value", `--${flag.name}`);
      flags.set(flag.name, true);
      occurrences.push({ flag, value: true });
      continue;
    }
    const text = inline ?? argv[++k];
    if (text === undefined) throw new InputError(`needs a value${flag.value ? ` (${flag.value})` : ""}`, `--${flag.name}`);
    const value = convert(flag, text);
    if (flag.repeatable) flags.set(flag.name, [...listFlag({ positionals, flags, occurrences, help, version }, flag.name), String(value)]);
    else flags.set(flag.name, value);
    occurrences.push({ flag, value });
  }
  const required = spec.positionals.filter((p) => p.required).length;
  if (positionals.length < required) {
    const missing = spec.positionals[positionals.length]!;
    throw new InputError(`missing <${missing.name}>; usage: ${usageLine(spec)}`, `klsim ${spec.name}`);
  }
  if (positionals.length > spec.positionals.length) {
    throw new InputError(`unexpected argument '${positionals[spec.positionals.length]}'; usage: ${usageLine(spec)}`, `klsim ${spec.name}`);
  }
  return { positionals, flags, occurrences, help: false, version: false };
}

function splitFlag(token: string): [string, string | undefined] {
  const body = token.replace(/^--?/, "");
  const eq = body.indexOf("=");
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

/** A plain decimal literal: 12, -0.5, .5, 1e-3. Not hex (0x10), binary, octal, Infinity, or padded with spaces. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The number a decimal literal means, or NaN for anything else (Number() would take "0x10", " 5 " and "" too). */
export function decimalNumber(text: string): number {
  return DECIMAL.test(text) && !underflowsToZero(text) ? Number(text) : Number.NaN;
}

/** A non-zero literal too small for a double (1e-400), which Number() turns into 0. */
export function underflowsToZero(text: string): boolean {
  return DECIMAL.test(text) && Number(text) === 0 && /[1-9]/.test(text.replace(/[eE].*$/, ""));
}

function convert(flag: FlagSpec, value: string): string | number {
  const field = `--${flag.name}`;
  if (flag.type === "string") {
    if (flag.check) return flag.check(value, field);
    if (flag.choices && !flag.choices.includes(value)) {
      const hint = closest(value, flag.choices);
      throw new InputError(`expected one of ${flag.choices.join(", ")}, got '${value}'${hint ? ` (did you mean ${hint}?)` : ""}`, field);
    }
    return value;
  }
  const number = decimalNumber(value);
  if (underflowsToZero(value)) throw new InputError(`${value} is too small for a double and would become 0; give 0 or a number ≥ 1e-300`, field);
  if (/^[-+]?0[xXbBoO]/.test(value)) throw new InputError(`expected a decimal number, got '${value}' (hexadecimal, binary and octal are not accepted)`, field);
  if (!Number.isFinite(number)) throw new InputError(`expected a ${flag.type === "integer" ? "whole " : ""}number, got '${value}'`, field);
  if (flag.type === "integer" && !Number.isInteger(number)) throw new InputError(`expected a whole number, got '${value}'`, field);
  return number;
}

export function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(" ");
  return `klsim ${spec.name}${positionals ? " " + positionals : ""}${spec.flags.length ? " [options]" : ""}`;
}

export function helpText(spec: CommandSpec): string {
  const lines = [`${usageLine(spec)}`, "", spec.summary, ""];
  if (spec.positionals.length) {
    lines.push("Arguments:");
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(22)}${p.describe}`);
    lines.push("");
  }
  lines.push("Options:");
  for (const f of spec.flags) {
    const left = `--${f.name}${f.type === "boolean" ? "" : ` ${f.value ?? (f.type === "string" ? "TEXT" : "N")}`}`;
    lines.push(`  ${left.padEnd(22)}${left.length >= 22 ? "  " : ""}${f.describe}${f.repeatable ? " (repeatable)" : ""}`);
  }
  lines.push(`  ${"--help".padEnd(22)}show this help`, `  ${"--version".padEnd(22)}print klsim's version`);
  if (spec.examples.length) {
    lines.push("", "Examples:");
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return lines.join("\n") + "\n";
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags.get(name);
  return typeof value === "number" ? value : undefined;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === "string" ? value : undefined;
}

/** A repeatable flag's values in order (none: []). */
export function listFlag(args: ParsedArgs, name: string): string[] {
  const value = args.flags.get(name);
  return Array.isArray(value) ? value : [];
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
