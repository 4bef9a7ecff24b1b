/**
 * scenario.schema.json, the JSON Schema (draft 2020-12) editors use to check and complete scenario
 * files, generated from the field table (fields.ts) so that it and the validator cannot drift:
 * `npm run schema` writes it, and a test fails when the committed file is not what this returns.
 * The schema checks every field's type, range and names; what only the loader can check (that
 * probabilities sum to 1, that arrays agree on V, what an expression evaluates to) it cannot.
 */
import { SCENARIO } from "./fields.js";

/** The file name, at the package root; shipped scenarios point at it with "$schema". */
export const SCHEMA_FILE = "scenario.schema.json";

export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "klsim scenario",
    ...SCENARIO.schema(),
  };
}

/** The schema as the committed file holds it. */
export function scenarioJsonSchemaText(): string {
  return JSON.stringify(scenarioJsonSchema(), null, 2) + "\n";
}
