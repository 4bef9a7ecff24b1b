/** `klsim kl`: divergences between two distributions given on the command line. */
import { distributionProblem, normalizedOf } from "../core/distributions.js";
import { crossEntropy, entropy, inBase, jensenShannon, klDivergence, type LogBase } from "../core/information.js";
import { InputError } from "../errors.js";
import { jsonNumber } from "../sim/record-format.js";
import { booleanFlag, stringFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { JSON_FLAG } from "./overrides.js";
import { fmt } from "./final-summary.js";

export const klSpec: CommandSpec = {
  name: "kl",
  summary: "Divergences of two distributions p and q (comma-separated; zeros allowed). KL(p‖q) is +Infinity where q is 0 and p is not.",
  positionals: [
    { name: "p", required: true, describe: "e.g. 0.5,0.3,0.2 (must sum to 1 within 1e-9·V)" },
    { name: "q", required: true, describe: "same length as p" },
  ],
  flags: [
    { name: "base", type: "string", value: "e|2", describe: "logarithm base: e (nats, default) or 2 (bits)", choices: ["e", "2"] },
    { name: "normalize", type: "boolean", describe: "rescale p and q to sum to 1 instead of refusing them" },
    JSON_FLAG,
  ],
  examples: ["klsim kl 0.5,0.3,0.2 0.6,0.2,0.2", "klsim kl 0.5,0.5,0 0.25,0.25,0.5 --base 2 --json", "klsim kl 2,1,1 1,1,2 --normalize"],
};

/** Parses "0.5,0.3,0.2" strictly: every entry a finite number ≥ 0. */
export function parseDistribution(text: string, name: string, normalize: boolean): Float64Array {
  const parts = text.split(",");
  const values = new Float64Array(parts.length);
  parts.forEach((part, i) => {
    const trimmed = part.trim();
    const value = trimmed === "" ? NaN : Number(trimmed);
    if (!Number.isFinite(value)) throw new InputError(`entry ${i} is '${part}', expected a finite number`, name);
    if (value < 0) throw new InputError(`entry ${i} is negative (${trimmed})`, name);
    values[i] = value;
  });
  if (values.length < 2) throw new InputError(`needs at least 2 entries, got ${values.length}`, name);
  if (normalize) {
    // Scaled by the largest entry first, so that entries like 1e308 do not overflow the sum.
    const largest = values.reduce((a, b) => Math.max(a, b), 0);
    if (!(largest > 0)) throw new InputError("all entries are 0; nothing to normalise", name);
    return normalizedOf(values.map((x) => x / largest));
  }
  const problem = distributionProblem(values);
  if (problem) throw new InputError(`${problem} (or pass --normalize)`, name);
  return values;
}

export function klCommand(args: ParsedArgs, io: Io): number {
  const normalize = booleanFlag(args, "normalize");
  const p = parseDistribution(args.positionals[0]!, "p", normalize);
  const q = parseDistribution(args.positionals[1]!, "q", normalize);
  if (p.length !== q.length) throw new InputError(`p has ${p.length} entries but q has ${q.length}`, "q");
  const base = (stringFlag(args, "base") ?? "e") as LogBase;
  const result = {
    kl_pq: inBase(klDivergence(p, q), base),
    kl_qp: inBase(klDivergence(q, p), base),
    entropy_p: inBase(entropy(p), base),
    entropy_q: inBase(entropy(q), base),
    cross_entropy_pq: inBase(crossEntropy(p, q), base),
    cross_entropy_qp: inBase(crossEntropy(q, p), base),
    js: inBase(jensenShannon(p, q), base),
  };
  if (booleanFlag(args, "json")) {
    const json = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, jsonNumber(v)]));
    io.out(JSON.stringify({ ...json, base: base === "2" ? "2" : "e" }) + "\n");
    return 0;
  }
  const unit = base === "2" ? "bits" : "nats";
  const rows: Array<[string, number]> = [
    ["KL(p‖q)", result.kl_pq],
    ["KL(q‖p)", result.kl_qp],
    ["H(p)", result.entropy_p],
    ["H(q)", result.entropy_q],
    ["H(p, q)", result.cross_entropy_pq],
    ["H(q, p)", result.cross_entropy_qp],
    ["JS(p, q)", result.js],
  ];
  io.out(rows.map(([label, value]) => `${label.padEnd(10)}${fmt(value).padStart(12)} ${unit}`).join("\n") + "\n");
  return 0;
}
