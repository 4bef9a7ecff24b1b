/**
 * The fields of fit mode (DESIGN §3 "Fit scenarios"): the teacher distribution and the restricted
 * student that is fitted to it, one entry per setting like the rest of the table (fields.ts). The
 * defaults that depend on V (a bump in the middle, means spread evenly) are filled by the loader.
 */
import { STUDENT_NAMES } from "../core/families/students.js";
import { InputError } from "../errors.js";
import {
  type AnyField,
  Field,
  type JsonSchema,
  NumberField,
  NumberListField,
  OptionalField,
  ReferenceField,
  type ReferenceSpec,
  StringField,
  VariantsField,
  type VectorSpec,
} from "./field-kinds.js";
import type { RewardSpec } from "./sequence-fields.js";
import { expectKeys, expectNumberArray, expectString, isObject } from "./validate.js";

export const MAX_COMPONENTS = 16;
export const MAX_RANK = 256;

/** A V×r feature matrix given literally (V rows of r numbers) or as an expression of i (token), k (feature) and V. */
export type FeaturesSpec = { rows: number[][] } | { expr: string };

class FeaturesField extends Field<FeaturesSpec> {
  constructor(private readonly maxExprLength: number) {
    super({
      doc: "the fixed V×r feature matrix U: V rows of r numbers, or { expr } of i (token), k (feature, 0-based) and V; default: N(0, 1/r) entries from `seed`",
    });
  }
  protected parse(value: unknown, path: string): FeaturesSpec {
    if (Array.isArray(value)) return { rows: value.map((row, i) => expectNumberArray(row, `${path}[${i}]`)) };
    if (isObject(value)) {
      expectKeys(value, ["expr"], path);
      const expr = expectString(value.expr, `${path}.expr`);
      if (expr.trim() === "") throw new InputError("must not be empty", `${path}.expr`);
      return { expr };
    }
    throw new InputError('expected V rows of numbers or { "expr": "..." }', path);
  }
  protected valueSchema(): JsonSchema {
    return {
      oneOf: [
        { type: "array", items: { type: "array", items: { type: "number" }, minItems: 1, maxItems: MAX_RANK } },
        {
          type: "object",
          properties: { expr: { type: "string", pattern: "\\S", maxLength: this.maxExprLength } },
          required: ["expr"],
          additionalProperties: false,
        },
      ],
    };
  }
  override children(): Readonly<Record<string, AnyField>> {
    return { expr: new StringField({ doc: "an expression of i, k and V", nonEmpty: true }) };
  }
}

/** Starting values beyond these make the first logits overflow (σ → 0: 1/σ² = ∞) instead of teaching anything. */
export const MAX_ABS_START = 1e6;
export const MIN_WIDTH = 1e-6;
const width = (doc: string) => new OptionalField(new NumberField({ min: MIN_WIDTH, max: MAX_ABS_START }, { doc }));
const list = (doc: string) => new OptionalField(new NumberListField({ doc }));

export function teacherField(length: { min: number; max: number }, maxExprLength: number): OptionalField<ReturnType<ReferenceField["check"]>> {
  return new OptionalField(
    new ReferenceField({
      doc: "fit mode: the teacher distribution the student is fitted to: probabilities, { logits: [...] } or { expr: ..., as: weights | logits }",
      length,
      maxExprLength,
    }),
  );
}

export function studentField(maxExprLength: number) {
  return new OptionalField(
    new VariantsField(
      "family",
      {
        gaussian: {
          mu: new OptionalField(
            new NumberField({ min: -MAX_ABS_START, max: MAX_ABS_START }, { doc: "the starting mean μ over the token index (default (V − 1)/2)" }),
          ),
          sigma: width("the starting width σ in tokens, 1e-6 to 1e6 (default V/4)"),
        },
        mixture: {
          components: new NumberField({ integer: true, min: 1, max: MAX_COMPONENTS }, { doc: "the number K of bumps", default: 2 }),
          weights: list("the starting mixture weights, K numbers from 1e-6 to 1e6, normalised (default equal)"),
          means: list("the starting means, K numbers within ±1e6 (default spread evenly over the tokens)"),
          sigmas: list("the starting widths, K numbers from 1e-6 to 1e6 (default V/(4K))"),
        },
        lowrank: {
          rank: new NumberField({ integer: true, min: 1, max: MAX_RANK }, { doc: "the rank r: logits = U·w with U fixed, V×r" }),
          features: new OptionalField(new FeaturesField(maxExprLength)),
          seed: new NumberField({ integer: true, min: 0, max: 2 ** 32 - 1 }, { doc: "the seed of the random features when none are given", default: 1 }),
          init: list("the starting w, r numbers within ±1e6 (default 0: the uniform distribution)"),
        },
      } satisfies Record<(typeof STUDENT_NAMES)[number], unknown>,
      { doc: `fit mode: the restricted student fitted to the teacher: ${STUDENT_NAMES.join(", ")}` },
    ),
  );
}

/**
 * The JSON Schema of what no single field says: fit mode needs a teacher and a student and has no
 * reference or reward; the other modes need a reference and a reward and have no teacher or student.
 */
export const FIT_MODE_SCHEMA: JsonSchema = {
  if: { properties: { mode: { const: "fit" } }, required: ["mode"] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's own keyword
  then: { required: ["teacher", "student"], properties: { teacher: true, student: true, reference: false, reward: false, gold: false } },
  else: { required: ["reference", "reward"], properties: { reference: true, reward: true, teacher: false, student: false } },
};

/** The student's settings as checked (before the loader fills the defaults that depend on V). */
export type StudentSpec = NonNullable<ReturnType<ReturnType<typeof studentField>["check"]>>;

interface ModeFields {
  mode: string;
  reference: ReferenceSpec | null;
  reward: RewardSpec | null;
  gold: RewardSpec | null;
  teacher: ReferenceSpec | null;
  student: StudentSpec | null;
  sequence: unknown;
}

/** What fit mode needs but no reward; π_ref is the teacher and r = 0 (J = −β·D(student, teacher)). */
const NO_REWARD: VectorSpec = { expr: "0" };

/**
 * The reference and reward a scenario trains against, by mode: the given ones, or in fit mode the
 * teacher and no reward. Each field of the other mode is refused by name.
 */
export function modeFieldsOf(values: ModeFields): { reference: ReferenceSpec; reward: RewardSpec } {
  if (values.mode === "fit") {
    if (values.sequence !== null) throw new InputError("not used in fit mode (a student is a distribution over single tokens)", "sequence");
    for (const key of ["reference", "reward", "gold"] as const) {
      if (values[key] !== null) throw new InputError(`not used in fit mode (the student is fitted to "teacher"; there is no reward)`, key);
    }
    if (!values.teacher) throw new InputError("missing (required in fit mode: the distribution the student is fitted to)", "teacher");
    if (!values.student) throw new InputError(`missing (required in fit mode: { "family": ${STUDENT_NAMES.map((n) => `"${n}"`).join(" | ")}, … })`, "student");
    return { reference: values.teacher, reward: NO_REWARD };
  }
  for (const key of ["teacher", "student"] as const) {
    if (values[key] !== null) throw new InputError(`only for "mode": "fit" (this scenario's mode is "${values.mode}")`, key);
  }
  if (!values.reference) throw new InputError("missing (required)", "reference");
  if (!values.reward) throw new InputError("missing (required)", "reward");
  return { reference: values.reference, reward: values.reward };
}
