/**
 * How the screen is divided, from the terminal size: status (2 lines), message (1), the body
 * (three charts, and the token panel beside them or below), footer (1). Pure.
 */

export const MIN_COLUMNS = 50;
export const MIN_ROWS = 16;
/** Status lines + message line + footer. */
export const CHROME_ROWS = 4;
// Below this width the token panel goes under the charts instead of beside them.
const BESIDE_MIN_COLUMNS = 72;

export interface Layout {
  columns: number;
  tooSmall: boolean;
  /** Rows for charts and tokens together. */
  bodyRows: number;
  chartWidth: number;
  /** Heights of the reward, reverse KL and forward KL charts. */
  chartHeights: [number, number, number];
  tokensBeside: boolean;
  tokenWidth: number;
  tokenRows: number;
}

/** Whole-number split of `total` into 3, the remainder going to the first parts. */
function splitThree(total: number): [number, number, number] {
  const base = Math.floor(total / 3);
  const extra = total - 3 * base;
  return [base + (extra > 0 ? 1 : 0), base + (extra > 1 ? 1 : 0), base];
}

export function layoutFor(columns: number, rows: number, vocabulary: number): Layout {
  // One row is left free: ink clears the whole screen each frame when the output fills it.
  const bodyRows = Math.max(0, rows - 1 - CHROME_ROWS);
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  if (columns >= BESIDE_MIN_COLUMNS) {
    const tokenWidth = Math.min(48, Math.max(26, Math.round(columns * 0.3)));
    return {
      columns,
      tooSmall,
      bodyRows,
      chartWidth: columns - tokenWidth - 1,
      chartHeights: splitThree(bodyRows),
      tokensBeside: true,
      tokenWidth,
      tokenRows: bodyRows,
    };
  }
  // Stacked: the token panel takes a quarter of the body at most (header + tokens).
  const tokenRows = Math.min(vocabulary + 1, Math.max(3, Math.floor(bodyRows / 4)));
  return {
    columns,
    tooSmall,
    bodyRows,
    chartWidth: columns,
    chartHeights: splitThree(bodyRows - tokenRows),
    tokensBeside: false,
    tokenWidth: columns,
    tokenRows,
  };
}
