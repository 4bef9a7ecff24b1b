/** `klsim best-of-n`: the exact best-of-n policy per n, its KL against π_ref beside the analytic bound, its rewards. */
import { InputError } from "../errors.js";
import { type BestOfN, bestOfN } from "../explore/best-of-n.js";
import { tokenNames } from "../scenario/loader.js";
import { jsonNumber } from "../sim/record-format.js";
import { booleanFlag, type CommandSpec, type FlagSpec, type ParsedArgs, stringFlag } from "./args.js";
import { fmt } from "./final-summary.js";
import type { Io } from "./io.js";
import { JSON_FLAG, loadScenarioFor, SET_FLAG } from "./overrides.js";
import { formatTable, parseBetaList } from "./sweep.js";

export const N_FLAG: FlagSpec = {
  name: "n",
  type: "string",
  value: "LIST|A:B",
  describe: "numbers of draws: 1,4,16 or 1:64 (every n) or 1:1e6:40:log (N points, rounded)",
};

export const bestOfNSpec: CommandSpec = {
  name: "best-of-n",
  summary:
    "Exact best-of-n: draw n from π_ref, keep the highest proxy reward. π_bon(y) = F(y)ⁿ − F⁻(y)ⁿ (F the reward CDF under π_ref; a tie group's mass shared in proportion to π_ref), its KL against π_ref beside the bound log n − (n−1)/n (Beirami et al. 2024), its proxy and gold reward.",
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ or a path to a .json file" }],
  flags: [N_FLAG, SET_FLAG, JSON_FLAG],
  examples: ["klsim best-of-n reward-hacking --n 1,2,4,16,64,256", "klsim best-of-n basic --n 1:10 --json"],
};

const MAX_N = 1e15;
const MAX_COUNT = 100_000;

/** "1,4,16" | "A:B" (every whole n) | "A:B:N[:log]" (rounded, duplicates dropped) → the n values, each a whole number ≥ 1. */
export function parseNList(text: string, field = "--n"): number[] {
  const parts = text.split(":");
  let values: number[];
  if (parts.length === 2) {
    const [a, b] = parts.map((p) => (p.trim() === "" ? NaN : Number(p))) as [number, number];
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < a) throw new InputError(`expected A:B with whole numbers 1 ≤ A ≤ B, got '${text}'`, field);
    if (b - a + 1 > MAX_COUNT) throw new InputError(`A:B covers ${b - a + 1} values; at most ${MAX_COUNT} (use A:B:N:log)`, field);
    values = Array.from({ length: b - a + 1 }, (_, k) => a + k);
  } else if (parts.length > 2) values = [...new Set(parseBetaList(text, field).map(Math.round))];
  else values = text.split(",").map((part) => (part.trim() === "" ? NaN : Number(part)));
  values.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1 || n > MAX_N)
      throw new InputError(`entry ${i} is '${text.split(",")[i] ?? n}', expected a whole number from 1 to 1e15`, field);
  });
  return values;
}

export function bestOfNJson(b: BestOfN): Record<string, unknown> {
  return {
    n: b.n,
    reverse_kl: jsonNumber(b.reverseKL),
    forward_kl: jsonNumber(b.forwardKL),
    bound: jsonNumber(b.bound),
    gap: jsonNumber(b.gap),
    reward: jsonNumber(b.reward),
    gold_reward: b.goldReward === null ? null : jsonNumber(b.goldReward),
    policy: Array.from(b.policy, jsonNumber),
  };
}

export async function bestOfNCommand(args: ParsedArgs, io: Io): Promise<number> {
  const text = stringFlag(args, "n");
  if (text === undefined) throw new InputError("is required (e.g. --n 1,2,4,16,64)", "--n");
  const ns = parseNList(text);
  const scenario = await loadScenarioFor(args, args.positionals[0]!);
  const results = ns.map((n) => bestOfN(scenario.problem, n));
  if (booleanFlag(args, "json")) {
    io.out(JSON.stringify({ scenario: scenario.spec.name, tokens: tokenNames(scenario), best_of_n: results.map(bestOfNJson) }) + "\n");
    return 0;
  }
  const table = formatTable(
    ["n", "reverse_kl", "bound", "gap", "reward", "gold", "forward_kl"],
    results.map((b) => [String(b.n), fmt(b.reverseKL), fmt(b.bound), fmt(b.gap), fmt(b.reward), fmt(b.goldReward), fmt(b.forwardKL)]),
  );
  io.out(
    `${JSON.stringify(scenario.spec.name).slice(1, -1)}: best-of-n from π_ref by the proxy reward; reverse_kl = KL(π_bon‖π_ref) ≤ bound = log n − (n−1)/n\n\n${table}`,
  );
  return 0;
}
