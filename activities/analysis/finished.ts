/**
 * The jobs of a sweep that the results database already holds as completed: a sweep started again under the
 * same id skips them (resume) instead of measuring them twice.
 */
import { existsSync } from 'node:fs';
import { query } from '../../analysis/db';
import type { JobSummary } from '../job-summary';

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
/** A latency column: null stays null (no request succeeded), as in a fresh result. */
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function finishedJobs(file: string, sweepId: string): Promise<JobSummary[]> {
  if (!existsSync(file)) return [];
  const { rows } = await query(
    file,
    `select j.job_id, j.job_index, j.repeat_index, j.params, j.config, j.node, j.device, j.measure_attempts,
            r.throughput, r.errors, r.ok, r.requests, r.lat_min_ms, r.lat_mean_ms, r.lat_p50_ms, r.lat_p90_ms, r.lat_p95_ms,
            r.lat_p99_ms, r.lat_p999_ms, r.lat_max_ms, r.lat_stddev_ms, r.valid, r.invalid_reasons,
            l.run_id is not null as is_llm, l.ttft_p50_ms, l.ttft_p90_ms, l.ttft_p95_ms, l.ttft_p99_ms,
            l.tpot_p50_ms, l.tpot_p90_ms, l.tpot_p95_ms, l.tpot_p99_ms, l.itl_p50_ms, l.output_tokens_per_s, l.goodput
       from jobs j join runs r using (job_id) left join llm_runs l on l.run_id = r.run_id
      where j.sweep_id = $sweep and j.status = 'completed'
      order by j.job_index, j.repeat_index`.replace('$sweep', `'${sweepId.replace(/'/g, "''")}'`),
  );
  return rows.map((r) => {
    const config = (typeof r.config === 'string' ? JSON.parse(r.config) : r.config) as { workload: { batchSize: number }; slo?: JobSummary['slo'] };
    const params = (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as Record<string, unknown>;
    const reasons = typeof r.invalid_reasons === 'string' ? (JSON.parse(r.invalid_reasons) as string[]) : ((r.invalid_reasons as string[] | null) ?? []);
    return {
      jobId: String(r.job_id),
      index: num(r.job_index),
      repeat: num(r.repeat_index),
      params,
      status: 'completed',
      node: (r.node as string | null) ?? undefined,
      device: (r.device as string | null) ?? undefined,
      measureAttempts: r.measure_attempts == null ? undefined : num(r.measure_attempts),
      batchSize: config.workload.batchSize,
      slo: config.slo,
      load: {
        throughput: num(r.throughput),
        errors: num(r.errors),
        ok: num(r.ok),
        latency: {
          count: num(r.ok),
          minMs: ms(r.lat_min_ms),
          meanMs: ms(r.lat_mean_ms),
          p50Ms: ms(r.lat_p50_ms),
          p90Ms: ms(r.lat_p90_ms),
          p95Ms: ms(r.lat_p95_ms),
          p99Ms: ms(r.lat_p99_ms),
          p999Ms: ms(r.lat_p999_ms),
          maxMs: ms(r.lat_max_ms),
          stddevMs: ms(r.lat_stddev_ms),
        },
        valid: r.valid == null ? null : Boolean(r.valid),
        reasons,
        ...(r.is_llm
          ? {
              llm: {
                ttft: { p50Ms: ms(r.ttft_p50_ms), p90Ms: ms(r.ttft_p90_ms), p95Ms: ms(r.ttft_p95_ms), p99Ms: ms(r.ttft_p99_ms) },
                tpot: { p50Ms: ms(r.tpot_p50_ms), p90Ms: ms(r.tpot_p90_ms), p95Ms: ms(r.tpot_p95_ms), p99Ms: ms(r.tpot_p99_ms) },
                itlP50Ms: ms(r.itl_p50_ms),
                outputTokensPerS: num(r.output_tokens_per_s),
                goodput: ms(r.goodput),
              },
            }
          : {}),
      },
    } satisfies JobSummary;
  });
}
