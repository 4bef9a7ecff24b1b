/**
 * The flags that set scenario fields, shared by run, optimum, sweep and tui (and any command that
 * takes a scenario): `--set KEY=VALUE` for any field or TRL/verl/OpenRLHF name, and the named
 * flags (--steps, --beta, --penalty, --lr, --seed), which are the same settings under a short name.
 * A command lists the flags it takes and loads its scenario with loadScenarioFor.
 */
import { DIVERGENCE_KINDS, PENALTY_SYNTAX } from "../core/divergences/registry.js";
import { BASELINES } from "../core/baselines.js";
import { ESTIMATOR_NAMES } from "../core/estimators.js";
import { KL_IN, MODES } from "../scenario/fields.js";
import type { Scenario } from "../scenario/loader.js";
import { expectPenalty } from "../scenario/schema.js";
import { loadWithSettings, parseSetting, type Setting } from "../scenario/settings.js";
import type { FlagSpec, ParsedArgs } from "./args.js";

export const SET_FLAG: FlagSpec = {
  name: "set",
  type: "string",
  value: "KEY=VALUE",
  describe:
    "set a scenario field by dotted path (sampling.estimator=k3, controller.target=0.3, mode=sampled) or TRL/verl/OpenRLHF name (kl_coef, target_kl, …)",
  repeatable: true,
};
export const STEPS_FLAG: FlagSpec = {
  name: "steps",
  type: "integer",
  value: "N",
  describe: "number of training steps (default: the scenario's)",
  path: "steps",
};
export const BETA_FLAG: FlagSpec = {
  name: "beta",
  type: "number",
  value: "B",
  describe: "initial KL coefficient β ≥ 0 (default: the scenario's)",
  path: "beta",
};
export const PENALTY_FLAG: FlagSpec = {
  name: "penalty",
  type: "string",
  value: "P",
  describe: `penalty divergence: ${PENALTY_SYNTAX} (default: the scenario's)`,
  // checked as it is parsed, in the flag's own words ("expected one of reverse, forward, got 'x'")
  check: (value, field) => expectPenalty(value, field, (name) => name),
  suggestions: DIVERGENCE_KINDS.map((k) => k.example.name),
  path: "penalty",
};
export const LR_FLAG: FlagSpec = { name: "lr", type: "number", value: "X", describe: "learning rate > 0 (default: the scenario's)", path: "optimizer.lr" };
export const SEED_FLAG: FlagSpec = { name: "seed", type: "integer", value: "S", describe: "random seed (sampled mode; default: the scenario's)", path: "seed" };
/** The sampled-training settings under short names (the same as --set mode=…, sampling.…=…). */
export const TRAINING_FLAGS: readonly FlagSpec[] = [
  {
    name: "mode",
    type: "string",
    value: "M",
    describe: "exact, sampled or expected (the sampled estimator's expected gradient)",
    choices: MODES,
    path: "mode",
  },
  {
    name: "estimator",
    type: "string",
    value: "K",
    describe: `per-sample KL estimator: ${ESTIMATOR_NAMES.join(", ")}`,
    choices: ESTIMATOR_NAMES,
    path: "sampling.estimator",
  },
  { name: "kl-in", type: "string", value: "WHERE", describe: "where β·k enters: reward or loss", choices: KL_IN, path: "sampling.kl_in" },
  { name: "baseline", type: "string", value: "B", describe: "loo, mean or none", choices: BASELINES.map((b) => b.name), path: "sampling.baseline" },
  { name: "batch", type: "integer", value: "N", describe: "samples per step", path: "sampling.batch" },
];
export const JSON_FLAG: FlagSpec = { name: "json", type: "boolean", describe: "print the result as JSON on stdout" };

/** The scenario settings on a command line, in order: each --set, and each flag that names a field. */
export function settingsOf(args: ParsedArgs): Setting[] {
  const settings: Setting[] = [];
  for (const { flag, value } of args.occurrences) {
    if (flag.name === SET_FLAG.name) settings.push(parseSetting(String(value)));
    else if (flag.path !== undefined) settings.push({ label: `--${flag.name}`, key: flag.path, value });
  }
  return settings;
}

/** The scenario named on the command line with its settings applied (errors name the setting that caused them). */
export function loadScenarioFor(args: ParsedArgs, nameOrPath: string): Promise<Scenario> {
  return loadWithSettings(nameOrPath, settingsOf(args));
}
