/**
 * The scenario file format (README: Scenarios), validated strictly: unknown keys are errors, every
 * number is checked for range, and each error names its field. Expressions stay strings here;
 * the loader evaluates them.
 */
import type { ControllerConfig } from "../core/controllers.js";
import { DEFAULT_PENALTY, DIVERGENCE_KINDS, parsePenalty } from "../core/divergences/registry.js";
import { ESTIMATOR_NAMES, estimatorNamed } from "../core/estimators.js";
import type { OptimizerConfig } from "../core/optimizers.js";
import { InputError } from "../errors.js";
import {
  closest,
  describe,
  expectBoundedNumber,
  expectEnum,
  expectKeys,
  expectNumberArray,
  expectObject,
  expectString,
  expectStringArray,
  isObject,
} from "./validate.js";

export const MIN_VOCAB = 2;
export const MAX_VOCAB = 65_536;
export const MAX_STEPS = 1_000_000_000;

/** A vector given literally or as an expression of i (0-based token index) and V. */
export type VectorSpec = { values: number[] } | { expr: string };

/** π_ref as probabilities, as logits, or as an expression of positive weights (or logits). */
export type ReferenceSpec = { probabilities: number[] } | { logits: number[] } | { expr: string; as: "weights" | "logits" };

export type Mode = "exact" | "sampled";
export type Algorithm = "reinforce" | "ppo";
export type KlIn = "reward" | "loss";

/** Sampled training settings (used when mode = "sampled"). */
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
  /** The proxy reward the optimiser sees. */
  reward: VectorSpec;
  /** The gold reward we actually wanted (optional). */
  gold: VectorSpec | null;
  /** The penalty divergence's name in the registry (src/core/divergences/registry.ts): "reverse", "alpha:0.5". */
  penalty: string;
  beta: number;
  controller: ControllerConfig;
  optimizer: OptimizerConfig;
  mode: Mode;
  sampling: SamplingSpec;
  steps: number;
  seed: number;
}

const TOP_KEYS = [
  "name",
  "description",
  "vocab",
  "tokens",
  "reference",
  "reward",
  "gold",
  "penalty",
  "beta",
  "controller",
  "optimizer",
  "mode",
  "sampling",
  "steps",
  "seed",
] as const;

export const DEFAULT_SAMPLING: SamplingSpec = { batch: 64, algorithm: "reinforce", estimator: "k3", klIn: "reward", clip: 0.2, epochs: 4 };

/** Validates a parsed scenario JSON value. `fallbackName` is used when the file has no name. */
export function parseScenarioSpec(json: unknown, fallbackName: string): ScenarioSpec {
  const top = expectObject(json, "");
  expectKeys(top, TOP_KEYS, "");
  for (const required of ["reference", "reward"] as const) {
    if (!(required in top)) throw new InputError("missing (required)", required);
  }
  const tokens = top.tokens === undefined ? null : expectStringArray(top.tokens, "tokens");
  const reference = parseReference(top.reference);
  const reward = parseVector(top.reward, "reward");
  const gold = top.gold === undefined || top.gold === null ? null : parseVector(top.gold, "gold");
  const vocab = resolveVocab(top.vocab, tokens, reference, reward, gold);
  return {
    name: top.name === undefined ? fallbackName : nonEmpty(expectString(top.name, "name"), "name"),
    description: top.description === undefined ? "" : expectString(top.description, "description"),
    vocab,
    tokens,
    reference,
    reward,
    gold,
    penalty: top.penalty === undefined ? DEFAULT_PENALTY.name : expectPenalty(top.penalty, "penalty"),
    beta: top.beta === undefined ? 0.1 : expectBoundedNumber(top.beta, { min: 0 }, "beta"),
    controller: top.controller === undefined ? { kind: "fixed" } : parseController(top.controller),
    optimizer: top.optimizer === undefined ? { kind: "sgd", lr: 1 } : parseOptimizer(top.optimizer),
    mode: top.mode === undefined ? "exact" : expectEnum(top.mode, ["exact", "sampled"] as const, "mode"),
    sampling: top.sampling === undefined ? DEFAULT_SAMPLING : parseSampling(top.sampling),
    steps: top.steps === undefined ? 2000 : expectBoundedNumber(top.steps, { min: 1, max: MAX_STEPS, integer: true }, "steps"),
    seed: top.seed === undefined ? 1 : expectBoundedNumber(top.seed, { min: 0, max: 2 ** 53 - 1, integer: true }, "seed"),
  };
}

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

function nonEmpty(text: string, field: string): string {
  if (text.trim() === "") throw new InputError("must not be empty", field);
  return text;
}

function parseExprObject(value: Record<string, unknown>, field: string, extraKeys: readonly string[] = []): string {
  expectKeys(value as never, ["expr", ...extraKeys], field);
  return nonEmpty(expectString(value.expr, `${field}.expr`), `${field}.expr`);
}

function parseVector(value: unknown, field: string): VectorSpec {
  if (Array.isArray(value)) return { values: expectNumberArray(value, field) };
  if (isObject(value)) return { expr: parseExprObject(value, field) };
  throw new InputError(`expected an array of numbers or { "expr": "..." }, got ${JSON.stringify(value)?.slice(0, 40) ?? String(value)}`, field);
}

function parseReference(value: unknown): ReferenceSpec {
  if (Array.isArray(value)) return { probabilities: expectNumberArray(value, "reference") };
  if (isObject(value)) {
    if ("logits" in value) {
      expectKeys(value, ["logits"], "reference");
      return { logits: expectNumberArray(value.logits, "reference.logits") };
    }
    if ("expr" in value) {
      const expr = parseExprObject(value, "reference", ["as"]);
      const as = value.as === undefined ? "weights" : expectEnum(value.as, ["weights", "logits"] as const, "reference.as");
      return { expr, as };
    }
    expectKeys(value, ["logits", "expr", "as"], "reference");
  }
  throw new InputError('expected probabilities [...], { "logits": [...] } or { "expr": "..." }', "reference");
}

/** V from the first array that fixes it; every other array must agree. */
function resolveVocab(vocabValue: unknown, tokens: string[] | null, reference: ReferenceSpec, reward: VectorSpec, gold: VectorSpec | null): number {
  const lengths: Array<[string, number]> = [];
  if (vocabValue !== undefined) lengths.push(["vocab", expectBoundedNumber(vocabValue, { integer: true, min: MIN_VOCAB, max: MAX_VOCAB }, "vocab")]);
  if (tokens) lengths.push(["tokens", tokens.length]);
  if ("probabilities" in reference) lengths.push(["reference", reference.probabilities.length]);
  if ("logits" in reference) lengths.push(["reference.logits", reference.logits.length]);
  if ("values" in reward) lengths.push(["reward", reward.values.length]);
  if (gold && "values" in gold) lengths.push(["gold", gold.values.length]);
  const first = lengths[0];
  if (!first) throw new InputError('cannot tell the vocabulary size: give "vocab", "tokens" or an array', "vocab");
  const [firstField, V] = first;
  // "vocab" was range-checked above; an array's length gets a message about its entries.
  if (V < MIN_VOCAB || V > MAX_VOCAB) {
    throw new InputError(`has ${V} ${V === 1 ? "entry" : "entries"}; the vocabulary must have ${MIN_VOCAB} to ${MAX_VOCAB} tokens`, firstField);
  }
  for (const [field, length] of lengths.slice(1)) {
    if (length !== V) throw new InputError(`has ${length} entries but ${firstField} has ${V}`, field);
  }
  return V;
}

function parseController(value: unknown): ControllerConfig {
  const object = expectObject(value, "controller");
  const kind = expectEnum(object.kind, ["fixed", "adaptive", "schedule"] as const, "controller.kind");
  switch (kind) {
    case "fixed":
      expectKeys(object, ["kind"], "controller");
      return { kind };
    case "adaptive":
      expectKeys(object, ["kind", "target", "horizon"], "controller");
      return {
        kind,
        target: expectBoundedNumber(object.target, { above: 0 }, "controller.target"),
        horizon: expectBoundedNumber(object.horizon, { above: 0 }, "controller.horizon"),
      };
    case "schedule":
      expectKeys(object, ["kind", "expr"], "controller");
      return { kind, expr: nonEmpty(expectString(object.expr, "controller.expr"), "controller.expr") };
  }
}

function parseOptimizer(value: unknown): OptimizerConfig {
  const object = expectObject(value, "optimizer");
  const kind = expectEnum(object.kind, ["sgd", "adam"] as const, "optimizer.kind");
  const lr = object.lr === undefined ? (kind === "sgd" ? 1 : 0.05) : expectBoundedNumber(object.lr, { above: 0 }, "optimizer.lr");
  if (kind === "sgd") {
    expectKeys(object, ["kind", "lr"], "optimizer");
    return { kind, lr };
  }
  expectKeys(object, ["kind", "lr", "beta1", "beta2", "eps"], "optimizer");
  const unit = (key: "beta1" | "beta2", fallback: number) =>
    object[key] === undefined ? fallback : expectBoundedNumber(object[key], { min: 0, below: 1 }, `optimizer.${key}`);
  return {
    kind,
    lr,
    beta1: unit("beta1", 0.9),
    beta2: unit("beta2", 0.999),
    eps: object.eps === undefined ? 1e-8 : expectBoundedNumber(object.eps, { above: 0 }, "optimizer.eps"),
  };
}

function parseSampling(value: unknown): SamplingSpec {
  const object = expectObject(value, "sampling");
  expectKeys(object, ["batch", "algorithm", "estimator", "kl_in", "clip", "epochs"], "sampling");
  const d = DEFAULT_SAMPLING;
  return {
    batch: object.batch === undefined ? d.batch : expectBoundedNumber(object.batch, { integer: true, min: 1, max: 1_000_000 }, "sampling.batch"),
    algorithm: object.algorithm === undefined ? d.algorithm : expectEnum(object.algorithm, ["reinforce", "ppo"] as const, "sampling.algorithm"),
    estimator: object.estimator === undefined ? d.estimator : expectEstimator(object.estimator, "sampling.estimator"),
    klIn: object.kl_in === undefined ? d.klIn : expectEnum(object.kl_in, ["reward", "loss"] as const, "sampling.kl_in"),
    clip: object.clip === undefined ? d.clip : expectBoundedNumber(object.clip, { above: 0, max: 10 }, "sampling.clip"),
    epochs: object.epochs === undefined ? d.epochs : expectBoundedNumber(object.epochs, { integer: true, min: 1, max: 100 }, "sampling.epochs"),
  };
}
