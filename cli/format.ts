/** Rendering rows for the terminal (table), for programs (JSON) and for spreadsheets (CSV). */
import Table from 'cli-table3';

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function renderTable(columns: string[], rows: Record<string, unknown>[]): string {
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const r of rows) table.push(columns.map((c) => cell(r[c])));
  return table.toString();
}

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\n');
}
