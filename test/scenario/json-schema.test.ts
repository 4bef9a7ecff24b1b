/**
 * scenario.schema.json against an independent JSON Schema validator (ajv, draft 2020-12): the
 * committed file is the one the field table generates, every shipped scenario passes both ajv and
 * the loader, the bad-scenario corpus is rejected by both (except the cases a JSON Schema cannot
 * express, listed with the reason), and on random one-field edits of real scenarios ajv and the
 * validator give the same verdict.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { scenarioJsonSchemaText } from "../../src/scenario/json-schema.js";
import { listScenarioNames, loadScenario, resolveScenario, SCENARIOS_DIR } from "../../src/scenario/loader.js";
import { parseScenarioSpec } from "../../src/scenario/schema.js";
import { ROOT } from "../cli/klsim.js";

const SCHEMA_TEXT = readFileSync(join(ROOT, "scenario.schema.json"), "utf8");
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(JSON.parse(SCHEMA_TEXT));
const CORPUS = join(ROOT, "test", "reliability", "corpus");

function shipped(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), "utf8"));
}

/** The validator's verdict on the JSON alone (no expression evaluated): "ok" or "rejected"; anything else throws. */
function validatorVerdict(json: unknown): "ok" | "rejected" {
  try {
    parseScenarioSpec(json, "x");
    return "ok";
  } catch (error) {
    if (error instanceof InputError) return "rejected";
    throw error;
  }
}

describe("scenario.schema.json", () => {
  it("is what the field table generates (run `npm run schema` after changing a field)", () => {
    expect(SCHEMA_TEXT).toBe(scenarioJsonSchemaText());
  });

  it("is a draft 2020-12 schema and ships with the package", () => {
    expect(JSON.parse(SCHEMA_TEXT).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("scenario.schema.json");
  });

  it.each(listScenarioNames())("shipped %s: points at the schema, and ajv and the loader accept it", async (name) => {
    const json = shipped(name);
    expect(json.$schema).toBe("../scenario.schema.json");
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    await expect(loadScenario(name)).resolves.toBeDefined();
  });
});

/**
 * Corpus cases ajv accepts, each for a reason a JSON Schema cannot state. Every other corpus file
 * that is JSON at all must be rejected by ajv. (Both lists are checked, so this one stays exact.)
 */
const BEYOND_SCHEMA: Record<string, string> = {
  "reference-sums-to-1.1": "a sum",
  "reference-sums-to-0.9": "a sum",
  "reference-sum-overflows": "a sum",
  "reference-weights-expr-negative": "an expression's value",
  "reference-logits-underflow": "a softmax underflowing",
  "reference-weights-overflow": "an expression's value",
  "length-mismatch-reward": "two arrays' lengths",
  "length-mismatch-tokens": "two arrays' lengths",
  "length-mismatch-gold": "two arrays' lengths",
  "length-mismatch-vocab": "an array's length against vocab",
  "missing-vocab-for-expressions": "vocab needed only when every vector is an expression",
  "expr-does-not-parse": "an expression's syntax",
  "expr-undefined-symbol": "an expression's symbols",
  "expr-nan": "an expression's value",
  "expr-complex": "an expression's value",
  "expr-matrix": "an expression's value",
  "expr-import": "an expression's functions",
  "expr-createUnit": "an expression's functions",
  "expr-evaluate": "an expression's functions",
  "expr-parse": "an expression's functions",
  "expr-simplify": "an expression's functions",
  "expr-constructor-escape": "an expression's syntax",
  "expr-bracket-constructor": "an expression's syntax",
  "expr-combinations-hang": "an expression's value",
  "expr-huge-value": "an expression's value",
  "expr-gold-nan": "an expression's value",
  "expr-reference-logits-complex": "an expression's value",
  "expr-schedule-negative": "an expression's value",
  "expr-schedule-unknown-symbol": "an expression's symbols",
  "fit-mixture-means-length": "a list's length against another field (components)",
  "fit-features-undefined-symbol": "an expression's symbols",
  "expr-too-costly": "an expression's evaluation cost",
  "sampling-step-too-costly": "a product of batch, epochs and V",
  "tokens-duplicate": "distinct array entries",
  "tokens-empty": "a blank string",
  "tokens-control-character": "control characters",
  // seen only in the file's text: JSON.parse keeps the last duplicate and turns 1e-400 into 0
  "duplicate-key-top-level": "the file's text",
  "duplicate-key-nested": "the file's text",
  "number-underflows-to-zero": "the file's text",
  "sampling-in-exact-mode": "a block the file gives but exact mode ignores",
};

/** Refused while reading the file (loader readScenarioJson), before the parsed value reaches the validator. */
const TEXT_LEVEL = new Set(["duplicate-key-top-level", "duplicate-key-nested", "number-underflows-to-zero", "sampling-in-exact-mode"]);

describe("the bad-scenario corpus", () => {
  const cases = readdirSync(CORPUS)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const text = readFileSync(join(CORPUS, f), "utf8");
      let json: unknown;
      let isJson = true;
      try {
        json = JSON.parse(text);
      } catch {
        isJson = false;
      }
      return { name: f.slice(0, -5), file: join(CORPUS, f), json, isJson };
    });

  it("has cases of every sort", () => {
    expect(cases.filter((c) => c.isJson && !(c.name in BEYOND_SCHEMA)).length).toBeGreaterThan(40);
    for (const name of Object.keys(BEYOND_SCHEMA)) expect(cases.some((c) => c.name === name)).toBe(true);
  });

  it.each(cases.filter((c) => c.isJson))("$name: the loader rejects it; ajv too unless the schema cannot say why", async ({ name, file, json }) => {
    await expect(loadScenario(file)).rejects.toBeInstanceOf(InputError);
    expect(validate(json)).toBe(name in BEYOND_SCHEMA);
    // what ajv accepts the validator's own field checks accept too: the loader's later steps reject it
    if (name in BEYOND_SCHEMA && !name.startsWith("length-mismatch") && name !== "missing-vocab-for-expressions" && !TEXT_LEVEL.has(name)) {
      expect(validatorVerdict(json)).toBe("ok");
      await expect(resolveScenario(parseScenarioSpec(json, "x"), file)).rejects.toBeInstanceOf(InputError);
    }
  });
});

/** Fields that the schema checks on their own (not the vectors, whose lengths must agree with each other). */
const PATHS = [
  "name",
  "description",
  "penalty",
  "beta",
  "controller",
  "controller.kind",
  "controller.target",
  "controller.horizon",
  "controller.expr",
  "optimizer",
  "optimizer.kind",
  "optimizer.lr",
  "optimizer.beta1",
  "optimizer.beta2",
  "optimizer.eps",
  "mode",
  "sampling",
  "sampling.batch",
  "sampling.algorithm",
  "sampling.estimator",
  "sampling.kl_in",
  "sampling.clip",
  "sampling.epochs",
  "steps",
  "seed",
  "gold",
  "unknown",
  "sampling.unknown",
  "$schema",
];

const VALUES: unknown[] = [
  undefined, // the key removed
  null,
  true,
  0,
  -0,
  1,
  -1,
  0.5,
  0.999,
  2.5,
  10,
  10.5,
  100,
  101,
  1e-9,
  1e6,
  1e7,
  1e9,
  1e10,
  2 ** 53 - 1,
  2 ** 53,
  "",
  " ",
  "x",
  "0.5",
  ...["reverse", "forward", "fixed", "adaptive", "schedule", "sgd", "adam", "exact", "sampled"],
  ...["reinforce", "ppo", "k1", "k2", "k3", "abs", "full", "kl", "mse", "low_var_kl", "reward", "loss", "k4"],
  "0.5 + 0*t",
  [],
  [1, 0, 0, 0],
  {},
  { kind: "fixed" },
  { kind: "adaptive", target: 0.3 },
  { kind: "adaptive", target: 0.3, horizon: 0 },
  { kind: "schedule", expr: "1" },
  { kind: "schedule" },
  { kind: "adam", lr: 0.1, beta1: 0.5 },
  { kind: "sgd", beta1: 0.5 },
  { batch: 8, estimator: "low_var_kl" },
  { batch: 0 },
  { expr: "i" },
];

function withValue(json: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, tail] = path.split(".") as [string, string | undefined];
  const copy = { ...json };
  if (tail === undefined) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = typeof copy[head] === "object" && copy[head] !== null && !Array.isArray(copy[head]) ? { ...(copy[head] as object) } : {};
  if (value === undefined) delete (inner as Record<string, unknown>)[tail];
  else (inner as Record<string, unknown>)[tail] = value;
  copy[head] = inner;
  return copy;
}

describe("ajv and the validator agree", () => {
  it("on random one- and two-field edits of the shipped scenarios", () => {
    const bases = listScenarioNames().map(shipped);
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom(...VALUES)), { minLength: 1, maxLength: 2 }),
        (base, edits) => {
          const json = edits.reduce((j, [path, value]) => withValue(j, path, value), base);
          const verdict = validatorVerdict(json);
          expect(validate(json) ? "ok" : "rejected", `${JSON.stringify(edits)}: ${JSON.stringify(validate.errors?.[0])}`).toBe(verdict);
          if (verdict === "ok") accepted++;
          else rejected++;
        },
      ),
      { numRuns: 3000, seed: 16 },
    );
    // both verdicts happen often, so the agreement says something
    expect(accepted).toBeGreaterThan(150);
    expect(rejected).toBeGreaterThan(300);
  });
});
