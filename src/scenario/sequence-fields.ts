/**
 * The scenario fields of sequence mode (DESIGN §3 "Sequence scenarios"): the `sequence` block and
 * the reward given as a table of sequences. fields.ts lists them with the others.
 */
import { CONTROLLER_KLS } from "../core/controllers.js";
import { AGGREGATIONS } from "../core/sequence/aggregations.js";
import { KL_PLACEMENTS } from "../core/sequence/placements.js";
import { InputError } from "../errors.js";
import {
  type AnyField,
  EnumField,
  Field,
  type FieldOptions,
  type JsonSchema,
  NumberField,
  ObjectField,
  OptionalField,
  StringField,
  VectorField,
  type VectorOptions,
  type VectorSpec,
} from "./field-kinds.js";
import { describe, expectKeys, expectNumber, isObject } from "./validate.js";

/** Most prefixes (logit rows) a sequence scenario may have. */
export const MAX_SEQUENCE_PREFIXES = 100_000;
/** Most complete sequences a sequence scenario may have (each has a reward, a probability, …). */
export const MAX_SEQUENCES = 1_000_000;
export const MAX_HORIZON = 64;

/** A reward of whole sequences by table: space-joined token names (without eos) → value, others `default`. */
export type TableSpec = { table: Record<string, number>; default: number };
/** A reward: per token (bandit), an expression, or (sequences) a table. */
export type RewardSpec = VectorSpec | TableSpec;

export const SEQUENCE = new OptionalField(
  new ObjectField(
    {
      horizon: new NumberField(
        { integer: true, min: 1, max: MAX_HORIZON },
        { doc: `the most tokens a sequence has, T (the tree has at most ${MAX_SEQUENCE_PREFIXES} prefixes)` },
      ),
      eos: new OptionalField(new StringField({ doc: "the end-of-sequence token's name (without it every sequence has length T)", nonEmpty: true }), true),
    },
    {
      doc: "sequence mode: a tabular autoregressive policy over sequences of at most `horizon` tokens; reference by expression of i, t, prev; reward of L, count(k), at(t) or a table",
    },
  ),
);

export const KL_PLACEMENT = new EnumField(
  KL_PLACEMENTS.map((p) => p.name),
  {
    doc: "sequence mode: where β·k enters — token-reward (per token, return-to-go: PPO-RLHF), sequence-reward (summed: RLOO), token-loss (GRPO), sequence-loss (k of the summed log-ratio)",
    default: "token-reward",
  },
);

export const AGGREGATION = new EnumField(
  AGGREGATIONS.map((a) => a.name),
  { doc: "sequence mode: how tokens are averaged over the batch — sum (TRL dr_grpo), token-mean (bnpo, DAPO), sequence-mean (grpo)", default: "sum" },
);

export const CONTROLLER_KL = new OptionalField(
  new EnumField(CONTROLLER_KLS, { doc: "sequence mode: which KL the adaptive controller steers — sequence (default) or token-mean (verl)" }),
  true,
);

/** A reward per token or an expression (VectorField), or — sequence mode — `{ "table": {"a b": 1}, "default": 0 }`. */
export class RewardField extends Field<RewardSpec> {
  readonly inner: VectorField;
  constructor(readonly vector: VectorOptions) {
    super(vector as FieldOptions<RewardSpec>);
    this.inner = new VectorField(vector);
  }
  protected parse(value: unknown, path: string): RewardSpec {
    if (isObject(value) && "table" in value) {
      expectKeys(value, ["table", "default"], path);
      const table = value.table;
      if (!isObject(table)) throw new InputError(`expected an object of "tokens": value, got ${describe(table)}`, `${path}.table`);
      const out: Record<string, number> = {};
      for (const [key, entry] of Object.entries(table)) {
        const v = expectNumber(entry, `${path}.table.${JSON.stringify(key)}`);
        if (!(Math.abs(v) <= this.vector.maxAbs))
          throw new InputError(`is ${v}; rewards must lie within ±${this.vector.maxAbs}`, `${path}.table.${JSON.stringify(key)}`);
        out[key] = v;
      }
      const fallback = value.default === undefined ? 0 : expectNumber(value.default, `${path}.default`);
      if (!(Math.abs(fallback) <= this.vector.maxAbs))
        throw new InputError(`is ${fallback}; rewards must lie within ±${this.vector.maxAbs}`, `${path}.default`);
      return { table: out, default: fallback };
    }
    return this.inner.check(value, path);
  }
  protected valueSchema(): JsonSchema {
    const base = this.inner.schema() as { oneOf: JsonSchema[] };
    const { maxAbs } = this.vector;
    const number = { type: "number", minimum: -maxAbs, maximum: maxAbs };
    const table = {
      type: "object",
      description: "sequence mode: rewards of whole sequences keyed by space-joined token names (without eos); the others get default",
      properties: { table: { type: "object", additionalProperties: number }, default: { ...number, default: 0 } },
      required: ["table"],
      additionalProperties: false,
    };
    return { oneOf: [...base.oneOf, table] };
  }
  override children(): Readonly<Record<string, AnyField>> {
    return this.inner.children();
  }
}
