/**
 * Dotted paths into parsed JSON ("sampling.estimator", "controller.target"): how `--set KEY=VALUE`
 * and `sweep --vary KEY=LIST` name a scenario field. Pure; knows nothing of the scenario schema.
 */

type JsonObject = { [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The segments of a dotted path; empty segments ("a..b", ".a") are refused by the caller's resolver. */
export function pathSegments(path: string): string[] {
  return path.split(".");
}

/** The value at `path`, or undefined when some step of the way is missing or not an object. */
export function getByPath(json: unknown, path: string): unknown {
  let node: unknown = json;
  for (const key of pathSegments(path)) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * A copy of `json` with the value at `path` replaced by `value` (the input is not changed; only the
 * objects along the path are copied). A step that is missing or not an object (an array, a number)
 * becomes an object: `reference.logits` on a reference given as an array of probabilities replaces
 * the array with `{ "logits": … }`.
 */
export function setByPath(json: unknown, path: string, value: unknown): unknown {
  const [key, ...rest] = pathSegments(path);
  const object: JsonObject = isPlainObject(json) ? { ...json } : {};
  const next = rest.length === 0 ? value : setByPath(object[key!], rest.join("."), value);
  // defineProperty, not `object[key] = …`: a key named "__proto__" stays a plain own key (as JSON.parse makes it)
  Object.defineProperty(object, key!, { value: next, enumerable: true, writable: true, configurable: true });
  return object;
}
