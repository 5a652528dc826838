/**
 * `query`'s table for a terminal: the columns that fit (cli/table-fit.ts), or all with `--wide`, and notes that
 * say what was left out and why a column is empty (a missing price, no power reading). An EXPLAIN plan is
 * printed as the text it is, as DuckDB's own shell does.
 */
import { EMPTY_COLUMN_HINTS } from '../analysis/views';
import { cell, renderTextTable } from './format';
import { chooseColumns, MAX_CELL_WIDTH, truncateText } from './table-fit';

export interface QueryTableOptions {
  /** The terminal's width (terminalWidth()). */
  width: number;
  /** Every column, values uncut, however wide. */
  wide?: boolean;
}

const isExplain = (columns: readonly string[]): boolean => columns.length === 2 && columns[0] === 'explain_key' && columns[1] === 'explain_value';

const names = (columns: readonly string[], indices: readonly number[]): string => indices.map((j) => columns[j]).join(', ');

export function renderQueryTable(columns: string[], rows: Record<string, unknown>[], opts: QueryTableOptions): { table: string; notes: string[] } {
  if (isExplain(columns) && rows.length) return { table: rows.map((r) => cell(r.explain_value).replace(/\n+$/, '')).join('\n\n'), notes: [] };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const notes: string[] = [];
  // Why a derived figure is empty everywhere: said once, not left to a column of blanks.
  const hinted = new Map<string, string[]>();
  columns.forEach((c, j) => {
    const hint = EMPTY_COLUMN_HINTS[c];
    if (hint && rows.length && cells.every((r) => r[j] === '')) hinted.set(hint, [...(hinted.get(hint) ?? []), c]);
  });
  for (const [hint, cs] of hinted) notes.push(`${cs.join(' and ')} ${cs.length === 1 ? 'is' : 'are'} empty in every row: ${hint}`);
  if (opts.wide) return { table: renderTextTable(columns, cells), notes };
  const fit = chooseColumns(columns, cells, opts.width);
  let cut = 0;
  const shownCells = cells.map((r) =>
    fit.shown.map((j, k) => {
      const text = truncateText(r[j], fit.widths[k]);
      if (text !== r[j]) cut++;
      return text;
    }),
  );
  const table = renderTextTable(fit.shown.map((j) => columns[j]), shownCells);
  if (fit.shown.length < columns.length) {
    const parts = [`${fit.shown.length} of ${columns.length} columns shown to fit ${opts.width} characters (--wide shows all, or select fewer columns)`];
    if (fit.constant.length) parts.push(`the same in every row: ${fit.constant.map((j) => `${columns[j]}=${truncateText(cells[0][j], MAX_CELL_WIDTH)}`).join(', ')}`);
    if (fit.empty.length) parts.push(`empty in every row: ${names(columns, fit.empty)}`);
    if (fit.omitted.length) parts.push(`left out: ${names(columns, fit.omitted)}`);
    notes.unshift(...parts);
  }
  if (cut) notes.push(`${cut} value${cut === 1 ? '' : 's'} cut short with "…" (--wide, --json or --csv show them whole)`);
  return { table, notes };
}
