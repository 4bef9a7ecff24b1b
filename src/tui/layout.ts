/**
 * How the screen is divided, from the terminal size: status (2 lines), message (1), the body
 * (the β(t) strip over three charts, and the token panel beside them or below), the footer
 * (1 or 2 lines: footer-text.ts). Pure.
 */

export const MIN_COLUMNS = 50;
export const MIN_ROWS = 16;
/** Status lines + message line + a one-line footer. */
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
  /** Rows of the β(t) strip above the charts: one plot row, or a legend and 2–3 plot rows when tall. */
  betaRows: number;
  /** Lines of the footer. */
  footerRows: number;
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

/** The β strip grows with the body: 1 row (plot only), 3 (legend + 2), 4 (legend + 3). */
function betaRowsFor(bodyRows: number): number {
  if (bodyRows >= 45) return 4;
  if (bodyRows >= 30) return 3;
  return 1;
}

export function layoutFor(columns: number, rows: number, vocabulary: number, footerRows = 1): Layout {
  // One row is left free: ink clears the whole screen each frame when the output fills it.
  const bodyRows = Math.max(0, rows - 1 - CHROME_ROWS - (footerRows - 1));
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const betaRows = betaRowsFor(bodyRows);
  if (columns >= BESIDE_MIN_COLUMNS) {
    const tokenWidth = Math.min(48, Math.max(26, Math.round(columns * 0.3)));
    return {
      columns,
      tooSmall,
      bodyRows,
      chartWidth: columns - tokenWidth - 1,
      chartHeights: splitThree(bodyRows - betaRows),
      betaRows,
      footerRows,
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
    chartHeights: splitThree(bodyRows - tokenRows - betaRows),
    betaRows,
    footerRows,
    tokensBeside: false,
    tokenWidth: columns,
    tokenRows,
  };
}
