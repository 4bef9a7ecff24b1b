/**
 * Sequence scenario files: the format of DESIGN §3 "Sequence scenarios" (reference by expression of
 * i, t, prev; rewards by expression of L, count(k), at(t) or by table) lands where it should — values
 * checked against hand computations — and every bad input is one line naming the file and the field.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { loadScenario, tokenNames } from "../../src/scenario/loader.js";
import { nodeOf } from "../core/sequence/enumeration.js";

const dir = mkdtempSync(join(tmpdir(), "klsim-seq-"));
let count = 0;
function file(body: Record<string, unknown>): string {
  const path = join(dir, `s${count++}.json`);
  writeFileSync(path, JSON.stringify({ description: "a sequence scenario written by the tests", tokens: ["a", "b", "end"], ...body }));
  return path;
}
const base = { reference: [0.5, 0.25, 0.25], sequence: { horizon: 3, eos: "end" }, reward: { expr: "L" } };

async function failure(body: Record<string, unknown>): Promise<string> {
  const path = file(body);
  try {
    await loadScenario(path);
  } catch (error) {
    if (error instanceof InputError) return error.message.replace(path, "FILE");
    throw error;
  }
  throw new Error("expected the scenario to be refused");
}

/** The sequence index of a token list (names), through the tree. */
function rewardAt(scenario: Awaited<ReturnType<typeof loadScenario>>, names: string[]): number {
  const tree = scenario.sequence!.tree;
  const seq = names.map((n) => tokenNames(scenario).indexOf(n));
  const node = nodeOf(tree, seq.slice(0, -1));
  return scenario.problem.reward[-1 - tree.next[node * tree.V + seq[seq.length - 1]!]!]!;
}

describe("sequence scenarios load", () => {
  it("eos by name: V = 3, T = 3 with eos has 1 + 2 + 4 = 7 prefixes and 7 + 2³ = 15 sequences", async () => {
    const s = await loadScenario(file(base));
    expect([s.sequence!.tree.nodes, s.sequence!.tree.sequences, s.sequence!.tree.eos]).toEqual([7, 15, 2]);
    expect(s.problem.V).toBe(15); // the Simulation's problem is the bandit over the sequences
  });

  it("rewards of L, count(k) and at(t), hand-checked on a few sequences", async () => {
    const s = await loadScenario(file({ ...base, reward: { expr: "10 * L + count(0) + 100 * at(1)" } }));
    expect(rewardAt(s, ["a", "b", "a"])).toBe(30 + 2 + 100); // L = 3, two a's, at(1) = b = 1
    expect(rewardAt(s, ["b", "end"])).toBe(10 + 0 - 100); // L = 1: at(1) is past the end, −1
    expect(rewardAt(s, ["end"])).toBe(0 - 100);
  });

  it("a table keyed by token names (eos left out), others the default", async () => {
    const s = await loadScenario(file({ ...base, reward: { table: { "a b": 2, "": -1, "b b b": 5 }, default: 0.5 } }));
    expect(rewardAt(s, ["a", "b", "end"])).toBe(2);
    expect(rewardAt(s, ["end"])).toBe(-1);
    expect(rewardAt(s, ["b", "b", "b"])).toBe(5);
    expect(rewardAt(s, ["a", "a", "a"])).toBe(0.5);
  });

  it("a reference by expression of i, t and prev: π_ref(·|t, prev) by hand", async () => {
    const s = await loadScenario(file({ ...base, reference: { expr: "1 + (i == prev) + t * (i == 2)" } }));
    const { ref, context, tree } = s.sequence!;
    const row = (prefix: number[]) => Array.from(ref.subarray(context[nodeOf(tree, prefix)]! * 3, context[nodeOf(tree, prefix)]! * 3 + 3));
    const close = (a: number[], b: number[]) => a.forEach((x, k) => expect(x).toBeCloseTo(b[k]!, 15));
    close(row([]), [1 / 3, 1 / 3, 1 / 3]); // t = 0, prev = −1
    close(row([1]), [1 / 5, 2 / 5, 2 / 5]); // t = 1, prev = b: weights 1, 2, 2
    close(row([0, 0]), [2 / 6, 1 / 6, 3 / 6]); // t = 2, prev = a: weights 2, 1, 3
  });
});

describe("bad sequence scenarios: one line naming the file and field", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      "too many prefixes",
      { ...base, tokens: ["a", "b", "c", "d", "e"], reference: [0.2, 0.2, 0.2, 0.2, 0.2], sequence: { horizon: 9 } },
      /^FILE: sequence\.horizon: V = 5, horizon 9 gives more than 100000 prefixes/,
    ],
    ["an unknown eos", { ...base, sequence: { horizon: 3, eos: "stop" } }, /^FILE: sequence\.eos: no token named "stop"/],
    ["a per-token reward", { ...base, reward: [1, 0, 0] }, /^FILE: reward: a sequence scenario rewards whole sequences/],
    ["an unknown symbol", { ...base, reward: { expr: "count(0) + i" } }, /^FILE: reward\.expr: unknown symbol "i"/],
    ["a table key with an unknown token", { ...base, reward: { table: { "a zz": 1 } } }, /^FILE: reward\.table\."a zz": no token named "zz"/],
    ["a table key with eos", { ...base, reward: { table: { "a end": 1 } } }, /^FILE: reward\.table\."a end": keys name the tokens before eos/],
    ["a table key too long", { ...base, reward: { table: { "a a a a": 1 } } }, /^FILE: reward\.table\."a a a a": has 4 tokens, more than the horizon 3/],
    [
      "a table on a bandit",
      { tokens: ["a", "b"], reference: [0.5, 0.5], reward: { table: { a: 1 } } },
      /^FILE: reward\.table: a table of sequences needs a "sequence" block/,
    ],
    [
      "a reference weight ≤ 0 at some (t, prev)",
      { ...base, reference: { expr: "t == 2 and prev == 1 ? 0 : 1" } },
      /^FILE: reference\.expr: at t = 2, prev = 1: weight 0 is 0/,
    ],
    [
      "full as a per-token estimator",
      { ...base, mode: "expected", sampling: { batch: 2, estimator: "full" } },
      /^FILE: sampling\.estimator: "full" is not a per-token estimator/,
    ],
    ["PPO", { ...base, mode: "sampled", sampling: { batch: 2, algorithm: "ppo" } }, /^FILE: sampling\.algorithm: sequence training is REINFORCE/],
    [
      "token-mean on a bandit",
      { tokens: ["a", "b"], reference: [0.5, 0.5], reward: [1, 0], controller: { kind: "adaptive", target: 0.1, kl: "token-mean" } },
      /^FILE: controller\.kl: a token-mean KL needs sequences/,
    ],
    ["an unknown placement", { ...base, mode: "expected", sampling: { kl_placement: "token-rewrd" } }, /^FILE: sampling\.kl_placement: expected one of/],
  ];
  it.each(cases)("%s", async (_label, body, pattern) => {
    const message = await failure(body);
    expect(message).toMatch(pattern);
    expect(message).not.toContain("\n");
  });
});
