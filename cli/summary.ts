/** The table printed when a sweep ends: one row per job, the swept parameters first. */
import type { JobSummary } from '../activities/job-summary';
import { sloVerdict } from '../analysis/slo';
import { renderTable } from './format';
import { ttyWidth } from './table-fit';

export function summaryRows(jobs: JobSummary[]): { columns: string[]; rows: Record<string, unknown>[] } {
  const paramKeys = [...new Set(jobs.flatMap((j) => Object.keys(j.params)))];
  const columns = ['job', ...paramKeys, 'status', 'req/s', 'inf/s', 'p50 ms', 'p99 ms', 'errors', 'slo', 'valid'];
  const rows = jobs.map((o) => {
    const load = o.load;
    const row: Record<string, unknown> = { job: o.jobId.split('/').pop(), status: o.status === 'failed' ? `failed: ${o.error}` : o.status };
    for (const k of paramKeys) row[k] = o.params[k];
    if (load) {
      row['req/s'] = load.throughput;
      row['inf/s'] = load.throughput * o.batchSize;
      // No successful request: no latency, not a latency of 0.
      row['p50 ms'] = load.latency.p50Ms ?? '—';
      row['p99 ms'] = load.latency.p99Ms ?? '—';
      row.errors = load.errors;
      const v = sloVerdict(o.slo, load.latency, load.ok);
      row.slo = v.meets === null ? '' : v.meets ? `met (${v.objective})` : `missed (${v.missed.join(', ')})`;
      row.valid = load.valid === null ? '' : load.valid ? 'yes' : `no: ${load.reasons.join('; ')}`;
    }
    return row;
  });
  return { columns, rows };
}

export function renderSummary(jobs: JobSummary[]): string {
  const { columns, rows } = summaryRows(jobs);
  return renderTable(columns, rows, { width: ttyWidth() });
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
