/**
 * Resolves a sequence scenario (DESIGN §3 "Sequence scenarios"): the prefix tree of `sequence`,
 * π_ref(·|t, prev) from the reference (one row everywhere, or an expression of i, t, prev), the
 * rewards of whole sequences (an expression of L, count(k), at(t), or a table), and the training
 * configuration of sampled and expected mode. Every failure is an InputError naming the field.
 */
import { baselineNamed } from "../core/baselines.js";
import { softmaxOf } from "../core/distributions.js";
import type { Problem } from "../core/problem.js";
import { aggregationNamed } from "../core/sequence/aggregations.js";
import { sequenceBanditOf } from "../core/sequence/bandit.js";
import { tokenEstimator } from "../core/sequence/estimator.js";
import { expectedModeProblem } from "../core/sequence/expected.js";
import { placementNamed } from "../core/sequence/placements.js";
import { makeSequenceProblem, type SequenceProblem, SequenceReferenceError, type SequenceRewardHook } from "../core/sequence/problem.js";
import type { SequenceTrainingConfig } from "../core/sequence/training.js";
import { type TreeShape, treeShapeProblem, treeSizeOf } from "../core/sequence/tree.js";
import { estimatorNamed } from "../core/estimators.js";
import { InputError } from "../errors.js";
import type { ReferenceSpec, RewardSpec, ScenarioSpec, SequenceBlock } from "./schema.js";
import { MAX_ABS_REWARD } from "./fields.js";
import { MAX_SEQUENCE_PREFIXES, MAX_SEQUENCES } from "./sequence-fields.js";

export interface ResolvedSequence {
  problem: SequenceProblem;
  /** The bandit over its complete sequences (what the Simulation's metrics and optimum read). */
  bandit: Problem;
}

/** The tree's shape from the `sequence` block, checked against the size bounds. */
export function sequenceShapeOf(block: SequenceBlock, tokens: readonly string[]): TreeShape {
  let eos = -1;
  if (block.eos !== null) {
    eos = tokens.indexOf(block.eos);
    if (eos < 0)
      throw new InputError(`no token named ${JSON.stringify(block.eos)} (tokens: ${tokens.map((t) => JSON.stringify(t)).join(", ")})`, "sequence.eos");
  }
  const shape = { V: tokens.length, horizon: block.horizon, eos };
  const { prefixes, sequences } = treeSizeOf(shape);
  if (prefixes > MAX_SEQUENCE_PREFIXES) {
    throw new InputError(
      `V = ${shape.V}, horizon ${shape.horizon} gives more than ${MAX_SEQUENCE_PREFIXES} prefixes (${prefixes > 131_072 ? "> 131072" : prefixes}); use a smaller horizon or vocabulary`,
      "sequence.horizon",
    );
  }
  if (sequences > MAX_SEQUENCES) {
    throw new InputError(
      `V = ${shape.V}, horizon ${shape.horizon} gives ${sequences} sequences, more than ${MAX_SEQUENCES}; use a smaller horizon or vocabulary`,
      "sequence.horizon",
    );
  }
  const problem = treeShapeProblem(shape);
  if (problem) throw new InputError(problem, "sequence.horizon");
  return shape;
}

export async function resolveSequence(
  spec: ScenarioSpec,
  block: SequenceBlock,
  tokens: readonly string[],
  constantReference: (reference: ReferenceSpec, V: number) => Promise<Float64Array>,
): Promise<ResolvedSequence> {
  const shape = sequenceShapeOf(block, tokens);
  const reference =
    "expr" in spec.reference
      ? await referenceByExpression(spec.reference, shape.V, treeSizeOf(shape).prefixes)
      : await constantReference(spec.reference, shape.V);
  const reward = await rewardHook(spec.reward, "reward", shape, tokens);
  const gold = spec.gold ? await rewardHook(spec.gold, "gold", shape, tokens) : null;
  let problem: SequenceProblem;
  try {
    problem = makeSequenceProblem({ ...shape, reference, reward: reward.hook, gold: gold?.hook ?? null });
  } catch (error) {
    if (error instanceof SequenceReferenceError)
      throw new InputError(error.message.replace(/^the reference:? ?/, ""), "reference" in spec ? referenceField(spec.reference) : "reference");
    if (error instanceof InputError) throw error;
    throw error;
  }
  return { problem, bandit: sequenceBanditOf(problem) };
}

function referenceField(reference: ReferenceSpec): string {
  return "expr" in reference ? "reference.expr" : "logits" in reference ? "reference.logits" : "reference";
}

/** π_ref(·|t, prev) from an expression of i, V, t and prev: positive weights (normalised) or logits. */
async function referenceByExpression(
  reference: Extract<ReferenceSpec, { expr: string }>,
  V: number,
  prefixes: number,
): Promise<(t: number, prev: number) => Float64Array> {
  const { compileExpression, checkExpressionWork, ExpressionError } = await import("./expressions.js");
  const field = "reference.expr";
  let f: (scope: Readonly<Record<string, number>>) => number;
  try {
    const compiled = await compileExpression(reference.expr, ["i", "V", "t", "prev"]);
    checkExpressionWork(compiled.cost, prefixes * V, "evaluations (prefixes × V, at most)");
    f = compiled;
  } catch (error) {
    if (error instanceof ExpressionError) throw new InputError(error.message, field);
    throw error;
  }
  return (t, prev) => {
    const row = new Float64Array(V);
    const scope = { i: 0, V, t, prev };
    for (let i = 0; i < V; i++) {
      scope.i = i;
      try {
        row[i] = f(scope);
      } catch (error) {
        if (error instanceof ExpressionError) throw new InputError(error.message, field);
        throw error;
      }
    }
    if (reference.as === "logits") {
      const p = softmaxOf(row);
      const vanished = p.findIndex((x) => !(x > 0));
      if (vanished >= 0) throw new InputError(`at t = ${t}, prev = ${prev}: logit ${vanished} is so small that its probability underflows to 0`, field);
      return p;
    }
    let total = 0;
    for (let i = 0; i < V; i++) {
      if (!(row[i]! > 0)) throw new InputError(`at t = ${t}, prev = ${prev}: weight ${i} is ${row[i]}; reference weights must be > 0`, field);
      total += row[i]!;
    }
    if (!Number.isFinite(total))
      throw new InputError(`at t = ${t}, prev = ${prev}: the weights sum to ${total}; scale them down (or use "as": "logits")`, field);
    for (let i = 0; i < V; i++) row[i] = row[i]! / total;
    return row;
  };
}

/** R(y) as a function of the sequence's tokens without eos. */
async function rewardHook(reward: RewardSpec, field: string, shape: TreeShape, tokens: readonly string[]): Promise<{ hook: SequenceRewardHook }> {
  if ("values" in reward) {
    throw new InputError("a sequence scenario rewards whole sequences: give { expr: ... } of L, count(k), at(t), or { table: {...}, default }", field);
  }
  if ("table" in reward) return { hook: tableHook(reward, field, shape, tokens) };
  const { compileExpression, checkExpressionWork, ExpressionError } = await import("./expressions.js");
  let body: Int32Array = new Int32Array(0);
  let length = 0;
  const functions = {
    count: (k: number) => {
      let c = 0;
      for (let t = 0; t < length; t++) if (body[t] === k) c++;
      return c;
    },
    at: (t: number) => (Number.isInteger(t) && t >= 0 && t < length ? body[t]! : -1),
  };
  let f: (scope: Readonly<Record<string, number>>) => number;
  try {
    const compiled = await compileExpression(reward.expr, ["L", "V", "T"], functions);
    // count(k) walks the sequence: each node may cost up to T
    checkExpressionWork(compiled.cost * shape.horizon, treeSizeOf(shape).sequences, "sequences");
    f = compiled;
  } catch (error) {
    if (error instanceof ExpressionError) throw new InputError(error.message, `${field}.expr`);
    throw error;
  }
  const scope = { L: 0, V: shape.V, T: shape.horizon };
  return {
    hook: (sequence, n) => {
      body = sequence;
      length = n;
      scope.L = n;
      let value: number;
      try {
        value = f(scope);
      } catch (error) {
        if (error instanceof ExpressionError) throw new InputError(`${error.message} for the sequence ${quoted(sequence, n, tokens)}`, `${field}.expr`);
        throw error;
      }
      if (!(Math.abs(value) <= MAX_ABS_REWARD)) {
        throw new InputError(`evaluates to ${value} for the sequence ${quoted(sequence, n, tokens)}; rewards must lie within ±1e300`, `${field}.expr`);
      }
      return value;
    },
  };
}

function quoted(sequence: Int32Array, n: number, tokens: readonly string[]): string {
  return JSON.stringify(Array.from(sequence.subarray(0, n), (a) => tokens[a] ?? String(a)).join(" "));
}

/** R from a table keyed by space-joined token names (without eos); every key must name a sequence of the tree. */
function tableHook(reward: Extract<RewardSpec, { table: unknown }>, field: string, shape: TreeShape, tokens: readonly string[]): SequenceRewardHook {
  const spaced = tokens.findIndex((t) => /\s/.test(t));
  if (spaced >= 0) throw new InputError(`token ${JSON.stringify(tokens[spaced])} has a space, so a table key cannot name it; rename it`, `${field}.table`);
  const index = new Map(tokens.map((t, i) => [t, i]));
  const values = new Map<string, number>();
  for (const [key, value] of Object.entries(reward.table)) {
    const where = `${field}.table.${JSON.stringify(key)}`;
    const words = key.trim() === "" ? [] : key.trim().split(/\s+/);
    for (const word of words) {
      const a = index.get(word);
      if (a === undefined) throw new InputError(`no token named ${JSON.stringify(word)}`, where);
      if (a === shape.eos) throw new InputError(`keys name the tokens before eos; leave ${JSON.stringify(word)} out`, where);
    }
    if (words.length > shape.horizon) throw new InputError(`has ${words.length} tokens, more than the horizon ${shape.horizon}`, where);
    if (shape.eos < 0 && words.length !== shape.horizon)
      throw new InputError(`has ${words.length} tokens; without eos every sequence has ${shape.horizon}`, where);
    values.set(words.join(" "), value);
  }
  return (sequence, n) => values.get(Array.from(sequence.subarray(0, n), (a) => tokens[a]!).join(" ")) ?? reward.default;
}

/** Sampled and expected sequence training's configuration, or an InputError naming the field that cannot be. */
export function sequenceTrainingOf(spec: ScenarioSpec, problem: SequenceProblem): SequenceTrainingConfig {
  const s = spec.sampling;
  if (s.algorithm !== "reinforce") throw new InputError("sequence training is REINFORCE (no PPO epochs over a prefix tree yet)", "sampling.algorithm");
  if (s.temperature !== 1 || s.topK !== null)
    throw new InputError("sequence training draws from π itself (no temperature or top_k)", s.topK !== null ? "sampling.top_k" : "sampling.temperature");
  const entry = estimatorNamed(s.estimator)!;
  if (!entry.perSample)
    throw new InputError(`${JSON.stringify(s.estimator)} is not a per-token estimator; sequence training takes k1, k2, k3, abs, …`, "sampling.estimator");
  const config: SequenceTrainingConfig = {
    batch: s.batch,
    estimator: tokenEstimator(s.estimator),
    placement: placementNamed(s.klPlacement)!,
    aggregation: aggregationNamed(s.aggregation)!,
    baseline: baselineNamed(s.baseline)!,
  };
  if (config.batch < config.baseline.minBatch)
    throw new InputError(`baseline ${config.baseline.name} needs a batch of at least ${config.baseline.minBatch}`, "sampling.batch");
  if (spec.mode === "expected") {
    const problemText = expectedModeProblem(problem.tree, config);
    if (problemText) throw new InputError(problemText, "mode");
  }
  return config;
}
