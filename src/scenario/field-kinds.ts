/**
 * The kinds of field a scenario is made of (a number with a range, a name from a list, an object of
 * fields, an object whose `kind` picks its fields, …). Each kind knows three things: how to check a
 * value from a file (with the one-line errors of validate.ts), its JSON Schema (draft 2020-12, for
 * scenario.schema.json), and its named sub-fields (the dotted paths `--set` accepts). The scenario
 * itself is a table of these (fields.ts), so a new setting is one entry there.
 */
import { InputError } from "../errors.js";
import {
  expectBoundedNumber,
  expectEnum,
  expectKeys,
  expectNumberArray,
  expectObject,
  expectString,
  expectStringArray,
  isObject,
  type NumberRule,
} from "./validate.js";

export type JsonSchema = { [key: string]: unknown };

export interface FieldOptions<T> {
  /** One line for editors (the JSON Schema's description) and for `--set` users. */
  doc: string;
  /** The value of a missing key (checked like a given one). Without it the key is mandatory. */
  default?: T;
}

/** A field whose checked value is a T. */
export abstract class Field<T> {
  constructor(readonly options: FieldOptions<T>) {}

  get doc(): string {
    return this.options.doc;
  }

  /** Whether a file must give the key (no default, not optional). */
  get mandatory(): boolean {
    return this.options.default === undefined;
  }

  /** The checked value of `value` at `path` (undefined: the key is missing). */
  check(value: unknown, path: string): T {
    if (value === undefined && this.options.default !== undefined) return this.parse(this.options.default, path);
    return this.parse(value, path);
  }

  /** Checks a value; `undefined` means the key is missing and gets this kind's "got nothing" error. */
  protected abstract parse(value: unknown, path: string): T;

  /** The JSON Schema of a value, without description and default. */
  protected abstract valueSchema(): JsonSchema;

  schema(): JsonSchema {
    const schema: JsonSchema = { description: this.doc, ...this.valueSchema() };
    if (this.options.default !== undefined) schema.default = this.options.default;
    return schema;
  }

  /** Named sub-fields, reachable as `path.key`. */
  children(): Readonly<Record<string, AnyField>> {
    return {};
  }

  /** Whether the value is text: `--set controller.expr=0.5` then means the text "0.5", not the number. */
  get textual(): boolean {
    return false;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a field of any value type, for tables and walks
export type AnyField = Field<any>;
/** The checked value type of a field. */
export type ValueOf<F> = F extends Field<infer T> ? T : never;

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A finite number within a range (NumberRule: min, above, max, below, integer). */
export class NumberField extends Field<number> {
  constructor(
    readonly rule: NumberRule,
    options: FieldOptions<number>,
  ) {
    super(options);
  }
  protected parse(value: unknown, path: string): number {
    return expectBoundedNumber(value, this.rule, path);
  }
  protected valueSchema(): JsonSchema {
    const r = this.rule;
    const schema: JsonSchema = { type: r.integer ? "integer" : "number" };
    if (r.min !== undefined) schema.minimum = r.min;
    if (r.above !== undefined) schema.exclusiveMinimum = r.above;
    if (r.max !== undefined) schema.maximum = r.max;
    if (r.below !== undefined) schema.exclusiveMaximum = r.below;
    return schema;
  }
}

export interface StringOptions extends FieldOptions<string> {
  /** Refuse "" and blanks. */
  nonEmpty?: boolean;
  /** At most this many characters (the JSON Schema says so; the checker that owns the limit reports it). */
  maxLength?: number;
}

export class StringField extends Field<string> {
  constructor(readonly stringOptions: StringOptions) {
    super(stringOptions);
  }
  override get textual(): boolean {
    return true;
  }
  protected parse(value: unknown, path: string): string {
    const text = expectString(value, path);
    if (this.stringOptions.nonEmpty && text.trim() === "") throw new InputError("must not be empty", path);
    return text;
  }
  protected valueSchema(): JsonSchema {
    const schema: JsonSchema = { type: "string" };
    if (this.stringOptions.nonEmpty) schema.pattern = "\\S";
    if (this.stringOptions.maxLength !== undefined) schema.maxLength = this.stringOptions.maxLength;
    return schema;
  }
}

/** One of a list of names. */
export class EnumField<T extends string> extends Field<T> {
  constructor(
    readonly names: readonly T[],
    options: FieldOptions<NoInfer<T>>,
  ) {
    super(options);
  }
  protected parse(value: unknown, path: string): T {
    return expectEnum(value, this.names, path);
  }
  protected valueSchema(): JsonSchema {
    return { enum: [...this.names] };
  }
}

/** What checks a name from a registry (a penalty, an estimator) and says in JSON Schema which names it takes. */
export interface NameRegistry {
  /** The canonical name for `value` at `path`, or an InputError. */
  check(value: unknown, path: string): string;
  schema(): JsonSchema;
}

/** A name a registry checks: "alpha:0.5" (divergences), "low_var_kl" (estimators, canonical "k3"). */
export class NameField extends Field<string> {
  constructor(
    readonly registry: NameRegistry,
    options: FieldOptions<string>,
  ) {
    super(options);
  }
  protected parse(value: unknown, path: string): string {
    return this.registry.check(value, path);
  }
  protected valueSchema(): JsonSchema {
    return this.registry.schema();
  }
}

/** A list of strings with a length range. */
export class StringListField extends Field<string[]> {
  constructor(
    readonly length: { min: number; max: number },
    options: FieldOptions<string[]>,
  ) {
    super(options);
  }
  protected parse(value: unknown, path: string): string[] {
    return expectStringArray(value, path);
  }
  protected valueSchema(): JsonSchema {
    return { type: "array", items: { type: "string" }, minItems: this.length.min, maxItems: this.length.max };
  }
}

/** A list of finite numbers (a sub-field of a vector, for dotted paths and docs). */
export class NumberListField extends Field<number[]> {
  protected parse(value: unknown, path: string): number[] {
    return expectNumberArray(value, path);
  }
  protected valueSchema(): JsonSchema {
    return { type: "array", items: { type: "number" } };
  }
}

/** A field a file may leave out (or, when `nullable`, give as null): its value is then null. */
export class OptionalField<T> extends Field<T | null> {
  constructor(
    readonly inner: Field<T>,
    readonly nullable = false,
  ) {
    super({ doc: inner.doc });
  }
  override get mandatory(): boolean {
    return false;
  }
  override check(value: unknown, path: string): T | null {
    if (value === undefined || (this.nullable && value === null)) return null;
    return this.inner.check(value, path);
  }
  protected parse(value: unknown, path: string): T | null {
    return this.inner.check(value, path);
  }
  protected valueSchema(): JsonSchema {
    const schema = this.inner.schema();
    return this.nullable ? { anyOf: [schema, { type: "null" }] } : schema;
  }
  override schema(): JsonSchema {
    return this.valueSchema();
  }
  override children(): Readonly<Record<string, AnyField>> {
    return this.inner.children();
  }
  override get textual(): boolean {
    return this.inner.textual;
  }
}

export type Fields = Readonly<Record<string, AnyField>>;
/** The checked value of an object of fields. */
export type ValuesOf<S extends Fields> = { [K in keyof S]: ValueOf<S[K]> };

function fieldsSchema(fields: Fields, extra: JsonSchema = {}): JsonSchema {
  const properties: JsonSchema = { ...extra };
  for (const [key, field] of Object.entries(fields)) properties[key] = field.schema();
  const required = Object.entries(fields)
    .filter(([, field]) => field.mandatory)
    .map(([key]) => key);
  return { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

function checkFields<S extends Fields>(object: Record<string, unknown>, fields: S, path: string): ValuesOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) out[key] = field.check(object[key], join(path, key));
  return out as ValuesOf<S>;
}

/** An object of named fields; unknown keys are errors (with a did-you-mean). `also`: JSON Schema of what spans fields. */
export class ObjectField<S extends Fields> extends Field<ValuesOf<S>> {
  constructor(
    readonly fields: S,
    options: FieldOptions<unknown> & { also?: JsonSchema },
  ) {
    super(options as FieldOptions<ValuesOf<S>>);
    this.also = options.also ?? {};
  }
  private readonly also: JsonSchema;
  protected parse(value: unknown, path: string): ValuesOf<S> {
    const object = expectObject(value, path);
    expectKeys(object, Object.keys(this.fields), path);
    return checkFields(object, this.fields, path);
  }
  protected valueSchema(): JsonSchema {
    return { ...fieldsSchema(this.fields), ...this.also };
  }
  override children(): Readonly<Record<string, AnyField>> {
    return this.fields;
  }
}

type VariantValues<V extends Readonly<Record<string, Fields>>, Tag extends string> = {
  [K in keyof V & string]: { [T in Tag]: K } & ValuesOf<V[K]>;
}[keyof V & string];

/**
 * An object whose `tag` key (e.g. `kind`) picks which other keys it has: `{ "kind": "adaptive",
 * "target": 0.3, "horizon": 100 }`. `switchOnKey`: a dotted `--set` of a key only one variant has
 * (controller.target) switches the tag to that variant.
 */
export class VariantsField<Tag extends string, V extends Readonly<Record<string, Fields>>> extends Field<VariantValues<V, Tag>> {
  constructor(
    readonly tag: Tag,
    readonly variants: V,
    options: FieldOptions<unknown> & { switchOnKey?: boolean },
  ) {
    super(options as FieldOptions<VariantValues<V, Tag>>);
    this.switchOnKey = options.switchOnKey ?? false;
  }
  readonly switchOnKey: boolean;

  get kinds(): string[] {
    return Object.keys(this.variants);
  }

  /** The variants that have `key` (the tag is in all). */
  variantsWith(key: string): string[] {
    return this.kinds.filter((kind) => Object.hasOwn(this.variants[kind]!, key));
  }

  protected parse(value: unknown, path: string): VariantValues<V, Tag> {
    const object = expectObject(value, path);
    const kind = expectEnum(object[this.tag], this.kinds, join(path, this.tag));
    const fields = this.variants[kind]!;
    const allowed = [this.tag, ...Object.keys(fields)];
    for (const key of Object.keys(object)) {
      if (allowed.includes(key)) continue;
      const others = this.variantsWith(key);
      if (others.length === 0) expectKeys(object, allowed, path); // throws: unknown to every variant
      const which = others.map((k) => `"${k}"`).join(" or ");
      throw new InputError(`unknown key for ${this.tag} "${kind}" (${this.tag} ${which} has it); allowed: ${allowed.join(", ")}`, join(path, key));
    }
    return { [this.tag]: kind, ...checkFields(object, fields, path) } as VariantValues<V, Tag>;
  }

  protected valueSchema(): JsonSchema {
    return {
      type: "object",
      properties: { [this.tag]: { enum: this.kinds } },
      required: [this.tag],
      oneOf: this.kinds.map((kind) => fieldsSchema(this.variants[kind]!, { [this.tag]: { const: kind } })),
    };
  }

  override children(): Readonly<Record<string, AnyField>> {
    const all: Record<string, AnyField> = { [this.tag]: new EnumField(this.kinds, { doc: `which ${this.tag}: ${this.kinds.join(", ")}` }) };
    for (const kind of this.kinds) for (const [key, field] of Object.entries(this.variants[kind]!)) all[key] ??= field;
    return all;
  }
}

/** A vector given literally or as an expression of i (0-based token index) and V. */
export type VectorSpec = { values: number[] } | { expr: string };

function exprSchema(maxLength: number): JsonSchema {
  return { type: "string", pattern: "\\S", maxLength, description: "a mathjs expression (sandboxed: arithmetic and numeric functions)" };
}

function numbersSchema(length: { min: number; max: number }, items: JsonSchema): JsonSchema {
  return { type: "array", items: { type: "number", ...items }, minItems: length.min, maxItems: length.max };
}

const EXPR_KEYS = ["expr"] as const;

function exprOf(object: Record<string, unknown>, path: string, keys: readonly string[]): string {
  expectKeys(object as never, keys, path);
  const expr = expectString(object.expr, `${path}.expr`);
  if (expr.trim() === "") throw new InputError("must not be empty", `${path}.expr`);
  return expr;
}

export interface VectorOptions extends FieldOptions<VectorSpec> {
  /** Entries lie within ±maxAbs (enforced by the loader once expressions are evaluated; stated in the JSON Schema). */
  maxAbs: number;
  length: { min: number; max: number };
  maxExprLength: number;
}

/** A per-token vector: `[1, 0, 0]` or `{ "expr": "..." }`. */
export class VectorField extends Field<VectorSpec> {
  constructor(readonly vector: VectorOptions) {
    super(vector);
  }
  protected parse(value: unknown, path: string): VectorSpec {
    if (value === undefined) throw new InputError("missing (required)", path);
    if (Array.isArray(value)) return { values: expectNumberArray(value, path) };
    if (isObject(value)) return { expr: exprOf(value, path, EXPR_KEYS) };
    throw new InputError(`expected an array of numbers or { "expr": "..." }, got ${JSON.stringify(value)?.slice(0, 40) ?? String(value)}`, path);
  }
  protected valueSchema(): JsonSchema {
    const { maxAbs, length, maxExprLength } = this.vector;
    return {
      oneOf: [
        numbersSchema(length, { minimum: -maxAbs, maximum: maxAbs }),
        { type: "object", properties: { expr: exprSchema(maxExprLength) }, required: ["expr"], additionalProperties: false },
      ],
    };
  }
  override children(): Readonly<Record<string, AnyField>> {
    return { expr: new StringField({ doc: "an expression of i (0-based token index) and V", nonEmpty: true }) };
  }
}

/** π_ref as probabilities, as logits, or as an expression of positive weights (or logits). */
export type ReferenceSpec = { probabilities: number[] } | { logits: number[] } | { expr: string; as: "weights" | "logits" };

const REFERENCE_AS = ["weights", "logits"] as const;

/** The reference policy: probabilities `[…]`, `{ "logits": […] }` or `{ "expr": "...", "as": "weights" | "logits" }`. */
export class ReferenceField extends Field<ReferenceSpec> {
  constructor(readonly vector: Omit<VectorOptions, "maxAbs" | keyof FieldOptions<VectorSpec>> & FieldOptions<ReferenceSpec>) {
    super(vector);
  }
  protected parse(value: unknown, path: string): ReferenceSpec {
    if (value === undefined) throw new InputError("missing (required)", path);
    if (Array.isArray(value)) return { probabilities: expectNumberArray(value, path) };
    if (isObject(value)) {
      if ("logits" in value) {
        expectKeys(value, ["logits"], path);
        return { logits: expectNumberArray(value.logits, `${path}.logits`) };
      }
      if ("expr" in value) {
        const expr = exprOf(value, path, ["expr", "as"]);
        return { expr, as: value.as === undefined ? "weights" : expectEnum(value.as, REFERENCE_AS, `${path}.as`) };
      }
      expectKeys(value, ["logits", "expr", "as"], path);
    }
    throw new InputError('expected probabilities [...], { "logits": [...] } or { "expr": "..." }', path);
  }
  protected valueSchema(): JsonSchema {
    const { length, maxExprLength } = this.vector;
    return {
      oneOf: [
        { ...numbersSchema(length, { exclusiveMinimum: 0 }), description: "probabilities, each > 0, summing to 1" },
        { type: "object", properties: { logits: numbersSchema(length, {}) }, required: ["logits"], additionalProperties: false },
        {
          type: "object",
          properties: { expr: exprSchema(maxExprLength), as: { enum: REFERENCE_AS, default: "weights" } },
          required: ["expr"],
          additionalProperties: false,
        },
      ],
    };
  }
  override children(): Readonly<Record<string, AnyField>> {
    return {
      logits: new NumberListField({ doc: "π_ref as logits (softmax-normalised)" }),
      expr: new StringField({ doc: "an expression of i and V giving positive weights (or logits)", nonEmpty: true }),
      as: new EnumField(REFERENCE_AS, { doc: "whether expr gives weights (normalised) or logits", default: "weights" }),
    };
  }
}
