#!/usr/bin/env -S npx tsx
// Writes scenario.schema.json at the package root from the scenario field table (src/scenario/fields.ts).
// Run it (`npm run schema`) after changing a field; test/scenario/json-schema.test.ts fails until you do.
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SCHEMA_FILE, scenarioJsonSchemaText } from "../src/scenario/json-schema.js";

const path = resolve(dirname(fileURLToPath(import.meta.url)), "..", SCHEMA_FILE);
writeFileSync(path, scenarioJsonSchemaText());
console.log(`wrote ${path}`);
