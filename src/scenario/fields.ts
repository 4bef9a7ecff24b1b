/**
 * Every field of a scenario file (DESIGN.md §3), one entry each: its path, type, range or names,
 * default and a one-line doc. The validator (schema.ts), scenario.schema.json (json-schema.ts) and
 * the paths `--set` accepts (settings.ts) all read this table, so adding a setting is one entry.
 */
import { DEFAULT_PENALTY, PENALTY_SYNTAX, penaltyJsonSchema } from "../core/divergences/registry.js";
import { BASELINES } from "../core/baselines.js";
import { DEFAULT_ESTIMATOR, ESTIMATOR_NAMES } from "../core/estimators.js";
import { MAX_EXPRESSION_LENGTH } from "./expressions.js";
import {
  EnumField,
  NameField,
  NumberField,
  ObjectField,
  OptionalField,
  ReferenceField,
  StringField,
  StringListField,
  VariantsField,
  type NameRegistry,
  type ValueOf,
} from "./field-kinds.js";
import { expectEstimator, expectPenalty } from "./registry-names.js";
import { AGGREGATION, CONTROLLER_KL, KL_PLACEMENT, RewardField, SEQUENCE } from "./sequence-fields.js";
import { FIT_MODE_SCHEMA, studentField, teacherField } from "./student-fields.js";

export const MIN_VOCAB = 2;
export const MAX_VOCAB = 65_536;
export const MAX_STEPS = 1_000_000_000;
/** Rewards beyond ±1e300 let E_π[r] (a sum of V ≤ 65 536 terms) overflow to ±Infinity at step 0. */
export const MAX_ABS_REWARD = 1e300;

export const MODES = ["exact", "sampled", "expected", "fit"] as const;
export const ALGORITHMS = ["reinforce", "ppo"] as const;
export const KL_IN = ["reward", "loss"] as const;
export const OPTIMIZERS = ["sgd", "adam"] as const;

const VOCAB = { min: MIN_VOCAB, max: MAX_VOCAB };
/** The divergence registry's names (src/core/divergences/registry.ts). */
const PENALTY_REGISTRY: NameRegistry = { check: (value, path) => expectPenalty(value, path), schema: penaltyJsonSchema };
/** The estimator registry's names and aliases, checked to the canonical name (src/core/estimators.ts). */
const ESTIMATOR_REGISTRY: NameRegistry = { check: expectEstimator, schema: () => ({ enum: [...ESTIMATOR_NAMES] }) };
const vector = (doc: string) => new RewardField({ doc, maxAbs: MAX_ABS_REWARD, length: VOCAB, maxExprLength: MAX_EXPRESSION_LENGTH });
const positive = (doc: string, fallback?: number) => new NumberField({ above: 0 }, fallback === undefined ? { doc } : { doc, default: fallback });
const unitInterval = (doc: string, fallback: number) => new NumberField({ min: 0, below: 1 }, { doc, default: fallback });

export const SAMPLING = new ObjectField(
  {
    batch: new NumberField({ integer: true, min: 1, max: 1_000_000 }, { doc: "tokens drawn from π per step (B)", default: 64 }),
    algorithm: new EnumField(ALGORITHMS, { doc: "policy-gradient estimator: REINFORCE, or PPO's clipped ratio over several epochs", default: "reinforce" }),
    estimator: new NameField(ESTIMATOR_REGISTRY, {
      doc: "per-sample KL estimator (Schulman 2020): k1 = ℓ, k2 = ℓ²/2, k3 = e^(−ℓ) − 1 + ℓ, rho-k3 = ρ·k3, abs = |ℓ|, full = the exact KL; verl's kl, mse, low_var_kl too",
      default: DEFAULT_ESTIMATOR,
    }),
    kl_in: new EnumField(KL_IN, { doc: "where β·k enters: subtracted from each sample's reward (PPO-RLHF), or added to the loss (GRPO)", default: "reward" }),
    baseline: new EnumField(
      BASELINES.map((b) => b.name),
      {
        doc: "what each sample's return is compared with: loo (leave-one-out, RLOO; unbiased), mean (the batch mean with the sample itself: biased by (B−1)/B), none",
        default: "loo",
      },
    ),
    temperature: positive("the sampler's temperature τ: tokens are drawn from q ∝ π^(1/τ) and weighted by π/q (1: from π)", 1),
    top_k: new OptionalField(
      new NumberField(
        { integer: true, min: 1, max: MAX_VOCAB },
        { doc: "draw only from the k most probable tokens of π (weighted by π/q; the others are never seen)" },
      ),
      true,
    ),
    clip: new NumberField({ above: 0, max: 10 }, { doc: "PPO clip range ε", default: 0.2 }),
    epochs: new NumberField({ integer: true, min: 1, max: 100 }, { doc: "PPO epochs over each batch", default: 4 }),
    kl_placement: KL_PLACEMENT,
    aggregation: AGGREGATION,
  },
  { doc: "sampled and expected training: batch, algorithm, KL estimator, where it enters, baseline and sampler", default: {} },
);

export const CONTROLLER = new VariantsField(
  "kind",
  {
    fixed: {},
    adaptive: {
      target: positive("the KL (nats, in the penalty's direction) the adaptive controller steers towards"),
      horizon: positive("samples over which the adaptive controller closes a relative error of 1 (TRL, OpenRLHF and verl default 10000)", 10_000),
      kl: CONTROLLER_KL,
    },
    schedule: {
      expr: new StringField({ doc: "β as an expression of the step t, e.g. 0.5*exp(-t/2000)", nonEmpty: true, maxLength: MAX_EXPRESSION_LENGTH }),
    },
  },
  {
    doc: "how β moves: fixed; adaptive (Ziegler 2019: e = clip(KL/target − 1, ±0.2), β ← β(1 + e·n/horizon)); schedule (β as an expression of t)",
    default: { kind: "fixed" },
    switchOnKey: true,
  },
);

export const OPTIMIZER = new VariantsField(
  "kind",
  {
    sgd: { lr: positive("learning rate: θ ← θ + lr·∇J", 1) },
    adam: {
      lr: positive("Adam's step size α", 0.05),
      beta1: unitInterval("decay of the first moment", 0.9),
      beta2: unitInterval("decay of the second moment", 0.999),
      eps: positive("added to √v̂", 1e-8),
    },
  },
  { doc: "gradient ascent on the logits θ: sgd or adam (Kingma & Ba 2015)", default: { kind: "sgd" } },
);

/** The whole scenario file. */
export const SCENARIO = new ObjectField(
  {
    name: new OptionalField(new StringField({ doc: "short name (default: the file name)", nonEmpty: true })),
    description: new StringField({ doc: "what the scenario teaches, one or two sentences", default: "" }),
    vocab: new OptionalField(new NumberField({ integer: true, ...VOCAB }, { doc: "vocabulary size V (needed only when no array fixes it)" })),
    tokens: new OptionalField(new StringListField(VOCAB, { doc: "token labels, V of them (default t0, t1, …)" })),
    reference: new OptionalField(
      new ReferenceField({
        doc: "π_ref: probabilities (each > 0, summing to 1), { logits: [...] } or { expr: ..., as: weights | logits } (not in fit mode)",
        length: VOCAB,
        maxExprLength: MAX_EXPRESSION_LENGTH,
      }),
    ),
    reward: new OptionalField(
      vector(
        "the proxy reward r the optimiser sees: one value per token, or { expr: ... } of i and V (sequence mode: of L, count(k), at(t); or { table: ... }; not in fit mode)",
      ),
    ),
    teacher: teacherField(VOCAB, MAX_EXPRESSION_LENGTH),
    student: studentField(MAX_EXPRESSION_LENGTH),
    gold: new OptionalField(vector("the gold reward g we actually wanted (optional): one value per token, or { expr: ... } (sequence mode: as reward)"), true),
    penalty: new NameField(PENALTY_REGISTRY, { doc: `the penalised divergence D(π, π_ref): ${PENALTY_SYNTAX}`, default: DEFAULT_PENALTY.name }),
    beta: new NumberField({ min: 0 }, { doc: "the initial KL coefficient β", default: 0.1 }),
    controller: CONTROLLER,
    optimizer: OPTIMIZER,
    mode: new EnumField(MODES, {
      doc: "exact (the exact gradient), sampled (a batch of tokens per step), expected (the exact expectation of the sampled estimator's gradient: its noise-free dynamics), or fit (a restricted student fitted to a teacher by minimising the penalty)",
      default: "exact",
    }),
    sampling: SAMPLING,
    sequence: SEQUENCE,
    steps: new NumberField({ integer: true, min: 1, max: MAX_STEPS }, { doc: "training steps", default: 2000 }),
    seed: new NumberField({ integer: true, min: 0, max: 2 ** 53 - 1 }, { doc: "seed of the sampler (sampled mode)", default: 1 }),
    $schema: new OptionalField(new StringField({ doc: "the JSON Schema of this file, for editors (shipped: ../scenario.schema.json); klsim ignores it" })),
  },
  { doc: "A klsim scenario: a reference policy, a reward and how to train against a KL penalty.", also: FIT_MODE_SCHEMA },
);

/** A scenario file's values once checked (before the vocabulary size is resolved). */
export type ScenarioValues = ValueOf<typeof SCENARIO>;
