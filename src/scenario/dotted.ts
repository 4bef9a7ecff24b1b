/**
 * Scenario fields by dotted path ("controller.target", "sampling.estimator"): set a value in the
 * parsed JSON of a scenario file before the schema validates it, so a bad value gets the schema's
 * own message naming the key. Shared by `sweep --vary` and `--set`.
 */
import { InputError } from "../errors.js";
import { isObject, type Json, type JsonObject } from "./validate.js";

/** One assignment: the dotted path and the value to put there. */
export type Assignment = readonly [path: string, value: Json];

/** Keys that would reach Object.prototype instead of a field. */
const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

/** The path's keys; `field` names the flag in errors. */
export function pathKeys(path: string, field: string): string[] {
  const keys = path.split(".");
  const bad = keys.find((key) => key === "" || FORBIDDEN.has(key));
  if (bad !== undefined) throw new InputError(`'${path}' is not a field path (keys separated by dots, e.g. controller.target)`, field);
  return keys;
}

/**
 * A copy of `json` with `value` at `path`; objects on the way are copied (the input is left as it
 * was) and created when missing. A non-object on the way is an error naming its key.
 */
export function setPath(json: JsonObject, path: string, value: Json, field = path): JsonObject {
  const keys = pathKeys(path, field);
  const root: JsonObject = { ...json };
  let node = root;
  keys.slice(0, -1).forEach((key, depth) => {
    const child = node[key];
    if (child !== undefined && !isObject(child))
      throw new InputError(`${keys.slice(0, depth + 1).join(".")} is not an object, so it has no field '${keys[depth + 1]}'`, field);
    const copy: JsonObject = { ...(child ?? {}) };
    node[key] = copy;
    node = copy;
  });
  node[keys[keys.length - 1]!] = value;
  return root;
}

/** A value typed on the command line: JSON when it parses (0.3, true, null, "k3", [1, 2]), else the text as a string (k3). */
export function parseValue(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}
