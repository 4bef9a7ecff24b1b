/**
 * Scenario values that name registry entries: a penalty of the divergence registry and an
 * estimator of the estimator registry. The field table (fields.ts) checks them with these, and
 * takes their JSON Schema from the registries too.
 */
import { DIVERGENCE_KINDS, parsePenalty } from "../core/divergences/registry.js";
import { ESTIMATOR_NAMES, estimatorNamed } from "../core/estimators.js";
import { InputError } from "../errors.js";
import { closest, describe, expectEnum } from "./validate.js";

/** A penalty name of the divergence registry ("alpha:0.5"); `quote` writes the choices as a scenario file (JSON strings) or a flag would. */
export function expectPenalty(value: unknown, field: string, quote: (name: string) => string = (name) => `"${name}"`): string {
  const text = typeof value === "string" ? value : undefined;
  const penalty = text === undefined ? undefined : parsePenalty(text);
  if (penalty && !("problem" in penalty)) return penalty.name;
  // a malformed α names what is wrong with A; anything else gets the choices and a did-you-mean
  if (penalty && text?.startsWith("alpha:")) throw new InputError(penalty.problem, field);
  const hint =
    text === undefined
      ? undefined
      : closest(
          text,
          DIVERGENCE_KINDS.map((k) => k.kind),
        );
  const got = field.startsWith("--") ? `'${text}'` : describe(value);
  throw new InputError(
    `expected one of ${DIVERGENCE_KINDS.map((k) => quote(k.syntax)).join(", ")}, got ${got}${hint ? ` (did you mean ${quote(hint)}?)` : ""}`,
    field,
  );
}

/** An estimator name or alias of the estimator registry, as its canonical name. */
export function expectEstimator(value: unknown, field: string): string {
  const name = expectEnum(value, ESTIMATOR_NAMES, field);
  return estimatorNamed(name)!.name;
}
