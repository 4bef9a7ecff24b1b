/**
 * The charts' step window (`z`): all steps, or the most recent W steps for W a power of ten,
 * so a reaction late in a long run fills the chart instead of its last two columns. Pure.
 */

/** The smallest window `z` offers. */
export const MIN_WINDOW = 100;
// A window should hold at least this many of the history's points (it is decimated to a stride).
const MIN_POINTS = 16;

/**
 * The window after `current` (null = all steps) for a run at `step` whose history keeps one step
 * in `stride`: from all steps, the largest power of ten below `step`; then each power of ten below,
 * while it holds MIN_POINTS history points and MIN_WINDOW steps; then all steps again.
 */
export function nextWindow(current: number | null, step: number, stride: number): number | null {
  const smallest = Math.max(MIN_WINDOW, MIN_POINTS * stride);
  const below = current === null ? step : Math.min(current, step);
  let window = 1;
  while (window * 10 < below) window *= 10; // the largest power of ten strictly below
  return window >= smallest && window < below ? window : null;
}

/** The steps on screen: [first, step] for all, else the last `window` steps (from the first when fewer). */
export function windowRange(window: number | null, first: number, step: number): [number, number] {
  if (window === null) return [first, step];
  return [Math.max(first, step - window), step];
}

/** The axis's label for a window: "last 1000 steps"; null for all steps (the range speaks for itself). */
export function windowLabel(window: number | null): string | null {
  if (window === null) return null;
  return `last ${window.toLocaleString("en-US").replace(/,/g, " ")} steps`;
}
