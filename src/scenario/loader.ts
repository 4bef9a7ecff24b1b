/**
 * Finds, reads and resolves a scenario: JSON → ScenarioSpec (schema.ts) → Scenario with the
 * vectors evaluated and checked. Every failure is an InputError naming the file and field.
 */
import { isAscii } from "node:buffer";
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import { distributionProblem, softmaxOf } from "../core/distributions.js";
import { divergenceNamed } from "../core/divergences/registry.js";
import { baselineNamed } from "../core/baselines.js";
import { estimatorNamed } from "../core/estimators.js";
import type { StudentConfig } from "../core/families/students.js";
import { makeProblem, type Problem } from "../core/problem.js";
import { MAX_STEP_COST, sampledStepCost } from "../core/steppers/policy-gradient.js";
import { InputError } from "../errors.js";
import type { SimConfig } from "../sim/simulation.js";
import { MAX_ABS_REWARD } from "./fields.js";
import { resolveSequence, sequenceTrainingOf } from "./sequence-loader.js";
import { resolveStudent } from "./student.js";
import { hasControlCharacters, printable } from "../io/terminal-text.js";
import { checkJsonText } from "./json-text.js";
import { parseScenarioSpec, type ReferenceSpec, type RewardSpec, type ScenarioSpec, type VectorSpec } from "./schema.js";
import type { SequenceProblem } from "../core/sequence/problem.js";
import { sequenceLabel } from "../core/sequence/labels.js";

export { MAX_ABS_REWARD };

/** The shipped scenarios: <package>/scenarios (this file is src/scenario or dist/scenario). */
export const SCENARIOS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "scenarios");

/** A scenario ready to simulate. */
export interface Scenario {
  spec: ScenarioSpec;
  /** The file it came from, as the user named it (or as found in scenarios/). */
  file: string;
  problem: Problem;
  /** The compiled β schedule when the controller is a schedule. */
  schedule?: (t: number) => number;
  /** Fit mode: the student with its defaults and features resolved. */
  student?: StudentConfig;
  /** Sampled mode: a seeded uniform generator for a seed (seedrandom, loaded only for this mode). */
  randomFor?: (seed: number) => () => number;
  /** Sequence mode: the prefix-tree problem; `problem` is then the bandit over its complete sequences. */
  sequence?: SequenceProblem;
}

/** The name of outcome i of the scenario's policy: a token, or (sequence mode) a sequence's tokens. */
export function outcomeNamer(scenario: Scenario): (i: number) => string {
  const tree = scenario.sequence?.tree;
  const tokens = tokenNames(scenario);
  if (!tree) return (i) => tokens[i] ?? String(i);
  const scratch = new Int32Array(tree.horizon);
  return (y) => sequenceLabel(tree, tokens, y, scratch);
}

/** Names of the shipped scenarios (file names without .json), sorted. */
export function listScenarioNames(dir = SCENARIOS_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

/** A path (anything with a slash or .json, or an existing file) or a name in scenarios/. */
export function resolveScenarioPath(nameOrPath: string, dir = SCENARIOS_DIR): string {
  const looksLikePath = nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
  if (looksLikePath || isFile(nameOrPath)) return nameOrPath;
  const shipped = join(dir, `${nameOrPath}.json`);
  if (exists(shipped)) return shipped;
  if (exists(nameOrPath)) return nameOrPath; // e.g. a directory: readScenarioText says what it is
  const known = listScenarioNames(dir);
  throw new InputError(`no such scenario (known: ${known.join(", ") || "none"}; or give a path to a .json file)`, undefined, nameOrPath);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates a scenario file; expression evaluation needs mathjs, hence async. */
export async function loadScenario(nameOrPath: string, dir = SCENARIOS_DIR): Promise<Scenario> {
  const { file, json } = readScenarioJson(nameOrPath, dir);
  try {
    const spec = parseScenarioSpec(json, fallbackNameOf(file));
    return await resolveScenario(spec, file);
  } catch (error) {
    if (error instanceof InputError) throw error.within(file);
    throw error;
  }
}

/** Finds a scenario and parses its JSON (not yet validated); `file` is the path it was read from. */
export function readScenarioJson(nameOrPath: string, dir = SCENARIOS_DIR): { file: string; json: unknown } {
  const file = resolveScenarioPath(nameOrPath, dir);
  const text = readScenarioText(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`invalid JSON: ${jsonErrorDetail(text, error)}`, undefined, file);
  }
  try {
    checkJsonText(text);
    refuseSamplingInExactMode(json);
  } catch (error) {
    if (error instanceof InputError) throw error.within(file);
    throw error;
  }
  return { file, json };
}

/**
 * A `sampling` block in an exact-mode file would be ignored: the user meant another mode or left it
 * behind. Refused in the file only (`--set mode=exact` on a sampled scenario compares the two on purpose).
 */
function refuseSamplingInExactMode(json: unknown): void {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return;
  const record = json as Record<string, unknown>;
  if (!("sampling" in record) || !(record.mode === undefined || record.mode === "exact")) return;
  throw new InputError('is ignored in exact mode; set "mode": "sampled" or "expected", or remove the block', "sampling");
}

/** A scenario's name when the file gives none: the file name without .json. */
export function fallbackNameOf(file: string): string {
  return basename(file).replace(/\.json$/, "");
}

/** The most a scenario file may hold. */
export const MAX_SCENARIO_BYTES = 64 * 1024 * 1024;

/**
 * Reads at most MAX_SCENARIO_BYTES, counting while reading: a special file (/dev/zero, a FIFO,
 * /proc) reports size 0 and may never end, so its reported size proves nothing.
 */
function readScenarioText(file: string): string {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(file);
  } catch {
    throw new InputError("no such file", undefined, file);
  }
  if (stats.isDirectory()) throw new InputError("is a directory, expected a scenario .json file", undefined, file);
  if (stats.size > MAX_SCENARIO_BYTES) throw new InputError("file is larger than 64 MiB", undefined, file);
  // read in place into one buffer, a byte longer than the reported size (a regular file: one read,
  // then the end), doubled when full (a 3 MB scenario was copied twice more in 1 MB chunks: ~10 ms)
  let buffer = Buffer.allocUnsafe(Math.min(MAX_SCENARIO_BYTES + 1, Math.max(stats.size + 1, 1 << 16)));
  let total = 0;
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    for (;;) {
      if (total === buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(MAX_SCENARIO_BYTES + 1, 2 * buffer.length));
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_SCENARIO_BYTES) throw new InputError("holds more than 64 MiB; a scenario is a small .json file", undefined, file);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, undefined, file);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // ASCII (every number-only scenario) decodes as Latin-1, a copy: UTF-8's decoder took ~13 ms for 3 MB
  const bytes = buffer.subarray(0, total);
  return (isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8")).replace(/^\uFEFF/, ""); // a BOM (Windows editors) is not an error
}

/** "Unexpected token } in JSON at position 42" → with line and column. */
function jsonErrorDetail(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  // V8 quotes the text around the error ("Unexpected token 'N', ...\"[NaN, 0]\"... is not valid JSON"),
  // which may span lines: keep it on one line.
  const first = message.replace(/\r?\n/g, "\\n").replace(/[\u0000-\u001f]/g, " ");
  if (!position) return first + hintFor(message);
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${first.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+.*$/, "")} at line ${line} column ${column}${hintFor(message)}`;
}

/** JSON has no NaN, Infinity or comments: say so when the parser trips on one. */
function hintFor(message: string): string {
  if (/Unexpected token '?[NI]/.test(message)) return " (JSON has no NaN or Infinity: use a finite number)";
  if (/Unexpected token '?\//.test(message)) return " (JSON does not allow comments)";
  return "";
}

/** The last default token names made: t0 … t(V−1), shared (read-only) by every scenario of that V. */
let defaultNames: readonly string[] = [];

/** Token names where a scenario gives none, made once per V (65 536 strings took ~7 ms, and a sweep loads twice). */
function defaultTokens(V: number): readonly string[] {
  if (defaultNames.length !== V) defaultNames = Array.from({ length: V }, (_, i) => `t${i}`);
  return defaultNames;
}

/** The scenario's token labels: the file's `tokens`, or t0 … t(V−1), made when first asked for (a sweep never shows them). */
export function tokenNames(scenario: Pick<Scenario, "spec">): readonly string[] {
  return scenario.spec.tokens ?? defaultTokens(scenario.spec.vocab);
}

/** Evaluates expressions and checks the vectors; errors carry the field (the caller adds the file). */
export async function resolveScenario(given: ScenarioSpec, file: string, previous?: Scenario): Promise<Scenario> {
  // text from the file reaches the terminal only escaped (io/terminal-text.ts): done once, here
  const spec: ScenarioSpec = { ...given, name: printable(given.name), description: printable(given.description) };
  const V = spec.vocab;
  if (spec.tokens) checkTokenNames(spec.tokens);
  // `previous`, the same file resolved before (without command-line settings), lends what the spec left as it was
  // compared structurally: JSON.stringify of 65 536-number vectors cost ~100 ms a load
  const same = (pick: (s: ScenarioSpec) => unknown) => previous !== undefined && isDeepStrictEqual(pick(previous.spec), pick(spec));
  const reuse = same((s) => [s.vocab, s.reference, s.reward, s.gold, s.sequence, s.tokens]);
  let scenario: Scenario;
  if (spec.sequence) {
    const resolved =
      reuse && previous?.sequence
        ? { problem: previous.sequence, bandit: previous.problem }
        : await resolveSequence(spec, spec.sequence, tokenNames({ spec }), resolveReference);
    scenario = { spec, file, problem: resolved.bandit, sequence: resolved.problem };
    if (spec.mode !== "exact") sequenceTrainingOf(spec, resolved.problem); // checked here, at the edge
  } else scenario = { spec, file, problem: reuse ? previous!.problem : await resolveProblem(spec) };
  if (spec.controller.kind === "adaptive" && spec.controller.kl === "token-mean" && !spec.sequence) {
    throw new InputError('a token-mean KL needs sequences (a "sequence" block); leave it out or use "sequence"', "controller.kl");
  }
  if (spec.controller.kind === "schedule") {
    scenario.schedule =
      previous?.schedule && same((s) => [s.controller, s.steps]) ? previous.schedule : await compileSchedule(spec.controller.expr, spec.steps);
  }
  if (spec.student) scenario.student = await resolveStudent(spec.student, V);
  if (spec.mode === "sampled" || spec.mode === "expected") checkStepCost(spec);
  if (spec.mode === "sampled") {
    const { default: seedrandom } = await import("seedrandom");
    scenario.randomFor = (seed) => seedrandom.alea(String(seed));
  }
  return scenario;
}

/** One step cannot be interrupted: its work (batch × epochs with V, core sampledStepCost) is bounded. */
function checkStepCost(spec: ScenarioSpec): void {
  const { batch, epochs, algorithm } = spec.sampling;
  const cost = sampledStepCost(spec.vocab, { batch, epochs, algorithm });
  if (cost <= MAX_STEP_COST) return;
  const product = algorithm === "ppo" ? `${epochs} epochs × (V ${spec.vocab} + batch ${batch})` : `V ${spec.vocab} + batch ${batch}`;
  throw new InputError(
    `one step would take ${product} = ${cost} token evaluations, at most ${MAX_STEP_COST}; lower sampling.batch or sampling.epochs`,
    "sampling.batch",
  );
}

/** Token names label charts and tables and key sequence tables: non-empty, distinct, no control characters. */
function checkTokenNames(tokens: readonly string[]): void {
  const seen = new Map<string, number>();
  tokens.forEach((token, i) => {
    if (token.trim() === "") throw new InputError("must not be empty", `tokens[${i}]`);
    if (hasControlCharacters(token))
      throw new InputError(`"${printable(token).slice(0, 40)}" contains a control character; token names are shown on the terminal`, `tokens[${i}]`);
    const before = seen.get(token);
    if (before !== undefined) throw new InputError(`repeats tokens[${before}] ("${token.slice(0, 40)}"); token names must be distinct`, `tokens[${i}]`);
    seen.set(token, i);
  });
}

async function resolveProblem(spec: ScenarioSpec): Promise<Problem> {
  const V = spec.vocab;
  const reference = await resolveReference(spec.reference, V, spec.teacher ? "teacher" : "reference");
  const rewardSpec = perToken(spec.reward, "reward");
  const goldSpec = spec.gold ? perToken(spec.gold, "gold") : null;
  const reward = checkRewards(await resolveVector(rewardSpec, V, "reward"), rewardSpec, "reward");
  const gold = goldSpec ? checkRewards(await resolveVector(goldSpec, V, "gold"), goldSpec, "gold") : null;
  return makeProblem(reference, reward, gold);
}

/** A bandit's reward is per token: a table of sequences needs a sequence block. */
function perToken(reward: RewardSpec, field: string): VectorSpec {
  if ("table" in reward)
    throw new InputError(
      'a table of sequences needs a "sequence" block (sequence mode); a bandit reward is one value per token or { expr: ... }',
      `${field}.table`,
    );
  return reward;
}

function checkRewards(values: Float64Array, vector: VectorSpec, field: string): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Math.abs(v) <= MAX_ABS_REWARD) continue;
    const where = "expr" in vector ? `${field}.expr` : `${field}[${i}]`;
    throw new InputError(
      `${"expr" in vector ? `evaluates to ${v} at i = ${i}` : `is ${v}`}; rewards must lie within ±1e300 so that their expectation cannot overflow`,
      where,
    );
  }
  return values;
}

async function resolveVector(vector: VectorSpec, V: number, field: string): Promise<Float64Array> {
  if ("values" in vector) return Float64Array.from(vector.values);
  const { evaluateVector, ExpressionError } = await import("./expressions.js");
  try {
    return await evaluateVector(vector.expr, V);
  } catch (error) {
    if (error instanceof ExpressionError) throw new InputError(error.message, `${field}.expr`);
    throw error;
  }
}

/** `name`: the field it came from ("teacher" in fit mode). */
export async function resolveReference(reference: ReferenceSpec, V: number, name = "reference"): Promise<Float64Array> {
  if ("probabilities" in reference) {
    const problem = distributionProblem(reference.probabilities, true);
    if (problem) throw new InputError(problem, name);
    return Float64Array.from(reference.probabilities);
  }
  const values = "logits" in reference ? Float64Array.from(reference.logits) : await resolveVector({ expr: reference.expr }, V, name);
  const asLogits = "logits" in reference || reference.as === "logits";
  const field = "logits" in reference ? `${name}.logits` : `${name}.expr`;
  if (asLogits) return softmaxChecked(values, field);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! > 0)) throw new InputError(`weight ${i} is ${values[i]}; reference weights must be > 0`, field);
    total += values[i]!;
  }
  // makeProblem normalises: the sum must be finite and no weight may vanish next to it.
  if (!Number.isFinite(total)) throw new InputError(`the weights sum to ${total}; scale them down (or use "as": "logits")`, field);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! / total > 0)) throw new InputError(`weight ${i} is so small next to the others that its probability underflows to 0`, field);
  }
  return values;
}

/** softmax of logits, refusing logits so spread that some probability underflows to 0. */
function softmaxChecked(logits: Float64Array, field: string): Float64Array {
  const out = softmaxOf(logits);
  const vanished = out.findIndex((p) => !(p > 0));
  if (vanished >= 0) throw new InputError(`logit ${vanished} is so small that its probability underflows to 0`, field);
  return out;
}

/** Compiles β(t) and checks it is finite and ≥ 0 over the scenario's steps (sampled at 201 points). */
async function compileSchedule(expr: string, steps: number): Promise<(t: number) => number> {
  const { compileExpression, ExpressionError } = await import("./expressions.js");
  try {
    const f = await compileExpression(expr, ["t"]);
    for (let k = 0; k <= 200; k++) {
      const t = Math.round((k * steps) / 200);
      const beta = f({ t });
      if (beta < 0) throw new InputError(`evaluates to ${beta} at t = ${t}; beta must be ≥ 0`, "controller.expr");
    }
    // Between the sampled points β(t) may still be non-finite (1/(t-7)): NaN then stops the run as
    // a divergence at that step (the rows before it are kept) instead of escaping as an exception.
    return (t: number) => {
      try {
        return Math.max(0, f({ t }));
      } catch {
        return NaN;
      }
    };
  } catch (error) {
    if (error instanceof ExpressionError) throw new InputError(error.message, "controller.expr");
    throw error;
  }
}

/** The Simulation config for a scenario. */
export function simConfigOf(scenario: Scenario, historyCapacity?: number): SimConfig {
  const { spec } = scenario;
  const config: SimConfig = { penalty: divergenceNamed(spec.penalty), beta: spec.beta, controller: spec.controller, optimizer: spec.optimizer };
  if (scenario.schedule) config.schedule = scenario.schedule;
  const randomFor = scenario.randomFor;
  if (scenario.student) config.model = { name: "student", student: scenario.student };
  else if (scenario.sequence) {
    config.model = { name: "sequence", problem: scenario.sequence };
    if (spec.mode !== "exact") {
      const random = randomFor ?? (() => () => Number.NaN); // expected mode draws nothing
      config.model.training = {
        mode: spec.mode as "sampled" | "expected",
        config: sequenceTrainingOf(spec, scenario.sequence),
        random: () => random(spec.seed),
      };
    }
  } else if (spec.mode !== "exact" && spec.mode !== "fit") {
    const training = { ...spec.sampling, estimator: estimatorNamed(spec.sampling.estimator)!, baseline: baselineNamed(spec.sampling.baseline)! };
    const random = randomFor ?? (() => () => Number.NaN); // expected mode draws nothing
    config.training = { mode: spec.mode, config: training, random: () => random(spec.seed) };
  }
  if (historyCapacity !== undefined) config.historyCapacity = historyCapacity;
  return config;
}
