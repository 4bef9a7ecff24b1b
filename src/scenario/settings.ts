/**
 * Command-line settings of scenario fields: `--set sampling.estimator=k3`, the TRL/verl/OpenRLHF
 * names (`--set kl_coef=0.1`) and the named flags (`--beta 0.1`). Each is applied to the scenario's
 * parsed JSON, which is then validated like the file, so a setting obeys every rule a file does;
 * an error caused by a setting names the setting (`--set sampling.batch: must be ≥ 1, got 0`).
 */
import { InputError } from "../errors.js";
import { KEY_ALIASES } from "./aliases.js";
import { parseValue, setPath } from "./dotted.js";
import { checkJsonText } from "./json-text.js";
import { type AnyField, type Fields, VariantsField } from "./field-kinds.js";
import { SCENARIO } from "./fields.js";
import { fallbackNameOf, readScenarioJson, resolveScenario, SCENARIOS_DIR, type Scenario } from "./loader.js";
import { parseScenarioSpec, type ScenarioSpec } from "./schema.js";
import { closest, isObject, type Json, type JsonObject } from "./validate.js";

/** One setting as the user gave it. Plain data, so it can cross to a worker thread. */
export interface Setting {
  /** How errors name it: "--set sampling.batch", "--set kl_coef", "--beta". */
  label: string;
  /** A dotted scenario path or an alias (KEY_ALIASES). */
  key: string;
  value: unknown;
  /** The value as typed, when it was typed as text (for a text field, "0.5" stays "0.5"). */
  text?: string;
}

/** A JSON value typed on the command line obeys the file's rules: no duplicate key, no number that underflows to 0. */
function checkSettingText(raw: string, field: string): void {
  try {
    JSON.parse(raw);
  } catch {
    return; // not JSON: taken as text
  }
  try {
    checkJsonText(raw);
  } catch (error) {
    if (error instanceof InputError) throw error.within(undefined, field);
    throw error;
  }
}

/** "KEY=VALUE" → a Setting; VALUE is JSON when it parses as JSON (0.3, true, [1,2], "x"), else the text itself. */
export function parseSetting(text: string, flag = "--set"): Setting {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).trim();
  if (key === "") throw new InputError(`expected KEY=VALUE (e.g. sampling.estimator=k3), got '${text}'`, flag);
  const raw = text.slice(eq + 1);
  checkSettingText(raw, `${flag} ${key}`);
  return { label: `${flag} ${key}`, key, value: parseValue(raw), text: raw };
}

/** Every dotted path a setting may name (objects and their fields, each variant's keys), in table order. */
export function settablePaths(): string[] {
  const paths: string[] = [];
  const walk = (field: AnyField, prefix: string) => {
    for (const [key, child] of Object.entries(field.children())) {
      const path = prefix ? `${prefix}.${key}` : key;
      paths.push(path);
      walk(child, path);
    }
  };
  walk(SCENARIO, "");
  return paths;
}

/** The fields along a dotted path (the last is the field the path names), or null when it names none. */
function fieldsAlong(path: string): AnyField[] | null {
  const chain: AnyField[] = [];
  let field: AnyField = SCENARIO;
  for (const key of path.split(".")) {
    const children = field.children();
    if (!Object.hasOwn(children, key)) return null;
    field = children[key]!;
    chain.push(field);
  }
  return chain;
}

interface Resolved {
  label: string;
  path: string;
  value: unknown;
}

function resolve(setting: Setting): Resolved {
  const alias = Object.hasOwn(KEY_ALIASES, setting.key) ? KEY_ALIASES[setting.key]! : undefined;
  if (alias) return { label: setting.label, path: alias.path, value: alias.value ? alias.value(setting.value, setting.label) : setting.value };
  const chain = fieldsAlong(setting.key);
  if (!chain) {
    const hint = closest(setting.key, [...settablePaths(), ...Object.keys(KEY_ALIASES)]);
    const fields = Object.keys(SCENARIO.children()).filter((key) => !key.startsWith("$"));
    throw new InputError(
      `unknown scenario field${hint ? ` (did you mean "${hint}"?)` : ""}; fields: ${fields.join(", ")} (and their keys, e.g. sampling.estimator); aliases: ${Object.keys(KEY_ALIASES).join(", ")}`,
      setting.label,
    );
  }
  const text = chain[chain.length - 1]!.textual && typeof setting.value !== "string" ? setting.text : undefined;
  return { label: setting.label, path: setting.key, value: text ?? setting.value };
}

/** What a setting changed, for naming it in errors: its path and, when it picked a variant, the variant object's path. */
interface Applied extends Resolved {
  variantPath: string | null;
}

/** The keys of `object` the variant `kind` has, with the tag set to it. */
function asVariant(object: JsonObject, field: VariantsField<string, Readonly<Record<string, Fields>>>, kind: string): JsonObject {
  const keep = Object.keys(field.variants[kind]!);
  return Object.fromEntries([[field.tag, kind], ...Object.entries(object).filter(([key]) => keep.includes(key))]);
}

/**
 * Sets one field in the JSON. On the way, an object the file left out starts from its default
 * (`optimizer.lr` on a file without an optimizer keeps `kind: sgd`), and a variant object follows
 * the setting: setting its tag (`controller.kind=fixed`) drops the keys the new kind does not have,
 * and, where the table allows it, setting a key only one kind has switches to that kind
 * (`controller.target` on a fixed controller makes it adaptive, as OpenRLHF's --kl_target does).
 */
function applyOne(json: JsonObject, setting: Resolved): { json: JsonObject; applied: Applied } {
  const keys = setting.path.split(".");
  const chain = fieldsAlong(setting.path)!;
  let variantPath: string | null = null;
  let node: Json | undefined = json;
  for (let k = 0; k < keys.length - 1; k++) {
    const prefix = keys.slice(0, k + 1).join(".");
    const field = chain[k]!;
    const found: Json | undefined = isObject(node) ? node[keys[k]!] : undefined;
    // a key under a field means an object there: `reference.logits` replaces probabilities given as an array
    let object: Json = isObject(found) ? found : found === undefined && isObject(field.options.default) ? (field.options.default as JsonObject) : {};
    if (field instanceof VariantsField) {
      const next = keys[k + 1]!;
      const last = k + 1 === keys.length - 1;
      const current = object[field.tag];
      if (next === field.tag && last && typeof setting.value === "string" && field.kinds.includes(setting.value)) {
        object = asVariant(object, field, setting.value);
        variantPath = prefix;
      } else if (next !== field.tag && typeof current === "string" && field.kinds.includes(current) && !Object.hasOwn(field.variants[current]!, next)) {
        const owners = field.variantsWith(next);
        if (field.switchOnKey && owners.length === 1) {
          object = asVariant(object, field, owners[0]!);
          variantPath = prefix;
        }
      }
    }
    if (object !== found) json = setPath(json, prefix, object);
    node = object;
  }
  return { json: setPath(json, setting.path, setting.value as Json), applied: { ...setting, variantPath } };
}

/** A setting that the scenario it lands in would ignore is an error, not a silent no-op. */
const IGNORED: ReadonlyArray<{ path: string; when: (spec: ScenarioSpec) => boolean; why: string }> = [
  { path: "beta", when: (spec) => spec.controller.kind === "schedule", why: "cannot override beta of a schedule controller (edit controller.expr instead)" },
  { path: "sampling", when: (spec) => spec.mode === "exact", why: "has no effect in exact mode (set mode=sampled or mode=expected too)" },
  { path: "sampling.kl_placement", when: (spec) => !spec.sequence, why: 'has no effect without a "sequence" block (use sampling.kl_in)' },
  { path: "sampling.aggregation", when: (spec) => !spec.sequence, why: 'has no effect without a "sequence" block' },
];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/** The error re-attributed to the setting that caused it, or null when no setting did (the file did). */
function blame(error: InputError, applied: readonly Applied[]): InputError | null {
  const field = error.field ?? "";
  for (const a of [...applied].reverse()) {
    if (under(field, a.path)) return new InputError(error.detail, a.label + field.slice(a.path.length));
    if (field !== "" && under(a.path, field)) return new InputError(error.detail, `${a.label}: ${field}`);
    if (a.variantPath !== null && under(field, a.variantPath)) return new InputError(error.detail, `${a.label}: ${field}`);
  }
  return null;
}

/** The error a setting caused, naming it: the setting at or above the field, or the one that picked the variant, else the last. */
function blameSettings(error: InputError, applied: readonly Applied[]): InputError {
  const culprit = blame(error, applied);
  if (culprit) return culprit;
  const last = applied[applied.length - 1]!;
  return new InputError(error.detail, error.field ? `${last.label}: ${error.field}` : last.label);
}

/**
 * Loads a scenario with settings applied in order (later ones win). The file must be a valid
 * scenario on its own (its errors are the file's: `scenarios/x.json: beta: …`); the settings then
 * change it, and what they break names the setting (`--set sampling.batch: must be ≥ 1, got 0`).
 */
export async function loadWithSettings(nameOrPath: string, settings: readonly Setting[], dir = SCENARIOS_DIR): Promise<Scenario> {
  const resolved = settings.map(resolve); // the command line's own mistakes first: unknown keys, bad alias values
  const { file, json: original } = readScenarioJson(nameOrPath, dir);
  const name = fallbackNameOf(file);
  let fromFile: Scenario;
  try {
    fromFile = await resolveScenario(parseScenarioSpec(original, name), file);
  } catch (error) {
    throw error instanceof InputError ? error.within(file) : error;
  }
  if (settings.length === 0) return fromFile;
  let json = original as JsonObject; // an object: the file alone validated
  const applied: Applied[] = [];
  for (const setting of resolved) {
    const step = applyOne(json, setting);
    json = step.json;
    applied.push(step.applied);
  }
  try {
    const spec = parseScenarioSpec(json, name);
    for (const rule of IGNORED) {
      const setting = applied.find((a) => under(a.path, rule.path));
      if (setting && rule.when(spec)) throw new InputError(rule.why, setting.label);
    }
    return await resolveScenario(spec, file, fromFile); // expressions the settings left alone are not evaluated again
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (error.field?.startsWith("--")) throw error; // already names its setting
    throw blameSettings(error, applied);
  }
}
