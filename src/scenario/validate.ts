/**
 * A small strict validator for JSON input (the scenario schema is written with it). Each check
 * throws InputError naming the field path; the loader adds the file name. Hand-written rather
 * than a schema library so `klsim run` loads in milliseconds.
 */
import { InputError } from "../errors.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function describe(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, field: string): JsonObject {
  if (!isObject(value)) throw new InputError(`expected an object, got ${describe(value)}`, field);
  return value;
}

/** Unknown keys are errors (with a did-you-mean), so a typo never silently falls back to a default. */
export function expectKeys(object: JsonObject, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(object)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    const where = field ? `${field}.${key}` : key;
    throw new InputError(`unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`, where);
  }
}

export function expectNumber(value: unknown, field: string): number {
  if (typeof value !== "number") throw new InputError(`expected a number, got ${describe(value)}`, field);
  if (!Number.isFinite(value)) throw new InputError(`expected a finite number, got ${value}`, field);
  return value;
}

export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
  integer?: boolean;
}

export function checkNumber(value: number, rule: NumberRule, field: string): number {
  if (!Number.isFinite(value)) throw new InputError(`expected a finite number, got ${value}`, field);
  if (rule.integer && !Number.isInteger(value)) throw new InputError(`expected a whole number, got ${value}`, field);
  if (rule.min !== undefined && value < rule.min) throw new InputError(`must be ≥ ${rule.min}, got ${value}`, field);
  if (rule.above !== undefined && !(value > rule.above)) throw new InputError(`must be > ${rule.above}, got ${value}`, field);
  if (rule.max !== undefined && value > rule.max) throw new InputError(`must be ≤ ${rule.max}, got ${value}`, field);
  if (rule.below !== undefined && !(value < rule.below)) throw new InputError(`must be < ${rule.below}, got ${value}`, field);
  return value;
}

export function expectBoundedNumber(value: unknown, rule: NumberRule, field: string): number {
  return checkNumber(expectNumber(value, field), rule, field);
}

export function expectString(value: unknown, field: string): string {
  if (typeof value !== "string") throw new InputError(`expected a string, got ${describe(value)}`, field);
  return value;
}

export function expectEnum<T extends string>(value: unknown, options: readonly T[], field: string): T {
  if (typeof value === "string" && (options as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === "string" ? closest(value, options) : undefined;
  throw new InputError(`expected one of ${options.map((o) => `"${o}"`).join(", ")}, got ${describe(value)}${hint ? ` (did you mean "${hint}"?)` : ""}`, field);
}

export function expectNumberArray(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) throw new InputError(`expected an array of numbers, got ${describe(value)}`, field);
  // the field's name is built only for the entry that fails: a 65 536-token vector stays cheap
  for (let index = 0; index < value.length; index++) {
    const entry: unknown = value[index];
    if (typeof entry !== "number" || !Number.isFinite(entry)) expectNumber(entry, `${field}[${index}]`);
  }
  return value as number[];
}

export function expectStringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new InputError(`expected an array of strings, got ${describe(value)}`, field);
  value.forEach((entry, index) => expectString(entry, `${field}[${index}]`));
  return value as string[];
}

/** Levenshtein distance, for did-you-mean hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Did-you-mean looks only at words this long or shorter: the edit distance costs |word| × |option| each. */
const MAX_HINTED_LENGTH = 64;

/** The closest option within a small edit distance, if any (none for a word too long to be a typo). */
export function closest(word: string, options: readonly string[]): string | undefined {
  if (word.length > MAX_HINTED_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const option of options) {
    const d = editDistance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return best;
}
