/**
 * The settings a key can change in the middle of a run (β, the penalty, the estimator) and a log
 * of those changes by step. Views mark the changes on their charts and read from the log which
 * penalty was in force at a past step (the history records β but not the penalty).
 */
import type { Simulation } from "./simulation.js";

/** One watched setting: how to read it off the simulation, as text. */
interface WatchedSetting {
  name: SettingName;
  read(sim: Simulation): string | null;
}

export type SettingName = "beta" | "penalty" | "estimator";

export const WATCHED_SETTINGS: readonly WatchedSetting[] = [
  { name: "beta", read: (sim) => String(sim.beta) },
  { name: "penalty", read: (sim) => sim.penalty.name },
  { name: "estimator", read: (sim) => sim.sampling?.estimator.name ?? null },
];

export interface SettingChange {
  /** The step at which it changed: records up to this step were made with `from`, later ones with `to`. */
  step: number;
  setting: SettingName;
  from: string | null;
  to: string | null;
}

// A log longer than this drops its oldest entries (someone holding down +).
export const MAX_CHANGES = 512;

/** Every watched setting's current value, in WATCHED_SETTINGS order. */
export function readSettings(sim: Simulation): (string | null)[] {
  return WATCHED_SETTINGS.map((s) => s.read(sim));
}

/** `log` plus the settings that differ between `before` and `after`, made at `step` (a new array when anything changed). */
export function appendChanges(
  log: readonly SettingChange[],
  before: readonly (string | null)[],
  after: readonly (string | null)[],
  step: number,
): readonly SettingChange[] {
  const added: SettingChange[] = [];
  WATCHED_SETTINGS.forEach((s, i) => {
    const from = before[i] ?? null;
    const to = after[i] ?? null;
    if (from !== to) added.push({ step, setting: s.name, from, to });
  });
  if (added.length === 0) return log;
  const next = [...log, ...added];
  return next.length > MAX_CHANGES ? next.slice(next.length - MAX_CHANGES) : next;
}
