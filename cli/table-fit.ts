/**
 * Fitting a table to a terminal's width. `query` shows a subset of whole columns (leading ones, long values cut,
 * columns empty in every row dropped first) and names what it left out; tables whose every column matters
 * (`suggest`) wrap their widest columns instead. Widths count code points: exact for the ASCII and box-drawing
 * text servebench prints, a little short for wide (CJK, emoji) characters.
 */

/** The width assumed when stdout is not a terminal (a pipe, a file, a test). */
export const DEFAULT_WIDTH = 100;
/** The most a value takes in a fitted `query` table before it is cut with "…" (its column's header is never cut). */
export const MAX_CELL_WIDTH = 32;
/** The narrowest a wrapped column gets, unless its header or content is narrower. */
const MIN_WRAP_WIDTH = 8;

export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : DEFAULT_WIDTH;
}

/**
 * The width to wrap to when stdout is a terminal; undefined (as wide as it is) when it is not, so a table in a
 * log or a pipe keeps each row on one line for grep. `query` and `suggest` fit to terminalWidth() either way.
 */
export function ttyWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  return stream.isTTY && stream.columns ? stream.columns : undefined;
}

const lineWidth = (line: string): number => [...line].length;

/** The widest line of a cell. */
export const textWidth = (text: string): number => Math.max(0, ...text.split('\n').map(lineWidth));

/** The table's width as cli-table3 draws it: a border before each column and after the last, one space either side. */
export const tableWidth = (widths: readonly number[]): number => widths.reduce((a, w) => a + w + 3, 1);

/** Each line cut to `width` code points, the last one an ellipsis when anything was cut. */
export function truncateText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => (lineWidth(line) <= width ? line : [...line].slice(0, Math.max(0, width - 1)).join('') + '…'))
    .join('\n');
}

export interface ColumnSubset {
  /** Indices of the columns shown, in their order. */
  shown: number[];
  /** Width of each shown column's values; longer ones are cut. */
  widths: number[];
  /** Indices of columns left out for width; of those left out because every value is empty; or the same in every row. */
  omitted: number[];
  empty: number[];
  constant: number[];
}

/**
 * Which columns of `header` × `cells` (rendered text, row-major) to show within `width`: all when they fit;
 * otherwise, without the columns empty in every row or (of two rows or more) the same in every row, which a note
 * can say in a line, the longest run of leading columns that fits with values cut to MAX_CELL_WIDTH. The first
 * of those is always shown, cut to the width if it must be.
 */
export function chooseColumns(header: readonly string[], cells: readonly string[][], width: number): ColumnSubset {
  const natural = header.map((h, j) => Math.max(textWidth(h), ...cells.map((r) => textWidth(r[j]))));
  const all = header.map((_, j) => j);
  if (tableWidth(natural) <= width) return { shown: all, widths: natural, omitted: [], empty: [], constant: [] };
  const empty = all.filter((j) => cells.length > 0 && cells.every((r) => r[j] === ''));
  const constant = all.filter((j) => cells.length > 1 && !empty.includes(j) && cells.every((r) => r[j] === cells[0][j]));
  const candidates = all.filter((j) => !empty.includes(j) && !constant.includes(j));
  const capped = natural.map((n, j) => Math.min(n, Math.max(textWidth(header[j]), MAX_CELL_WIDTH)));
  const shown: number[] = [];
  const widths: number[] = [];
  for (const j of candidates) {
    if (shown.length && tableWidth([...widths, capped[j]]) > width) break;
    shown.push(j);
    widths.push(shown.length === 1 ? Math.max(1, Math.min(capped[j], width - 4)) : capped[j]);
  }
  return { shown, widths, omitted: candidates.filter((j) => !shown.includes(j)), empty, constant };
}

/** A word longer than this may be cut when its column wraps. */
const MAX_WORD_WIDTH = 20;

const longestWord = (text: string): number => Math.max(0, ...text.split(/\s+/).map(lineWidth));

/**
 * Column widths for wrapping within `width`: when the natural widths do not fit, the widest columns are narrowed
 * to one common level (water-filling), never below MIN_WRAP_WIDTH, the longest word of the header, or the longest
 * word of a value (up to MAX_WORD_WIDTH). Null when the table fits as it is. When even the floors do not fit, the
 * floors: the table is as narrow as it can be without cutting words.
 */
export function wrapWidths(header: readonly string[], cells: readonly string[][], width: number): number[] | null {
  const natural = header.map((h, j) => Math.max(textWidth(h), ...cells.map((r) => textWidth(r[j]))));
  if (tableWidth(natural) <= width) return null;
  const floor = header.map((h, j) => {
    const word = Math.min(MAX_WORD_WIDTH, Math.max(0, ...cells.map((r) => longestWord(r[j]))));
    return Math.min(natural[j], Math.max(MIN_WRAP_WIDTH, longestWord(h), word));
  });
  const at = (level: number) => natural.map((n, j) => Math.max(floor[j], Math.min(n, level)));
  let level = Math.max(...natural);
  while (level > 1 && tableWidth(at(level)) > width) level--;
  return at(level);
}
