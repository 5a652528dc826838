/** The table printed when a sweep ends: one row per job, the swept parameters first. */
import type { JobOutcome } from '../activities/types';
import { sloVerdict } from '../analysis/slo';
import { renderTable } from './format';

export function summaryRows(jobs: JobOutcome[]): { columns: string[]; rows: Record<string, unknown>[] } {
  const paramKeys = [...new Set(jobs.flatMap((j) => Object.keys(j.job.params)))];
  const columns = ['job', ...paramKeys, 'status', 'req/s', 'inf/s', 'p50 ms', 'p99 ms', 'errors', 'slo', 'valid'];
  const rows = jobs.map((o) => {
    const load = o.measure?.load;
    const row: Record<string, unknown> = { job: o.job.jobId.split('/').pop(), status: o.status === 'failed' ? `failed: ${o.error}` : o.status };
    for (const k of paramKeys) row[k] = o.job.params[k];
    if (load) {
      row['req/s'] = load.throughput;
      row['inf/s'] = load.throughput * o.job.config.workload.batchSize;
      row['p50 ms'] = load.latency.p50Ms;
      row['p99 ms'] = load.latency.p99Ms;
      row.errors = load.errors;
      const v = sloVerdict(o.job.config.slo, load.latency, load.ok);
      row.slo = v.meets === null ? '' : v.meets ? `met (${v.objective})` : `missed (${v.missed.join(', ')})`;
      row.valid = load.verdict ? (load.verdict.valid ? 'yes' : `no: ${load.verdict.reasons.join('; ')}`) : '';
    }
    return row;
  });
  return { columns, rows };
}

export function renderSummary(jobs: JobOutcome[]): string {
  const { columns, rows } = summaryRows(jobs);
  return renderTable(columns, rows);
}
