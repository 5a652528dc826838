/**
 * Reading the two sweeps to compare from the results file: each job's runs with their HDR histogram (decoded to
 * a latency sample) and per-window throughputs. A sweep is named by id, name, `latest`, or a config file whose
 * name's most recent sweep is taken.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, statSync } from 'node:fs';
import { decodeHistogram } from '../../activities/loadgen/histogram';
import { loadConfig } from '../../configs/load';
import { withDatabase } from '../db';
import { resolveSweep } from '../sweeps';
import type { Sample } from './bootstrap';
import { compareSweeps, type CompareOptions, type CompareRun, type Comparison, type SideJob, type SideSweep } from './compare';

type Row = Record<string, unknown>;

function json(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/** The latencies of a run as a sample in ms, from its HDR histogram (µs); empty when none was recorded. */
export function histogramSample(encoded: string | null): Sample {
  if (!encoded) return { values: [], counts: [] };
  const h = decodeHistogram(encoded) as unknown as {
    recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
    highestEquivalentValue(v: number): number;
  };
  const values: number[] = [];
  const counts: number[] = [];
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    // A bucket's upper bound, as HDR reports percentiles (so p99 here is the run's lat_p99_ms).
    values.push(h.highestEquivalentValue(v.valueIteratedTo) / 1000);
    counts.push(v.countAtValueIteratedTo);
  }
  return { values, counts };
}

function run(r: Row): CompareRun {
  const failedJob = r.status !== 'completed' || r.run_id === null;
  const windows = json(r.windows);
  const errorCounts = json(r.error_counts);
  const reasons = json(r.invalid_reasons);
  const batch = Number(r.batch_size ?? 1);
  return {
    repeatIndex: Number(r.repeat_index),
    jobError: failedJob ? String(r.error ?? (r.run_id === null ? 'no run recorded' : r.status)) : null,
    ok: Number(r.ok ?? 0),
    errors: Number(r.errors ?? 0),
    topError: Array.isArray(errorCounts) && errorCounts[0] ? String((errorCounts[0] as { message?: unknown }).message ?? '') : null,
    valid: r.valid === null || r.valid === undefined ? null : Boolean(r.valid),
    invalidReasons: Array.isArray(reasons) ? reasons.map(String) : [],
    inferencesPerS: Number(r.inferences_per_s ?? 0),
    windows: Array.isArray(windows) ? windows.map((w) => Number((w as { throughput?: unknown }).throughput) * batch).filter(Number.isFinite) : [],
    latency: failedJob ? { values: [], counts: [] } : histogramSample(r.histogram === null ? null : String(r.histogram)),
  };
}

async function loadSide(conn: DuckDBConnection, sweepId: string): Promise<SideSweep> {
  const [s] = (await conn.runAndReadAll(`SELECT sweep_id, name, started_at, config FROM sweeps WHERE sweep_id = $1`, [sweepId])).getRowObjectsJS() as Row[];
  const rows = (
    await conn.runAndReadAll(
      `SELECT j.job_index, j.repeat_index, j.status, j.error, j.params, r.run_id, r.batch_size, r.ok, r.errors, r.error_counts,
              r.valid, r.invalid_reasons, r.inferences_per_s, r.windows, r.histogram
         FROM jobs j LEFT JOIN runs r ON r.job_id = j.job_id
        WHERE j.sweep_id = $1 ORDER BY j.job_index, j.repeat_index`,
      [sweepId],
    )
  ).getRowObjectsJS() as Row[];
  const jobs: SideJob[] = rows.map((r) => {
    const params = json(r.params);
    return {
      params: params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {},
      jobIndex: Number(r.job_index),
      runs: [run(r)],
    };
  });
  const started = s.started_at;
  return { sweepId: String(s.sweep_id), name: String(s.name), startedAt: started instanceof Date ? started.toISOString() : started ? String(started) : null, jobs, config: json(s.config) };
}

/** A config file given where a sweep is expected stands for the most recent sweep of its name. */
function sweepRef(ref: string): string {
  if (ref !== 'latest' && /\.ya?ml$/i.test(ref) && existsSync(ref) && statSync(ref).isFile()) return loadConfig(ref).name;
  return ref;
}

async function loadRef(conn: DuckDBConnection, ref: string): Promise<SideSweep> {
  return loadSide(conn, (await resolveSweep(conn, sweepRef(ref))).sweepId);
}

/**
 * Compares sweep B against baseline A, read-only (UnknownSweepError for a sweep not recorded). A is read from
 * `baselineFile` when given (e.g. a results file kept from the main branch), else from `file` like B.
 */
export async function loadComparison(file: string, refA: string, refB: string, opts?: CompareOptions, baselineFile?: string): Promise<Comparison> {
  if (baselineFile !== undefined && baselineFile !== file) {
    const a = await withDatabase(baselineFile, 'read-only', (conn) => loadRef(conn, refA));
    const b = await withDatabase(file, 'read-only', (conn) => loadRef(conn, refB));
    return compareSweeps(a, b, opts);
  }
  return withDatabase(file, 'read-only', async (conn) => compareSweeps(await loadRef(conn, refA), await loadRef(conn, refB), opts));
}
