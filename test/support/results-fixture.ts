/** Hand-made rows for the results database, for tests of views and reports that must not depend on timing. */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface FixtureRun {
  sweepId: string;
  jobIndex: number;
  repeat?: number;
  params: Record<string, unknown>;
  inferencesPerS: number;
  p99Ms: number;
  errors?: number;
  meetsSlo?: boolean | null;
  modelName?: string;
  modelParameters?: number;
  modelFlops?: number | null;
  device?: string;
  pricePerHour?: number | null;
}

export async function insertSweep(conn: DuckDBConnection, sweepId: string, name: string, sloP99Ms: number | null = null): Promise<void> {
  await conn.run(
    `INSERT INTO sweeps VALUES ($1, $2, 'completed', 0, 0, 0, $3, '{}', now(), now())`,
    [sweepId, name, sloP99Ms],
  );
}

/** A job and its run; the run id is `<sweepId>/j<index>-r<repeat>`. */
export async function insertRun(conn: DuckDBConnection, r: FixtureRun): Promise<string> {
  const repeat = r.repeat ?? 0;
  const runId = `${r.sweepId}/j${String(r.jobIndex).padStart(3, '0')}-r${repeat}`;
  await conn.run(
    `INSERT INTO jobs (job_id, sweep_id, job_index, repeat_index, status, params, config, cluster, node, device, price_per_hour,
                       model_name, model_family, model_hash, model_parameters, model_flops, recorded_at)
     VALUES ($1, $2, $3, $4, 'completed', $5, '{}', 'local', 'n1', $6, $7, $8, 'mlp', 'h', $9, $10, now())`,
    [runId, r.sweepId, r.jobIndex, repeat, JSON.stringify(r.params), r.device ?? 'cpu', r.pricePerHour ?? null, r.modelName ?? 'mlp_a', r.modelParameters ?? 1000, r.modelFlops === undefined ? 2000 : r.modelFlops],
  );
  await conn.run(
    `INSERT INTO runs (run_id, job_id, sweep_id, mode, batch_size, warmup_ms, duration_ms, measured_ms, requests, ok, errors,
                       throughput, inferences_per_s, achieved_rate, lat_p50_ms, lat_p99_ms, meets_slo, started_at, finished_at)
     VALUES ($1, $1, $2, 'concurrency', 1, 0, 1000, 1000, 100, 100 - $3, $3, $4, $4, $4, $5 / 2, $5, $6, now(), now())`,
    [runId, r.sweepId, r.errors ?? 0, r.inferencesPerS, r.p99Ms, r.meetsSlo ?? null],
  );
  return runId;
}
