/**
 * A fit scenario's student, resolved: the defaults that depend on V filled in (a bump in the middle;
 * K bumps spread evenly), list lengths checked against K or r, and a feature matrix evaluated from
 * its expression or drawn from its seed. Errors name the field (the loader adds the file).
 */
import { randomFeatures, type StudentConfig } from "../core/families/students.js";
import { InputError } from "../errors.js";
import { type FeaturesSpec, MAX_ABS_START, MIN_WIDTH, type StudentSpec } from "./student-fields.js";

/** Features beyond this make logits U·w overflow long before training could use them. */
const MAX_ABS_FEATURE = 1e6;

/** A list's entries must lie in [min, max] (widths and weights: positive, starting means: any). */
interface Range {
  min: number;
  max: number;
}
const WIDTHS: Range = { min: MIN_WIDTH, max: MAX_ABS_START };
const ANY: Range = { min: -MAX_ABS_START, max: MAX_ABS_START };

function listOf(values: number[] | null, length: number, fallback: (k: number) => number, field: string, range: Range): number[] {
  if (values === null) return Array.from({ length }, (_, k) => fallback(k));
  if (values.length !== length)
    throw new InputError(`has ${values.length} entries; expected ${length} (one per ${field.endsWith("init") ? "feature" : "component"})`, field);
  const bad = values.findIndex((v) => !(v >= range.min && v <= range.max));
  if (bad >= 0) throw new InputError(`entry ${bad} is ${values[bad]}; each must lie in [${range.min}, ${range.max}]`, field);
  return values;
}

export async function resolveStudent(spec: StudentSpec, V: number): Promise<StudentConfig> {
  switch (spec.family) {
    case "gaussian":
      return { family: "gaussian", mu: spec.mu ?? (V - 1) / 2, sigma: spec.sigma ?? V / 4 };
    case "mixture": {
      const K = spec.components;
      return {
        family: "mixture",
        weights: listOf(spec.weights, K, () => 1 / K, "student.weights", WIDTHS),
        means: listOf(spec.means, K, (k) => ((k + 0.5) * V) / K - 0.5, "student.means", ANY),
        sigmas: listOf(spec.sigmas, K, () => V / (4 * K), "student.sigmas", WIDTHS),
      };
    }
    case "lowrank": {
      const r = spec.rank;
      const features = spec.features ? await resolveFeatures(spec.features, V, r) : randomFeatures(V, r, spec.seed);
      return { family: "lowrank", features, init: listOf(spec.init, r, () => 0, "student.init", ANY) };
    }
  }
}

async function resolveFeatures(features: FeaturesSpec, V: number, r: number): Promise<Float64Array> {
  const out = new Float64Array(V * r);
  if ("rows" in features) {
    if (features.rows.length !== V) throw new InputError(`has ${features.rows.length} rows; expected one per token (${V})`, "student.features");
    features.rows.forEach((row, i) => {
      if (row.length !== r) throw new InputError(`has ${row.length} entries; expected the rank (${r})`, `student.features[${i}]`);
      row.forEach((x, k) => {
        if (Math.abs(x) > MAX_ABS_FEATURE) throw new InputError(`entry ${k} is ${x}; features must lie within ±1e6`, `student.features[${i}]`);
        out[i * r + k] = x;
      });
    });
    return out;
  }
  const { compileExpression, checkExpressionWork, ExpressionError } = await import("./expressions.js");
  try {
    const f = await compileExpression(features.expr, ["i", "k", "V"]);
    checkExpressionWork(f.cost, V * r, "features (V × rank)");
    for (let i = 0; i < V; i++) {
      for (let k = 0; k < r; k++) {
        const x = f({ i, k, V });
        if (Math.abs(x) > MAX_ABS_FEATURE)
          throw new InputError(`evaluates to ${x} at i = ${i}, k = ${k}; features must lie within ±1e6`, "student.features.expr");
        out[i * r + k] = x;
      }
    }
    return out;
  } catch (error) {
    if (error instanceof ExpressionError) throw new InputError(error.message, "student.features.expr");
    throw error;
  }
}
