/**
 * The bad-input corpus, end to end through the real binary. Every case must give exit code 2,
 * exactly one line on stderr that names the file (when there is one) and the field, no stack
 * trace, nothing on stdout, and leave an existing --out file byte-identical (no temp files).
 *
 * Scenario files: test/reliability/corpus/*.json, one bad scenario per file; EXPECTED below says
 * which field each must be blamed on and what the message must say. Command-line cases: ARGS.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { badInputProblem, klsim, ROOT } from "../cli/klsim.js";

const CORPUS = join(ROOT, "test", "reliability", "corpus");
const work = mkdtempSync(join(tmpdir(), "klsim-corpus-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The content every pre-existing output file starts with; it must survive every bad run. */
const PREVIOUS = "step,beta,reward\n0,0.5,0.25\n# a previous run's file: must survive\n";

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** [field the error must name (null: the file as a whole), what the message must say]. */
const EXPECTED: Record<string, [string | null, RegExp]> = {
  // malformed JSON: position given where the parser knows it, one line even when V8 quotes several
  "malformed-json-trailing-comma": [null, /^invalid JSON: .*at line 4 column 1$/],
  "malformed-json-truncated": [null, /^invalid JSON: Unexpected end of JSON input$/],
  "malformed-json-empty-file": [null, /^invalid JSON: Unexpected end of JSON input$/],
  "malformed-json-missing-comma": [null, /^invalid JSON: Expected ',' or '}' after property value at line 4 column 3$/],
  "malformed-json-comment": [null, /^invalid JSON: .*\(JSON does not allow comments\)$/],
  "malformed-json-single-quotes": [null, /^invalid JSON: .*at line 1 column 2$/],
  "not-an-object-array": [null, /^expected an object, got an array$/],
  "not-an-object-string": [null, /^expected an object, got the string "basic"$/],
  // unknown keys: named with their path, with a did-you-mean and the allowed keys
  "unknown-key-top-level-typo": ["betta", /^unknown key \(did you mean "beta"\?\); allowed: name, description, /],
  "unknown-key-optimizer": ["optimizer.momentum", /^unknown key; allowed: kind, lr$/],
  "unknown-key-controller": ["controller.kl_target", /^unknown key .*allowed: kind, target, horizon, kl$/],
  "unknown-key-sampling": ["sampling.klin", /^unknown key \(did you mean "kl_in"\?\)/],
  "unknown-key-reference-object": ["reference.logit", /^unknown key \(did you mean "logits"\?\)/],
  // wrong types
  "wrong-type-beta-string": ["beta", /^expected a number, got the string "0\.5"$/],
  "wrong-type-steps-boolean": ["steps", /^expected a number, got boolean true$/],
  "wrong-type-reward-string": ["reward", /^expected an array of numbers or \{ "expr": "\.\.\." \}, got "1,0,0,0"$/],
  "wrong-type-tokens-numbers": ["tokens[0]", /^expected a string, got number 1$/],
  "wrong-type-controller-string": ["controller", /^expected an object, got the string "adaptive"$/],
  "wrong-type-reference-null": ["reference", /^expected probabilities \[\.\.\.\], \{ "logits": \[\.\.\.\] \} or \{ "expr": "\.\.\." \}$/],
  "wrong-type-reward-entry-null": ["reward[2]", /^expected a number, got null$/],
  "wrong-type-name-blank": ["name", /^must not be empty$/],
  // missing fields
  "missing-reward": ["reward", /^missing \(required\)$/],
  "missing-reference": ["reference", /^missing \(required\)$/],
  "missing-controller-kind": ["controller.kind", /^expected one of "fixed", "adaptive", "schedule", got nothing \(the key is missing\)$/],
  "missing-adaptive-target": ["controller.target", /^expected a number, got nothing \(the key is missing\)$/],
  "missing-vocab-for-expressions": ["vocab", /^cannot tell the vocabulary size/],
  // fit mode: a teacher and a student instead of a reference and a reward
  "fit-missing-teacher": ["teacher", /^missing \(required in fit mode: the distribution the student is fitted to\)$/],
  "fit-missing-student": ["student", /^missing \(required in fit mode: \{ "family": "gaussian" \| "mixture" \| "lowrank", … \}\)$/],
  "fit-with-reward": ["reward", /^not used in fit mode \(the student is fitted to "teacher"; there is no reward\)$/],
  "teacher-outside-fit": ["teacher", /^only for "mode": "fit" \(this scenario's mode is "exact"\)$/],
  "fit-unknown-family": ["student.family", /^expected one of "gaussian", "mixture", "lowrank", got the string "gauss"/],
  "fit-sigma-zero": ["student.sigma", /^must be ≥ 0\.000001, got 0$/],
  "fit-mixture-means-length": ["student.means", /^has 3 entries; expected 2 \(one per component\)$/],
  "fit-features-undefined-symbol": ["student.features.expr", /^unknown symbol "j"/],
  // probabilities: the sum is reported exactly (0.4 + 0.4 + 0.2 + 0.1 = 1.1)
  "reference-sums-to-1.1": ["reference", /^probabilities sum to 1\.1, expected 1$/],
  "reference-sums-to-0.9": ["reference", /^probabilities sum to 0\.9, expected 1$/],
  "reference-zero-mass": ["reference", /^entry 2 is 0; a reference policy must be strictly positive$/],
  "reference-negative-mass": ["reference", /^entry 2 is negative \(-0\.5\)$/],
  "reference-weights-expr-negative": ["reference.expr", /^weight 0 is -1; reference weights must be > 0$/],
  "reference-logits-underflow": ["reference.logits", /^logit 3 is so small that its probability underflows to 0$/],
  "reference-weights-overflow": ["reference.expr", /^the weights sum to Infinity; scale them down/],
  "reference-sum-overflows": ["reference", /^probabilities sum to Infinity \(overflow\), expected 1$/],
  // NaN, Infinity, huge numbers
  "nan-literal": [null, /^invalid JSON: Unexpected token 'N'.*\(JSON has no NaN or Infinity: use a finite number\)$/],
  "infinity-literal": [null, /^invalid JSON: Unexpected token 'I'.*\(JSON has no NaN or Infinity: use a finite number\)$/],
  "nan-as-string": ["beta", /^expected a number, got the string "NaN"$/],
  "huge-number-overflows-to-infinity": ["reward[0]", /^expected a finite number, got Infinity$/],
  "huge-beta-1e400": ["beta", /^expected a finite number, got Infinity$/],
  "huge-reward-1.7e308": ["reward[0]", /^is 1\.7e\+308; rewards must lie within ±1e300/],
  "huge-gold-1e301": ["gold[3]", /^is -1e\+301; rewards must lie within ±1e300/],
  "huge-steps": ["steps", /^must be ≤ 1000000000, got 1000000000000$/],
  // mismatched lengths: both lengths and the field that set V
  "length-mismatch-reward": ["reward", /^has 3 entries but tokens has 4$/],
  "length-mismatch-tokens": ["reference", /^has 4 entries but tokens has 3$/],
  "length-mismatch-gold": ["gold", /^has 5 entries but tokens has 4$/],
  "length-mismatch-vocab": ["tokens", /^has 4 entries but vocab has 5$/],
  // vocabulary size
  "vocab-1-from-arrays": ["reference", /^has 1 entry; the vocabulary must have 2 to 65536 tokens$/],
  "vocab-1-field": ["vocab", /^must be ≥ 2, got 1$/],
  "vocab-beyond-limit": ["vocab", /^must be ≤ 65536, got 65537$/],
  "vocab-not-integer": ["vocab", /^expected a whole number, got 3\.5$/],
  // ranges of β, lr, steps, controllers, optimisers, sampling, seed
  "beta-negative": ["beta", /^must be ≥ 0, got -0\.1$/],
  "lr-zero": ["optimizer.lr", /^must be > 0, got 0$/],
  "lr-negative-adam": ["optimizer.lr", /^must be > 0, got -0\.01$/],
  "steps-zero": ["steps", /^must be ≥ 1, got 0$/],
  "steps-negative": ["steps", /^must be ≥ 1, got -5$/],
  "steps-not-integer": ["steps", /^expected a whole number, got 2\.5$/],
  "adaptive-target-zero": ["controller.target", /^must be > 0, got 0$/],
  "adaptive-horizon-negative": ["controller.horizon", /^must be > 0, got -100$/],
  "adaptive-horizon-zero": ["controller.horizon", /^must be > 0, got 0$/],
  "adam-beta1-one": ["optimizer.beta1", /^must be < 1, got 1$/],
  "sampling-batch-zero": ["sampling.batch", /^must be ≥ 1, got 0$/],
  "seed-negative": ["seed", /^must be ≥ 0, got -1$/],
  // unknown names, with did-you-mean where one is close
  "unknown-penalty": ["penalty", /^expected one of "reverse", "forward", "js", "alpha:A \(0 < A < 1\)", got the string "backward"$/],
  "unknown-penalty-typo": ["penalty", /got the string "revers" \(did you mean "reverse"\?\)$/],
  "unknown-estimator": ["sampling.estimator", /^expected one of "k1", "kl", "k2", "mse", "k3", "low_var_kl", "rho-k3", "abs", "full", got the string "k4"/],
  "unknown-optimizer": ["optimizer.kind", /got the string "adamw" \(did you mean "adam"\?\)$/],
  "unknown-controller-kind": ["controller.kind", /got the string "adaptiv" \(did you mean "adaptive"\?\)$/],
  "unknown-mode": ["mode", /got the string "sample" \(did you mean "sampled"\?\)$/],
  "unknown-algorithm": ["sampling.algorithm", /got the string "ppo2" \(did you mean "ppo"\?\)$/],
  "unknown-kl-in": ["sampling.kl_in", /got the string "rewards" \(did you mean "reward"\?\)$/],
  // expressions, evaluated in the sandbox: parse errors, bad symbols, bad results, attacks
  "expr-does-not-parse": ["reward.expr", /^does not parse: Unexpected end of expression/],
  "expr-undefined-symbol": ["reward.expr", /^unknown symbol "x" \(expressions may use i, V, /],
  "expr-nan": ["reward.expr", /^evaluates to NaN at i = 2, V = 4$/],
  "expr-complex": ["reward.expr", /^evaluates to a complex number at i = 0, V = 4$/],
  "expr-matrix": ["reward.expr", /^arrays and matrices are not allowed: \[i, 2 \* i\]$/],
  "expr-import": ["reward.expr", /^"import" is not allowed \(allowed functions: /],
  "expr-createUnit": ["reward.expr", /^"createUnit" is not allowed \(allowed functions: /],
  "expr-evaluate": ["reward.expr", /^"evaluate" is not allowed \(allowed functions: /],
  "expr-parse": ["reward.expr", /^"parse" is not allowed \(allowed functions: /],
  "expr-simplify": ["reward.expr", /^"simplify" is not allowed \(allowed functions: /],
  "expr-constructor-escape": ["reward.expr", /^property access is not allowed: cos\.constructor$/],
  "expr-bracket-constructor": ["reward.expr", /^property access is not allowed: i\["constructor"\]$/],
  "expr-empty": ["reward.expr", /^must not be empty$/],
  "expr-too-long": ["reward.expr", /^expression is too long \(10001 characters, at most 10000\)$/],
  "expr-combinations-hang": ["reward.expr", /^evaluates to Infinity at i = 0, V = 4$/],
  "expr-huge-value": ["reward.expr", /^evaluates to 1e\+305 at i = 1; rewards must lie within ±1e300/],
  "expr-gold-nan": ["gold.expr", /^evaluates to NaN at i = 0, V = 4$/],
  "expr-reference-logits-complex": ["reference.expr", /^evaluates to a complex number at i = 0, V = 4$/],
  "expr-schedule-negative": ["controller.expr", /^evaluates to -0\.01\d* at t = 505; beta must be ≥ 0$/],
  "expr-schedule-unknown-symbol": ["controller.expr", /^unknown symbol "i" \(expressions may use t, /],
  // issue 12, hostile inputs. Cost: 10 × (combinations 200 + mod 1 + their two name symbols + 60, i, k) + 9 additions = 2069 units × V 65 536.
  "expr-too-costly": ["reward.expr", /^is too costly to evaluate: 2069 operations × 65536 tokens \(V\) = 135593984 \(at most 8000000\); simplify it/],
  // 100 epochs × (V 4 + batch 10⁶) = 100 000 400 > 10⁷: one step could not be interrupted for seconds
  "sampling-step-too-costly": ["sampling.batch", /^one step would take 100 epochs × \(V 4 \+ batch 1000000\) = 100000400 token evaluations, at most 10000000;/],
  "duplicate-key-top-level": ["beta", /^duplicate key \(JSON keeps only the last value; give each key once\)$/],
  "duplicate-key-nested": ["optimizer.lr", /^duplicate key /],
  "number-underflows-to-zero": ["beta", /^1e-400 is too small for a double and would become 0;/],
  "tokens-duplicate": ["tokens[2]", /^repeats tokens\[0\] \("a"\); token names must be distinct$/],
  "tokens-empty": ["tokens[1]", /^must not be empty$/],
  "tokens-control-character": ["tokens[1]", /^"\\u001b\]52;c;cHduZWQ=\\u0007" contains a control character;/],
  "sampling-in-exact-mode": ["sampling", /^is ignored in exact mode; set "mode": "sampled" or "expected", or remove the block$/],
  // a 20 000-character key is echoed by its first 80 characters, and no did-you-mean is computed for it
  "unknown-key-20k-characters": [`${"betaa".repeat(16)}…`, /^unknown key; allowed: name, /],
};

const corpusNames = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5))
  .sort();

/** A fresh directory holding a pre-existing output file; returns both paths. */
function outputFixture(name: string, file = "previous.csv"): { dir: string; out: string } {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, file);
  writeFileSync(out, PREVIOUS);
  return { dir, out };
}

/** The pre-existing file is byte-identical and nothing else (no temp file) was left beside it. */
function expectUntouched(dir: string, out: string): void {
  expect(readFileSync(out, "utf8")).toBe(PREVIOUS);
  expect(readdirSync(dir)).toEqual([out.slice(dir.length + 1)]);
}

describe("bad scenario files", () => {
  it("the corpus has at least 25 cases and every file has an expectation (and vice versa)", () => {
    expect(corpusNames.length).toBeGreaterThanOrEqual(25);
    expect(corpusNames).toEqual(Object.keys(EXPECTED).sort());
  });

  it.concurrent.each(corpusNames)("%s: exit 2, one line naming file and field, --out untouched", async (name) => {
    const expectation = EXPECTED[name];
    if (!expectation) throw new Error(`no expectation for ${name}`);
    const [field, detail] = expectation;
    const file = join(CORPUS, `${name}.json`);
    const { dir, out } = outputFixture(name);
    const result = await klsim(["run", file, "--steps", "5", "--every", "1", "--out", out], { timeout: 30_000 });
    expect(badInputProblem(result), result.stderr).toBeNull();
    const line = result.stderr.trimEnd();
    const prefix = `${file}: ${field === null ? "" : `${field}: `}`;
    expect(line.startsWith(prefix), `expected the prefix "${prefix}" in:\n${line}`).toBe(true);
    expect(line.slice(prefix.length)).toMatch(detail);
    expectUntouched(dir, out);
  });

  // The other commands that take a scenario share the loader: the same line for the same file.
  const sample = ["reference-sums-to-1.1", "unknown-key-top-level-typo", "malformed-json-missing-comma", "lr-zero", "vocab-1-from-arrays"];
  const commands: Array<[string, (file: string, out: string) => string[]]> = [
    ["optimum", (file) => ["optimum", file]],
    ["tui", (file) => ["tui", file]],
    ["sweep", (file, out) => ["sweep", file, "--beta", "0.1,1", "--out", out]],
  ];
  const crossCases = sample.flatMap((name) => commands.map(([command, args]) => ({ name, command, args })));
  it.concurrent.each(crossCases)("$name via klsim $command: the same one line", async ({ name, command, args }) => {
    const file = join(CORPUS, `${name}.json`);
    const { dir, out } = outputFixture(`${name}-${command}`);
    const result = await klsim(args(file, out), { timeout: 30_000 });
    expect(badInputProblem(result), result.stderr).toBeNull();
    const [field, detail] = EXPECTED[name]!;
    const line = result.stderr.trimEnd();
    const prefix = `${file}: ${field === null ? "" : `${field}: `}`;
    expect(line.startsWith(prefix), line).toBe(true);
    expect(line.slice(prefix.length)).toMatch(detail);
    expectUntouched(dir, out);
  });
});

/** A directory that cannot be written even by root (chmod is no obstacle to root): /sys, or null. */
function readOnlyDirectory(): string | null {
  const dir = join(work, "read-only");
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o555);
  try {
    writeFileSync(join(dir, "probe"), "");
    rmSync(join(dir, "probe"));
  } catch {
    return dir; // not root: chmod is enough
  }
  for (const candidate of ["/sys", "/proc/self"]) {
    try {
      writeFileSync(join(candidate, "klsim-probe.csv"), "");
      rmSync(join(candidate, "klsim-probe.csv"), { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EACCES" || (error as NodeJS.ErrnoException).code === "EROFS") return candidate;
    }
  }
  return null;
}

interface ArgCase {
  /** What the case is about. */
  name: string;
  /** Arguments; {PRE} is a pre-existing output file, {SCENARIO} a copy of basic.json, {DIR} a directory ({DIR}.json and {DIR}.csv too), {FILE} a missing file. */
  args: string[];
  /** The whole stderr line (a string must match exactly, placeholders substituted), or a pattern. */
  line: RegExp | string;
}

const ARGS: ArgCase[] = [
  // flags of `klsim run`
  {
    name: "typo'd flag gets a suggestion",
    args: ["run", "basic", "--stesp", "3", "--out", "{PRE}"],
    line: "--stesp: unknown option for 'klsim run' (did you mean --steps?); see klsim run --help",
  },
  { name: "--steps 0", args: ["run", "basic", "--steps", "0", "--out", "{PRE}"], line: "--steps: must be ≥ 1, got 0" },
  { name: "--steps not an integer", args: ["run", "basic", "--steps", "2.5", "--out", "{PRE}"], line: "--steps: expected a whole number, got '2.5'" },
  { name: "--steps not a number", args: ["run", "basic", "--steps", "many", "--out", "{PRE}"], line: "--steps: expected a whole number, got 'many'" },
  { name: "--steps beyond the limit", args: ["run", "basic", "--steps", "1e10", "--out", "{PRE}"], line: "--steps: must be ≤ 1000000000, got 10000000000" },
  { name: "--steps without a value", args: ["run", "basic", "--out", "{PRE}", "--steps"], line: "--steps: needs a value (N)" },
  { name: "--beta negative", args: ["run", "basic", "--beta", "-1", "--out", "{PRE}"], line: "--beta: must be ≥ 0, got -1" },
  { name: "--beta NaN", args: ["run", "basic", "--beta", "NaN", "--out", "{PRE}"], line: "--beta: expected a number, got 'NaN'" },
  { name: "--beta Infinity", args: ["run", "basic", "--beta=Infinity", "--out", "{PRE}"], line: "--beta: expected a number, got 'Infinity'" },
  { name: "--beta overflowing", args: ["run", "basic", "--beta", "1e400", "--out", "{PRE}"], line: "--beta: expected a number, got '1e400'" },
  { name: "--lr 0", args: ["run", "basic", "--lr", "0", "--out", "{PRE}"], line: "--lr: must be > 0, got 0" },
  { name: "--lr negative", args: ["run", "basic", "--lr", "-0.1", "--out", "{PRE}"], line: "--lr: must be > 0, got -0.1" },
  { name: "--every 0", args: ["run", "basic", "--every", "0", "--out", "{PRE}"], line: "--every: must be ≥ 1, got 0" },
  { name: "--seed negative", args: ["run", "basic", "--seed", "-3", "--out", "{PRE}"], line: "--seed: must be ≥ 0, got -3" },
  {
    name: "--penalty unknown",
    args: ["run", "basic", "--penalty", "backward", "--out", "{PRE}"],
    line: "--penalty: expected one of reverse, forward, js, alpha:A (0 < A < 1), got 'backward'",
  },
  {
    name: "--penalty typo",
    args: ["run", "basic", "--penalty", "foward", "--out", "{PRE}"],
    line: "--penalty: expected one of reverse, forward, js, alpha:A (0 < A < 1), got 'foward' (did you mean forward?)",
  },
  { name: "a value for a boolean flag", args: ["run", "basic", "--json=yes", "--out", "{PRE}"], line: "--json: takes no value" },
  {
    name: "--beta on a schedule scenario",
    args: ["run", "schedule", "--beta", "1", "--out", "{PRE}"],
    line: "--beta: cannot override beta of a schedule controller (edit controller.expr instead)",
  },
  { name: "missing scenario argument", args: ["run", "--out", "{PRE}"], line: "klsim run: missing <scenario>; usage: klsim run <scenario> [options]" },
  {
    name: "extra argument",
    args: ["run", "basic", "extra", "--out", "{PRE}"],
    line: "klsim run: unexpected argument 'extra'; usage: klsim run <scenario> [options]",
  },
  // scenario paths
  { name: "non-existent scenario path", args: ["run", "{FILE}", "--out", "{PRE}"], line: "{FILE}: no such file" },
  {
    name: "non-existent scenario name",
    args: ["run", "basik", "--out", "{PRE}"],
    line: /^basik: no such scenario \(known: adaptive, .*basic, .*; or give a path to a \.json file\)$/,
  },
  { name: "a directory as the scenario (path)", args: ["run", "{DIR}/", "--out", "{PRE}"], line: "{DIR}/: is a directory, expected a scenario .json file" },
  {
    name: "a directory as the scenario (.json name)",
    args: ["run", "{DIR}.json", "--out", "{PRE}"],
    line: "{DIR}.json: is a directory, expected a scenario .json file",
  },
  // --out
  {
    name: "--out into a missing directory",
    args: ["run", "basic", "--steps", "5", "--out", "{DIR}/missing/out.csv"],
    line: "--out: directory {DIR}/missing does not exist",
  },
  { name: "--out is a directory", args: ["run", "basic", "--steps", "5", "--out", "{DIR}"], line: "--out: {DIR} is a directory" },
  { name: "--out is a directory named .json", args: ["run", "basic", "--steps", "5", "--out", "{DIR}.json"], line: "--out: {DIR}.json is a directory" },
  { name: "--out is a directory named .csv", args: ["run", "basic", "--steps", "5", "--out", "{DIR}.csv"], line: "--out: {DIR}.csv is a directory" },
  { name: "--out under a regular file", args: ["run", "basic", "--steps", "5", "--out", "{SCENARIO}/out.csv"], line: "--out: {SCENARIO} is not a directory" },
  {
    name: "--out with an unknown extension",
    args: ["run", "basic", "--steps", "5", "--out", "{DIR}/out.txt"],
    line: "--out: unknown file type '.txt' for {DIR}/out.txt; use .csv, .json or .ndjson",
  },
  {
    name: "--out is the scenario file itself",
    args: ["run", "{SCENARIO}", "--steps", "5", "--out", "{SCENARIO}"],
    line: "--out: {SCENARIO} is the scenario file; refusing to overwrite it",
  },
  // klsim kl
  { name: "kl: p sums to 1.1", args: ["kl", "0.4,0.4,0.2,0.1", "0.25,0.25,0.25,0.25"], line: "p: probabilities sum to 1.1, expected 1 (or pass --normalize)" },
  { name: "kl: q sums to 0.9", args: ["kl", "0.5,0.5", "0.45,0.45"], line: "q: probabilities sum to 0.9, expected 1 (or pass --normalize)" },
  { name: "kl: lengths differ", args: ["kl", "0.5,0.5", "0.2,0.3,0.5"], line: "q: p has 2 entries but q has 3" },
  { name: "kl: negative entry", args: ["kl", "-0.5,1.5", "0.5,0.5"], line: "p: entry 0 is negative (-0.5)" },
  { name: "kl: not a number", args: ["kl", "0.5,abc", "0.5,0.5"], line: "p: entry 1 is 'abc', expected a finite number" },
  { name: "kl: NaN entry", args: ["kl", "0.5,0.5", "NaN,1"], line: "q: entry 0 is 'NaN', expected a finite number" },
  { name: "kl: Infinity entry", args: ["kl", "0.5,0.5", "Infinity,0"], line: "q: entry 0 is 'Infinity', expected a finite number" },
  {
    name: "kl: entries whose sum overflows",
    args: ["kl", "1e308,1e308", "0.5,0.5"],
    line: "p: probabilities sum to Infinity (overflow), expected 1 (or pass --normalize)",
  },
  { name: "kl: one entry", args: ["kl", "1", "1"], line: "p: needs at least 2 entries, got 1" },
  { name: "kl: empty entries", args: ["kl", "0.5,,0.5", "0.5,0,0.5"], line: "p: entry 1 is '', expected a finite number" },
  { name: "kl: all zeros with --normalize", args: ["kl", "0,0", "1,1", "--normalize"], line: "p: all entries are 0; nothing to normalise" },
  { name: "kl: --base 10", args: ["kl", "0.5,0.5", "0.5,0.5", "--base", "10"], line: "--base: expected one of e, 2, got '10' (did you mean e?)" },
  { name: "kl: missing q", args: ["kl", "0.5,0.5"], line: "klsim kl: missing <q>; usage: klsim kl <p> <q> [options]" },
  // klsim optimum
  {
    name: "optimum: typo'd flag",
    args: ["optimum", "basic", "--bta", "1"],
    line: "--bta: unknown option for 'klsim optimum' (did you mean --beta?); see klsim optimum --help",
  },
  { name: "optimum: --beta negative", args: ["optimum", "basic", "--beta", "-0.5"], line: "--beta: must be ≥ 0, got -0.5" },
  // klsim sweep
  { name: "sweep: --beta missing", args: ["sweep", "basic", "--out", "{PRE}"], line: "--beta: is required (e.g. --beta 0.01:10:20:log)" },
  {
    name: "sweep: --beta range not numbers",
    args: ["sweep", "basic", "--beta", "a:b:3", "--out", "{PRE}"],
    line: "--beta: range ends must be numbers ≥ 0, got 'a:b:3'",
  },
  {
    name: "sweep: --beta zero points",
    args: ["sweep", "basic", "--beta", "0:1:0", "--out", "{PRE}"],
    line: "--beta: N must be a whole number from 1 to 100000, got '0'",
  },
  {
    name: "sweep: --beta negative entry",
    args: ["sweep", "basic", "--beta", "-1,2", "--out", "{PRE}"],
    line: "--beta: entry 0 is '-1', expected a number ≥ 0",
  },
  { name: "sweep: log range from 0", args: ["sweep", "basic", "--beta", "0:1:5:log", "--out", "{PRE}"], line: "--beta: a log range needs A > 0 and B > 0" },
  { name: "sweep: --jobs 0", args: ["sweep", "basic", "--beta", "0.1", "--jobs", "0", "--out", "{PRE}"], line: "--jobs: must be ≥ 1, got 0" },
  {
    name: "sweep: a schedule scenario",
    args: ["sweep", "schedule", "--beta", "0.1", "--out", "{PRE}"],
    line: /^\/.*scenarios\/schedule\.json: controller: a schedule controller fixes β; sweep needs a fixed or adaptive one$/,
  },
  {
    name: "sweep: --out into a missing directory",
    args: ["sweep", "basic", "--beta", "0.1", "--steps", "5", "--out", "{DIR}/missing/s.csv"],
    line: "--out: directory {DIR}/missing does not exist",
  },
  {
    name: "sweep: --out is the scenario",
    args: ["sweep", "{SCENARIO}", "--beta", "0.1", "--steps", "5", "--out", "{SCENARIO}"],
    line: "--out: {SCENARIO} is the scenario file; refusing to overwrite it",
  },
  // the default command, scenarios, bench
  {
    name: "typo'd command",
    args: ["rnu", "basic"],
    line: "klsim tui: unexpected argument 'basic'; usage: klsim tui [scenario] [options] (or did you mean 'klsim run'?)",
  },
  { name: "typo'd command alone", args: ["optimun"], line: /^optimun: no such scenario \(known: .*\) \(or did you mean 'klsim optimum'\?\)$/ },
  { name: "tui: typo'd flag", args: ["basic", "--stesp", "3"], line: "--stesp: unknown option for 'klsim tui' (did you mean --steps?); see klsim tui --help" },
  { name: "bench: --vocab 1", args: ["bench", "--vocab", "1"], line: "--vocab: expected whole numbers from 2 to 65536, got '1'" },
  { name: "bench: --size without --frames", args: ["bench", "--size", "80x24"], line: "--size: needs --frames" },
  {
    name: "bench: --size too small",
    args: ["bench", "--frames", "basic", "--size", "20x5"],
    line: "--size: expected COLSxROWS from 40x12 to 500x200, e.g. 200x60, got '20x5'",
  },
  { name: "bench: unknown engine", args: ["bench", "--engine", "gpu"], line: "--engine: expected one of fast, wasm, plain, both, all, got 'gpu'" },
  // issue 12: numbers are plain decimals; sweep ranges have both ends; echoed input is clipped
  {
    name: "--beta in hexadecimal",
    args: ["run", "basic", "--beta", "0x10", "--out", "{PRE}"],
    line: "--beta: expected a decimal number, got '0x10' (hexadecimal, binary and octal are not accepted)",
  },
  {
    name: "--steps in binary",
    args: ["run", "basic", "--steps", "0b101", "--out", "{PRE}"],
    line: "--steps: expected a decimal number, got '0b101' (hexadecimal, binary and octal are not accepted)",
  },
  {
    name: "--beta that underflows to 0",
    args: ["run", "basic", "--beta", "1e-400", "--out", "{PRE}"],
    line: "--beta: 1e-400 is too small for a double and would become 0; give 0 or a number ≥ 1e-300",
  },
  { name: "--beta padded with spaces", args: ["run", "basic", "--beta", " 1 ", "--out", "{PRE}"], line: "--beta: expected a number, got ' 1 '" },
  {
    name: "--set value that underflows to 0",
    args: ["run", "basic", "--set", "beta=1e-400", "--out", "{PRE}"],
    line: "--set beta: 1e-400 is too small for a double and would become 0; write 0 or a number ≥ 1e-300",
  },
  { name: "sweep: empty range end", args: ["sweep", "basic", "--beta", "1::5", "--out", "{PRE}"], line: "--beta: range ends must be numbers ≥ 0, got '1::5'" },
  { name: "sweep: empty range start", args: ["sweep", "basic", "--beta", "::3", "--out", "{PRE}"], line: "--beta: range ends must be numbers ≥ 0, got '::3'" },
  { name: "sweep: hexadecimal entry", args: ["sweep", "basic", "--beta", "0x1,2", "--out", "{PRE}"], line: "--beta: entry 0 is '0x1', expected a number ≥ 0" },
  {
    name: "a 5000-character unknown flag is clipped, without did-you-mean",
    args: ["run", "basic", `--${"stesp".repeat(1000)}`, "--out", "{PRE}"],
    line: `${`--${"stesp".repeat(1000)}`.slice(0, 80)}…: unknown option for 'klsim run'; see klsim run --help`,
  },
  { name: "scenarios: extra argument", args: ["scenarios", "extra"], line: "klsim scenarios: unexpected argument 'extra'; usage: klsim scenarios [options]" },
];

describe("bad command lines", () => {
  const readOnly = readOnlyDirectory();

  it.concurrent.each(ARGS.map((c, index) => ({ ...c, index })))("$name", async ({ index, args, line }) => {
    const dir = join(work, `args-${index}`);
    const target = join(dir, "target");
    mkdirSync(join(target + ".json"), { recursive: true }); // DIR.json and DIR.csv are directories
    mkdirSync(join(target + ".csv"), { recursive: true });
    mkdirSync(target, { recursive: true });
    const pre = join(dir, "previous.csv");
    writeFileSync(pre, PREVIOUS);
    const scenario = join(dir, "scenario.json");
    writeFileSync(scenario, readFileSync(join(ROOT, "scenarios", "basic.json")));
    const substitute = (text: string) =>
      text.replaceAll("{SCENARIO}", scenario).replaceAll("{PRE}", pre).replaceAll("{FILE}", join(dir, "no-such-scenario.json")).replaceAll("{DIR}", target);
    const result = await klsim(args.map(substitute), { cwd: dir, timeout: 30_000 });
    expect(badInputProblem(result), result.stderr).toBeNull();
    const expected = typeof line === "string" ? new RegExp(`^${regexEscape(substitute(line))}$`) : line;
    expect(result.stderr.trimEnd()).toMatch(expected);
    expect(readFileSync(pre, "utf8")).toBe(PREVIOUS);
    expect(readFileSync(scenario, "utf8")).toBe(readFileSync(join(ROOT, "scenarios", "basic.json"), "utf8"));
    expect(readdirSync(dir).sort()).toEqual(["previous.csv", "scenario.json", "target", "target.csv", "target.json"]);
  });

  it.skipIf(readOnly === null)("--out into a read-only directory", async () => {
    const out = join(readOnly!, "out.csv");
    const result = await klsim(["run", "basic", "--steps", "5", "--out", out], { timeout: 30_000 });
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr.trimEnd()).toMatch(
      new RegExp(`^--out: cannot write ${regexEscape(out)}: (permission denied \\(EACCES\\)|read-only file system \\(EROFS\\))$`),
    );
  });

  it("--out naming a read-only (0444) file: refused, the file untouched", async () => {
    const dir = join(work, "read-only-file");
    mkdirSync(dir, { recursive: true });
    const out = join(dir, "kept.csv");
    writeFileSync(out, PREVIOUS);
    chmodSync(out, 0o444);
    const result = await klsim(["run", "basic", "--steps", "5", "--out", out], { timeout: 30_000 });
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr.trimEnd()).toBe(`--out: ${out} is read-only (mode 444); refusing to replace it`);
    expectUntouched(dir, out);
  });

  it("a bare name that is also a directory in the working directory still finds the shipped scenario", async () => {
    const dir = join(work, "shadow");
    mkdirSync(join(dir, "basic"), { recursive: true });
    const result = await klsim(["optimum", "basic", "--json"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).policy[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 3), 12); // π* ∝ π_ref·exp(r/β), β = 0.5
  });

  it("a UTF-8 byte-order mark (Windows editors) is not an error", async () => {
    const file = join(work, "bom.json");
    writeFileSync(file, "\uFEFF" + readFileSync(join(ROOT, "scenarios", "basic.json"), "utf8"));
    const result = await klsim(["optimum", file, "--json"]);
    expect(result.code, result.stderr).toBe(0);
  });
});
