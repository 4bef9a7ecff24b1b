/**
 * The names researchers bring from TRL, verl and OpenRLHF configs, accepted by `--set` beside the
 * scenario's own dotted paths (DESIGN.md §4). (Their estimator spellings, verl's kl, mse and
 * low_var_kl, are aliases in the estimator registry itself.)
 */
import { InputError } from "../errors.js";
import { describe } from "./validate.js";

export interface KeyAlias {
  /** The scenario field it sets. */
  path: string;
  /** Where the name comes from. */
  from: string;
  /** Turns the alias's value into the field's (default: unchanged); throws InputError at `key`. */
  value?: (value: unknown, key: string) => unknown;
}

export const KEY_ALIASES: Readonly<Record<string, KeyAlias>> = {
  kl_coef: { path: "beta", from: "TRL, verl algorithm.kl_ctrl.kl_coef" },
  init_kl_coef: { path: "beta", from: "OpenRLHF --init_kl_coef" },
  target_kl: { path: "controller.target", from: "verl algorithm.kl_ctrl.target_kl" },
  kl_target: { path: "controller.target", from: "OpenRLHF --kl_target" },
  kl_horizon: { path: "controller.horizon", from: "OpenRLHF --kl_horizon" },
  kl_estimator: { path: "sampling.estimator", from: "OpenRLHF, TRL kl_estimator" },
  kl_penalty: { path: "sampling.estimator", from: "verl algorithm.kl_penalty" },
  use_kl_loss: {
    path: "sampling.kl_in",
    from: "verl, OpenRLHF use_kl_loss",
    value: (value, key) => {
      if (typeof value !== "boolean") throw new InputError(`expected true or false, got ${describe(value)}`, key);
      return value ? "loss" : "reward";
    },
  },
};
