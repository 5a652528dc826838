/** The table printed when a sweep ends: one row per job, the swept parameters first. */
import type { JobSummary } from '../activities/job-summary';
import { wrap } from '../analysis/compare/text';
import { sloVerdict } from '../analysis/slo';
import { cell, renderTable, renderTextTable } from './format';
import { chooseColumns, MAX_CELL_WIDTH, tableWidth, truncateText, ttyWidth, wrapWidths } from './table-fit';

/** LLM runs (serving.api openai-*): per-token latencies and tokens/s in place of the tensor latency columns. */
const LLM_COLUMNS = ['TTFT p50 ms', 'TTFT p99 ms', 'ITL p50 ms', 'TPOT p50 ms', 'out tok/s'];
const GOODPUT = 'goodput req/s';

export function summaryRows(jobs: JobSummary[]): { columns: string[]; rows: Record<string, unknown>[] } {
  const paramKeys = [...new Set(jobs.flatMap((j) => Object.keys(j.params)))];
  const llm = jobs.some((j) => j.load?.llm);
  // A sweep of KServe runs (or one that swept serving.api) keeps the tensor latency columns.
  const tensor = !llm || jobs.some((j) => j.load && !j.load.llm);
  const goodput = jobs.some((j) => j.load?.llm && j.load.llm.goodput !== null);
  const columns = [
    'job',
    ...paramKeys,
    'status',
    // An LLM sweep leads with its per-token figures: the columns a narrow terminal keeps.
    ...(tensor ? ['req/s', 'inf/s', 'p50 ms', 'p99 ms'] : []),
    ...(llm ? [...LLM_COLUMNS, ...(goodput ? [GOODPUT] : [])] : []),
    ...(tensor ? [] : ['req/s']),
    'errors',
    'slo',
    'valid',
  ];
  const rows = jobs.map((o) => {
    const load = o.load;
    const row: Record<string, unknown> = { job: o.jobId.split('/').pop(), status: o.status === 'failed' ? `failed: ${o.error}` : o.status };
    for (const k of paramKeys) row[k] = o.params[k];
    if (load) {
      row['req/s'] = load.throughput;
      row.errors = load.errors;
      // No successful request: no latency, not a latency of 0.
      const ms = (v: number | null) => v ?? '—';
      if (load.llm) {
        const l = load.llm;
        Object.assign(row, {
          'TTFT p50 ms': ms(l.ttft.p50Ms),
          'TTFT p99 ms': ms(l.ttft.p99Ms),
          'ITL p50 ms': ms(l.itlP50Ms),
          'TPOT p50 ms': ms(l.tpot.p50Ms),
          'out tok/s': l.outputTokensPerS,
          [GOODPUT]: l.goodput ?? '',
        });
      } else {
        row['inf/s'] = load.throughput * o.batchSize;
        row['p50 ms'] = ms(load.latency.p50Ms);
        row['p99 ms'] = ms(load.latency.p99Ms);
      }
      const v = sloVerdict(o.slo, load.latency, load.ok, load.llm);
      row.slo = v.meets === null ? '' : v.meets ? `met (${v.objective})` : `missed (${v.missed.join(', ')})`;
      row.valid = load.valid === null ? '' : load.valid ? 'yes' : `no: ${load.reasons.join('; ')}`;
    }
    return row;
  });
  return { columns, rows };
}

/** Whether the table of these columns fits `width` once its widest columns wrap (headers too). */
function fitsWrapped(columns: string[], cells: string[][], width: number): boolean {
  const wrapped = wrapWidths(columns, cells, width);
  return !wrapped || tableWidth(wrapped) <= width;
}

/**
 * The table within `width` (a terminal's; unset: as wide as it is, one row per line for a log or grep): its widest
 * columns wrapped; where even that does not fit, as `query` does, without the columns empty or the same in every
 * row, and then the columns that fit in their order, with lines naming what was left out.
 */
export function renderSummary(jobs: JobSummary[], width: number | undefined = ttyWidth()): string {
  const { columns, rows } = summaryRows(jobs);
  if (width === undefined) return renderTable(columns, rows);
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  if (fitsWrapped(columns, cells, width)) return renderTextTable(columns, cells, { width });
  const { empty, constant } = chooseColumns(columns, cells, width);
  const shown: number[] = [];
  for (const j of columns.keys()) {
    if (empty.includes(j) || constant.includes(j)) continue;
    const next = [...shown, j];
    if (!shown.length || fitsWrapped(next.map((k) => columns[k]), cells.map((r) => next.map((k) => r[k])), width)) shown.push(j);
  }
  const left = columns.filter((_, j) => !shown.includes(j));
  const same = constant.length ? ` (the same in every row: ${constant.map((j) => `${columns[j]}=${truncateText(cells[0][j], MAX_CELL_WIDTH)}`).join(', ')})` : '';
  return [
    renderTextTable(shown.map((j) => columns[j]), cells.map((r) => shown.map((j) => r[j])), { width }),
    wrap(`${shown.length} of ${columns.length} columns shown to fit ${width} characters; left out: ${left.join(', ')}${same}. Every column: servebench query, or a wider terminal.`, width),
  ].join('\n');
}

/** Jobs that completed without a valid measurement (every request failed, a saturated server, unmet run rules). */
export function invalidJobs(jobs: JobSummary[]): JobSummary[] {
  return jobs.filter((j) => j.status === 'completed' && j.load?.valid === false);
}

/** Rows past which the end-of-sweep table gives way to counts (the rows are in the results database). */
export const SUMMARY_TABLE_MAX_ROWS = 50;

/** The table for a small sweep; for a large one, counts and the first failures. */
export function renderSweepSummary(jobs: JobSummary[]): string {
  if (jobs.length <= SUMMARY_TABLE_MAX_ROWS) return renderSummary(jobs);
  const failed = jobs.filter((j) => j.status === 'failed');
  const invalid = invalidJobs(jobs);
  const without = invalid.length ? ` (${invalid.length} without a valid measurement)` : '';
  const lines = [`${jobs.length} jobs: ${jobs.length - failed.length} completed${without}, ${failed.length} failed`];
  for (const j of failed.slice(0, 5)) lines.push(`  ${j.jobId}: ${j.error ?? 'failed'}`);
  if (failed.length > 5) lines.push(`  ... and ${failed.length - 5} more failed`);
  for (const j of invalid.slice(0, 5)) lines.push(`  ${j.jobId}: invalid: ${j.load?.reasons.join('; ')}`);
  if (invalid.length > 5) lines.push(`  ... and ${invalid.length - 5} more invalid`);
  return lines.join('\n');
}
