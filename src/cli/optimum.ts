/** `klsim optimum`: the closed-form maximiser of E_π[r] − β·KL for a scenario. */
import { divergenceNamed, PENALTY_SYNTAX } from "../core/divergences/registry.js";
import { outcomeNamer, simConfigOf, tokenNames } from "../scenario/loader.js";
import { optimumPolicyOf } from "../sim/steppers.js";
import { metricsOf } from "../core/metrics.js";
import { booleanFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { BETA_FLAG, JSON_FLAG, loadScenarioFor, PENALTY_FLAG, SET_FLAG } from "./overrides.js";
import { fmt, metricsTable, scenarioJson, summaryJson, topTokens } from "./final-summary.js";

export const optimumSpec: CommandSpec = {
  name: "optimum",
  summary: `The optimum π* of E_π[r] − β·D(π, π_ref) for the scenario's penalty (--penalty: ${PENALTY_SYNTAX}): closed form for the reverse KL, the f-form root π*_i = π_ref,i·(f′)⁻¹((r_i − λ)/β) for the others; β = 0 puts all mass on argmax r.`,
  positionals: [{ name: "scenario", required: true, describe: "a name in scenarios/ or a path to a .json file" }],
  flags: [BETA_FLAG, PENALTY_FLAG, SET_FLAG, JSON_FLAG],
  examples: ["klsim optimum basic", "klsim optimum basic --penalty forward --json", "klsim optimum mode-seeking --beta 0.05"],
};

export async function optimumCommand(args: ParsedArgs, io: Io): Promise<number> {
  const scenario = await loadScenarioFor(args, args.positionals[0]!);
  const { spec, problem } = scenario;
  const penalty = divergenceNamed(spec.penalty);
  const policy = optimumPolicyOf(problem, simConfigOf(scenario), penalty, spec.beta); // sequences: soft Bellman

  const metrics = metricsOf(problem, policy, penalty, spec.beta);
  if (booleanFlag(args, "json")) {
    const summary = summaryJson({ policy, metrics, beta: spec.beta, steps: null, penalty: spec.penalty, klEstimate: null });
    io.out(JSON.stringify({ ...summary, ...scenarioJson(scenario) }) + "\n");
    return 0;
  }
  const lines = [
    `${spec.name}: optimum of E[r] − ${fmt(spec.beta)}·${penalty.symbol}`,
    "",
    metricsTable([["optimum", metrics]]),
    "",
    `policy   ${scenario.sequence ? topTokens(outcomeNamer(scenario), policy, 8, "sequences") : topTokens(tokenNames(scenario), policy)}`,
  ];
  io.out(lines.join("\n") + "\n");
  return 0;
}
