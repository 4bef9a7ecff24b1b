/**
 * The scenario file format (README: Scenarios), validated strictly: unknown keys are errors, every
 * number is checked for range, and each error names its field. The fields themselves are the
 * table in fields.ts; this file turns the checked values into the typed ScenarioSpec and checks
 * what no single field can: that the arrays agree on the vocabulary size. Expressions stay
 * strings here; the loader evaluates them.
 */
import type { ControllerConfig } from "../core/controllers.js";
import type { OptimizerConfig } from "../core/optimizers.js";
import { InputError } from "../errors.js";
import type { ReferenceSpec } from "./field-kinds.js";
import type { RewardSpec } from "./sequence-fields.js";
import { modeFieldsOf, type StudentSpec } from "./student-fields.js";
import { isObject } from "./validate.js";
import { type ALGORITHMS, type KL_IN, MAX_VOCAB, MIN_VOCAB, type MODES, SAMPLING, SCENARIO, type ScenarioValues } from "./fields.js";

export { MAX_STEPS, MAX_VOCAB, MIN_VOCAB } from "./fields.js";
export type { ReferenceSpec, VectorSpec } from "./field-kinds.js";
export type { RewardSpec, TableSpec } from "./sequence-fields.js";
export { expectEstimator, expectPenalty } from "./registry-names.js";

export type Mode = (typeof MODES)[number];
export type Algorithm = (typeof ALGORITHMS)[number];
export type KlIn = (typeof KL_IN)[number];

/** Sampled training settings (used when mode = "sampled" or "expected"). */
export interface SamplingSpec {
  /** Tokens drawn from π per step (B). */
  batch: number;
  /** Policy-gradient estimator: REINFORCE with a mean baseline, or PPO's clipped ratio. */
  algorithm: Algorithm;
  /** Per-sample KL estimator (Schulman 2020): a name of the estimator registry (src/core/estimators.ts), canonical. */
  estimator: string;
  /** Where β·k enters: subtracted from each sample's reward, or added to the loss (GRPO). */
  klIn: KlIn;
  /** PPO clip range ε. */
  clip: number;
  /** PPO epochs over each batch. */
  epochs: number;
  /** The baseline's name (src/core/baselines.ts): loo, mean, none. */
  baseline: string;
  /** The sampler's temperature τ (1: π itself). */
  temperature: number;
  /** Draw only from the k most probable tokens, or null. */
  topK: number | null;
  /** Sequence mode: where β·k enters (src/core/sequence/placements.ts). */
  klPlacement: string;
  /** Sequence mode: how tokens are averaged over the batch (src/core/sequence/aggregations.ts). */
  aggregation: string;
}

export interface ScenarioSpec {
  /** Short name (defaults to the file name). */
  name: string;
  /** What the scenario teaches, one or two sentences. */
  description: string;
  /** Vocabulary size V (needed only when no array fixes it). */
  vocab: number;
  /** Token labels, V of them (default t0, t1, ...). */
  tokens: string[] | null;
  reference: ReferenceSpec;
  /** The proxy reward the optimiser sees (a table only in sequence mode). */
  reward: RewardSpec;
  /** The gold reward we actually wanted (optional). */
  gold: RewardSpec | null;
  /** The penalty divergence's name in the registry (src/core/divergences/registry.ts): "reverse", "alpha:0.5". */
  penalty: string;
  beta: number;
  controller: ControllerConfig;
  optimizer: OptimizerConfig;
  mode: Mode;
  sampling: SamplingSpec;
  steps: number;
  seed: number;
  /** Sequence mode: the horizon T and the eos token's name; null for the bandit. */
  sequence: SequenceBlock | null;
  /** Fit mode: the teacher (also `reference`, what the penalty measures against), else null. */
  teacher: ReferenceSpec | null;
  /** Fit mode: the restricted student, else null. */
  student: StudentSpec | null;
}

/** The `sequence` block: horizon T and the end-of-sequence token's name (or null). */
export interface SequenceBlock {
  horizon: number;
  eos: string | null;
}

function samplingSpecOf(values: ScenarioValues["sampling"]): SamplingSpec {
  const { kl_in, top_k, kl_placement, ...rest } = values;
  return { ...rest, klIn: kl_in, topK: top_k, klPlacement: kl_placement };
}

export const DEFAULT_SAMPLING: SamplingSpec = samplingSpecOf(SAMPLING.check(undefined, "sampling"));

/** Validates a parsed scenario JSON value. `fallbackName` is used when the file has no name. */
export function parseScenarioSpec(json: unknown, fallbackName: string): ScenarioSpec {
  const values = SCENARIO.check(json, "");
  const { name, vocab, sampling, $schema: _editorsOnly, ...rest } = values;
  const { reference, reward } = modeFieldsOf(values);
  // fit mode minimises β·D: β is only a scale there, 1 unless the file says otherwise
  const beta = values.mode === "fit" && isObject(json) && json.beta === undefined ? 1 : values.beta;
  return {
    ...rest,
    controller: withoutNullKl(rest.controller),
    reference,
    reward,
    beta,
    name: name ?? fallbackName,
    vocab: resolveVocab({ ...values, reference, reward }),
    sampling: samplingSpecOf(sampling),
  };
}

/** An adaptive controller's `kl` only when given (sequence mode): bandit configurations stay as they were. */
function withoutNullKl(controller: ScenarioValues["controller"]): ControllerConfig {
  if (controller.kind !== "adaptive" || controller.kl !== null) return controller;
  const { kl: _none, ...rest } = controller;
  return rest;
}

/** V from the first array that fixes it; every other array must agree. */
function resolveVocab({
  vocab,
  tokens,
  reference,
  reward,
  gold,
  teacher,
}: Omit<ScenarioValues, "reference" | "reward"> & { reference: ReferenceSpec; reward: RewardSpec }): number {
  const lengths: Array<[string, number]> = [];
  if (vocab !== null) lengths.push(["vocab", vocab]);
  if (tokens) lengths.push(["tokens", tokens.length]);
  const against = teacher ? "teacher" : "reference"; // fit mode's reference is the teacher
  if ("probabilities" in reference) lengths.push([against, reference.probabilities.length]);
  if ("logits" in reference) lengths.push([`${against}.logits`, reference.logits.length]);
  if ("values" in reward) lengths.push(["reward", reward.values.length]);
  if (gold && "values" in gold) lengths.push(["gold", gold.values.length]);
  const first = lengths[0];
  if (!first) throw new InputError('cannot tell the vocabulary size: give "vocab", "tokens" or an array', "vocab");
  const [firstField, V] = first;
  // "vocab" was range-checked with its field; an array's length gets a message about its entries.
  if (V < MIN_VOCAB || V > MAX_VOCAB) {
    throw new InputError(`has ${V} ${V === 1 ? "entry" : "entries"}; the vocabulary must have ${MIN_VOCAB} to ${MAX_VOCAB} tokens`, firstField);
  }
  for (const [field, length] of lengths.slice(1)) {
    if (length !== V) throw new InputError(`has ${length} entries but ${firstField} has ${V}`, field);
  }
  return V;
}
