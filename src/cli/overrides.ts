/** Flags that override a scenario's fields, shared by run, optimum, sweep and tui. */
import { PENALTY_SYNTAX } from "../core/divergences/registry.js";
import { InputError } from "../errors.js";
import type { Scenario } from "../scenario/loader.js";
import { expectPenalty, MAX_STEPS } from "../scenario/schema.js";
import { checkNumber } from "../scenario/validate.js";
import { numberFlag, stringFlag, type FlagSpec, type ParsedArgs } from "./args.js";

export const STEPS_FLAG: FlagSpec = { name: "steps", type: "integer", value: "N", describe: "number of training steps (default: the scenario's)" };
export const BETA_FLAG: FlagSpec = { name: "beta", type: "number", value: "B", describe: "initial KL coefficient β ≥ 0 (default: the scenario's)" };
export const PENALTY_FLAG: FlagSpec = {
  name: "penalty",
  type: "string",
  value: "P",
  describe: `penalty divergence: ${PENALTY_SYNTAX} (default: the scenario's)`,
};
export const LR_FLAG: FlagSpec = { name: "lr", type: "number", value: "X", describe: "learning rate > 0 (default: the scenario's)" };
export const SEED_FLAG: FlagSpec = { name: "seed", type: "integer", value: "S", describe: "random seed (sampled mode; default: the scenario's)" };
export const JSON_FLAG: FlagSpec = { name: "json", type: "boolean", describe: "print the result as JSON on stdout" };

/** Applies --steps/--beta/--penalty/--lr/--seed to a loaded scenario, with the schema's rules. */
export function applyOverrides(scenario: Scenario, args: ParsedArgs): Scenario {
  const spec = { ...scenario.spec };
  const steps = numberFlag(args, "steps");
  if (steps !== undefined) spec.steps = checkNumber(steps, { integer: true, min: 1, max: MAX_STEPS }, "--steps");
  const beta = numberFlag(args, "beta");
  if (beta !== undefined) spec.beta = checkNumber(beta, { min: 0 }, "--beta");
  const penalty = stringFlag(args, "penalty");
  if (penalty !== undefined) spec.penalty = expectPenalty(penalty, "--penalty", (name) => name);
  const lr = numberFlag(args, "lr");
  if (lr !== undefined) spec.optimizer = { ...spec.optimizer, lr: checkNumber(lr, { above: 0 }, "--lr") };
  const seed = numberFlag(args, "seed");
  if (seed !== undefined) spec.seed = checkNumber(seed, { integer: true, min: 0, max: 2 ** 53 - 1 }, "--seed");
  if (beta !== undefined && spec.controller.kind === "schedule") {
    throw new InputError("cannot override beta of a schedule controller (edit controller.expr instead)", "--beta");
  }
  return { ...scenario, spec };
}
