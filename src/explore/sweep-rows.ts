/**
 * A sweep's rows from its runs: one row per point of the grid (β × each --vary value), the seeds of
 * a point folded into the mean of each column and the spread (sample std) of the headline metrics.
 * Pure data in, data out: the orchestration (threads, progress, output) lives in cli/sweep.ts.
 */
import { spreadOf } from "./spread.js";

export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;

/** The metrics whose spread over seeds a row reports as `<name>_std`. */
export const SPREAD_COLUMNS = ["reward", "gold_reward", "reverse_kl", "forward_kl"] as const;

/** One point's runs (one per seed) → its row: numbers averaged, `converged` only when every seed converged. */
export function foldSeeds(runs: readonly Row[], columns: readonly string[]): Row {
  const first = runs[0]!;
  if (runs.length === 1) return { ...first };
  const row: Row = {};
  for (const column of columns) {
    const values = runs.map((r) => r[column]);
    if (values.every((v) => typeof v === "number")) row[column] = spreadOf(values as number[]).mean;
    else if (values.every((v) => typeof v === "boolean")) row[column] = values.every(Boolean);
    else if (column === "diverged_at")
      row[column] = values.find((v) => v !== null) ?? null; // a seed diverged: say so
    else row[column] = first[column] ?? null;
  }
  for (const column of SPREAD_COLUMNS) {
    const values = runs.map((r) => r[column]);
    row[`${column}_std`] = values.every((v) => typeof v === "number") ? spreadOf(values as number[]).std : null;
  }
  row.seeds = runs.length;
  row.converged_seeds = runs.filter((r) => r.converged === true).length;
  return row;
}
