/** Reading a sweep's runs for the model, from the `results` view. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { resolveSweep } from '../sweeps';
import type { ModelRun } from './types';

export interface SweepRuns {
  sweepId: string;
  name: string;
  status: string;
  /** The sweep's p99 objective, or null when its SLO names no p99 (or it has none). */
  sloP99Ms: number | null;
  runs: ModelRun[];
  /** Runs left out because throughput or p99 was missing or not positive (logs need positive values). */
  skipped: number;
}

const parseParams = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : ((v ?? {}) as Record<string, unknown>));

/** Resolves SWEEP (id, name or `latest`; throws UnknownSweepError) and reads its runs. */
export async function loadSweepRuns(conn: DuckDBConnection, ref: string): Promise<SweepRuns> {
  const { sweepId, name } = await resolveSweep(conn, ref);
  const sweep = (await conn.runAndReadAll(`SELECT status, slo_p99_ms FROM sweeps WHERE sweep_id = $1`, [sweepId])).getRowObjectsJS()[0];
  const rows = (
    await conn.runAndReadAll(
      `SELECT params, inferences_per_s, lat_p99_ms FROM results WHERE sweep_id = $1 ORDER BY job_index, repeat_index, run_id`,
      [sweepId],
    )
  ).getRowObjectsJS();
  const runs: ModelRun[] = [];
  let skipped = 0;
  for (const r of rows) {
    const inferencesPerS = Number(r.inferences_per_s);
    const p99Ms = r.lat_p99_ms === null ? NaN : Number(r.lat_p99_ms);
    if (inferencesPerS > 0 && p99Ms > 0 && Number.isFinite(inferencesPerS) && Number.isFinite(p99Ms)) {
      runs.push({ params: parseParams(r.params), inferencesPerS, p99Ms });
    } else skipped++;
  }
  const slo = sweep?.slo_p99_ms;
  return { sweepId, name, status: String(sweep?.status ?? 'unknown'), sloP99Ms: slo === null || slo === undefined ? null : Number(slo), runs, skipped };
}
