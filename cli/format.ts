/** Rendering rows for the terminal (table), for programs (JSON) and for spreadsheets (CSV). */
import Table from 'cli-table3';
import { wrapWidths } from './table-fit';

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A row whose cells hold several lines, as one table row per line. cli-table3 takes time quadratic in a cell's
 * length for every line of a multi-line cell (a debug label it builds char by char): an EXPLAIN plan of a few
 * hundred lines took minutes. One-line cells keep it linear.
 */
function lineRows(texts: readonly string[]): string[][] {
  const lines = texts.map((t) => t.split('\n'));
  const height = Math.max(1, ...lines.map((l) => l.length));
  return Array.from({ length: height }, (_, i) => lines.map((l) => l[i] ?? ''));
}

export interface TableOptions {
  /** Wrap the widest columns so the table fits this many characters (cli/table-fit.ts); unset: as wide as it is. */
  width?: number;
}

export function renderTable(columns: string[], rows: Record<string, unknown>[], opts: TableOptions = {}): string {
  return renderTextTable(columns, rows.map((r) => columns.map((c) => cell(r[c]))), opts);
}

/** The same, from cells already rendered as text. */
export function renderTextTable(columns: string[], cells: string[][], opts: TableOptions = {}): string {
  const widths = opts.width === undefined ? null : wrapWidths(columns, cells, opts.width);
  // A row's lines must not be ruled apart, so such a table has no rules between rows (only under the header).
  const multiLine = cells.some((r) => r.some((t) => t.includes('\n')));
  const table = new Table({
    head: columns,
    style: { head: [], border: [], compact: multiLine },
    ...(widths ? { colWidths: widths.map((w) => w + 2), wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const r of cells) for (const line of lineRows(r)) table.push(line);
  return table.toString();
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\n');
}
