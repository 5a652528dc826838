/**
 * Writes sweeps, jobs and runs to the results file. Rows are keyed by sweep, job and run id and written with
 * INSERT OR REPLACE in one transaction, so a retried activity replaces its own rows and never duplicates them.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { withDatabase } from '../../analysis/db';
import { createViews } from '../../analysis/views';
import { decodeHistogram, latencyBuckets } from '../loadgen/histogram';
import { formatCpuList } from '../probe/devices';
import { sloVerdict } from '../../analysis/slo';
import { llmRunRow } from './llm-row';
import type { JobOutcome, SweepRow } from '../types';

type Row = Record<string, DuckDBValue | undefined>;

/** Rows per INSERT statement: one statement per table and batch, split only when very large. */
const ROWS_PER_STATEMENT = 200;

/** INSERT OR REPLACE of many rows of one table, a few statements in all (a statement costs far more than a row). */
async function upsertAll(conn: DuckDBConnection, table: string, rows: Row[]): Promise<void> {
  const byColumns = new Map<string, Row[]>();
  for (const row of rows) {
    const key = Object.keys(row).join(', ');
    byColumns.set(key, [...(byColumns.get(key) ?? []), row]);
  }
  for (const [columns, group] of byColumns) {
    const cols = columns.split(', ');
    for (let i = 0; i < group.length; i += ROWS_PER_STATEMENT) {
      const values: DuckDBValue[] = [];
      const tuples = group.slice(i, i + ROWS_PER_STATEMENT).map((row) => {
        const start = values.length;
        for (const c of cols) values.push((row[c] === undefined ? null : row[c]) as DuckDBValue);
        return `(${cols.map((_, k) => `$${start + k + 1}`).join(', ')})`;
      });
      await conn.run(`INSERT OR REPLACE INTO ${table} (${columns}) VALUES ${tuples.join(', ')}`, values);
    }
  }
}

async function deleteRuns(conn: DuckDBConnection, table: string, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await conn.run(`DELETE FROM ${table} WHERE run_id IN (${runIds.map((_, i) => `$${i + 1}`).join(', ')})`, runIds);
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

function sweepRow(s: SweepRow): Row {
  return {
    sweep_id: s.sweepId,
    name: s.name,
    status: s.status,
    jobs_total: s.jobsTotal,
    jobs_done: s.jobsDone,
    jobs_failed: s.jobsFailed,
    slo_p99_ms: s.config.slo?.p99Ms ?? null,
    config: json(s.config),
    started_at: s.startedAt,
    finished_at: s.finishedAt ?? null,
  };
}

export async function writeSweep(file: string, s: SweepRow): Promise<void> {
  await withDatabase(file, 'read-write', (conn) => writeRecords(conn, [{ sweep: s }]));
}

export function jobRow(o: JobOutcome, recordedAt: string): Row {
  const { job, compile, measure } = o;
  const a = compile?.artifact;
  return {
    job_id: job.jobId,
    sweep_id: o.sweepId,
    job_index: job.index,
    repeat_index: job.repeat,
    status: o.status,
    error: o.error ?? null,
    params: json(job.params),
    config: json(job.config),
    cluster: job.config.target.cluster,
    price_per_hour: job.config.target.pricePerHour ?? null,
    node: measure?.node ?? compile?.node ?? null,
    // The device actually measured on (a lease may pick cpu1 for target.device `cpu`); the target when unmeasured.
    device: measure?.device ?? job.config.target.device,
    host: measure ? json(measure.host) : null,
    model_name: a?.modelName ?? null,
    model_family: job.config.model.generate?.family ?? 'file',
    model_hash: a?.hash ?? null,
    model_parameters: a?.parameters ?? null,
    model_flops: a?.flops ?? null,
    model_bytes: a?.bytes ?? null,
    compile_seconds: a?.compileSeconds ?? null,
    compile_cached: a?.cached ?? null,
    compile_attempts: compile?.attempt ?? null,
    measure_attempts: measure?.attempt ?? o.measureAttempts ?? null,
    compile_started_at: compile?.startedAt ?? null,
    compile_finished_at: compile?.finishedAt ?? null,
    serve_started_at: measure?.serveStartedAt ?? null,
    measure_started_at: measure?.load.startedAt ?? null,
    measure_finished_at: measure?.finishedAt ?? null,
    recorded_at: recordedAt,
  };
}

export function runRow(o: JobOutcome): Row | null {
  const m = o.measure;
  if (!m) return null;
  const { load } = m;
  const w = o.job.config.workload;
  const l = load.latency;
  return {
    run_id: o.job.jobId,
    job_id: o.job.jobId,
    sweep_id: o.sweepId,
    mode: load.mode,
    batch_size: w.batchSize,
    target_rate: load.targetRate,
    concurrency: load.concurrency,
    warmup_ms: w.warmup,
    duration_ms: w.duration,
    measured_ms: load.measuredMs,
    requests: load.requests,
    ok: load.ok,
    errors: load.errors,
    error_samples: json(load.errorSamples),
    throughput: load.throughput,
    inferences_per_s: load.throughput * w.batchSize,
    achieved_rate: load.achievedRate,
    lat_min_ms: l.minMs,
    lat_mean_ms: l.meanMs,
    lat_p50_ms: l.p50Ms,
    lat_p90_ms: l.p90Ms,
    lat_p95_ms: l.p95Ms,
    lat_p99_ms: l.p99Ms,
    lat_p999_ms: l.p999Ms,
    lat_max_ms: l.maxMs,
    lat_stddev_ms: l.stddevMs,
    send_lag_p50_ms: load.sendLag?.p50Ms ?? null,
    send_lag_p99_ms: load.sendLag?.p99Ms ?? null,
    send_lag_max_ms: load.sendLag?.maxMs ?? null,
    server_stats: m.serverStats ? json(m.serverStats) : null,
    histogram: load.histogram,
    // Results rebuilt from older history may lack the verdict: null, not a guess.
    valid: load.verdict?.valid ?? null,
    invalid_reasons: load.verdict ? json(load.verdict.reasons) : null,
    loadgen_cpu_pct: load.loadgenCpuPct ?? null,
    early_stopping: load.earlyStopping ? json(load.earlyStopping) : null,
    windows: load.windows ? json(load.windows) : null,
    steps: load.steps ? json(load.steps) : null,
    knee: load.steps ? json(load.knee ?? null) : null,
    slo_p99_ms: o.job.config.slo?.p99Ms ?? null,
    // An LLM run is held to the SLO's ttftMs / tpotMs / e2eMs as well (analysis/slo.ts).
    meets_slo: sloVerdict(o.job.config.slo, l, load.ok, load.llm).meets,
    // Results rebuilt from history older than device pinning lack these: null, not a guess.
    device_cores: m.cores ? formatCpuList(m.cores) : null,
    device_pinned: m.pinned ?? null,
    concurrent_on_node: m.concurrent ? json(m.concurrent) : null,
    // Results rebuilt from history older than in-window throughput lack these: null, not a guess.
    completed_in_window: load.completedInWindow ?? null,
    inflight_at_end: load.inflightAtEnd ?? null,
    error_counts: load.errorCounts ? json(load.errorCounts) : null,
    serving_system: servingSystem(o),
    started_at: load.startedAt,
    finished_at: m.finishedAt,
    // Results rebuilt from history older than configurable inputs lack these: null, not a guess.
    input_shapes: m.inputShapes ? json(m.inputShapes) : null,
    tensor_format: m.tensorFormat ?? null,
    // Results rebuilt from history older than the settings resolver lack them: null, not a guess.
    settings: m.settings ? json(m.settings) : null,
    // Every run before gRPC went over HTTP.
    protocol: m.protocol ?? 'http',
    request_bytes: load.requestBytes ?? null,
    response_bytes: load.responseBytes ?? null,
  };
}

/** The system that served the job: serving.system, `external` for serving.endpoint (older configs lack the key: builtin). */
function servingSystem(o: JobOutcome): string {
  const s = o.job.config.serving;
  return s.endpoint !== undefined ? 'external' : (s.system ?? 'builtin');
}

/** Rows of the per-run detail tables: latency buckets, server statistics and batch sizes, system samples. */
export function detailRows(o: JobOutcome): Record<(typeof DETAIL_TABLES)[number], Row[]> {
  const m = o.measure;
  const runId = o.job.jobId;
  if (!m) return { latency_buckets: [], server_stats: [], server_batch_sizes: [], system_samples: [] };
  const st = m.serverStats;
  return {
    latency_buckets: latencyBuckets(decodeHistogram(m.load.histogram)).map((b, bucket) => ({
      run_id: runId,
      bucket,
      le_ms: b.leMs,
      count: b.count,
      cumulative_count: b.cumulativeCount,
      cumulative_fraction: b.cumulativeFraction,
    })),
    server_stats: st
      ? [
          {
            run_id: runId,
            system: servingSystem(o),
            requests: st.requests,
            inferences: st.inferences,
            batches: st.batches,
            queue_mean_us: st.queueTimeUs.mean,
            queue_p99_us: st.queueTimeUs.p99,
            compute_mean_us: st.computeTimeUs.mean,
            compute_p99_us: st.computeTimeUs.p99,
            request_mean_us: st.requestTimeUs?.mean ?? null,
            compute_input_mean_us: st.computeInputUs?.mean ?? null,
            compute_output_mean_us: st.computeOutputUs?.mean ?? null,
          },
        ]
      : [],
    server_batch_sizes: st ? Object.entries(st.batchSizeCounts).map(([size, count]) => ({ run_id: runId, batch_size: Number(size), count })) : [],
    system_samples: (m.samples ?? []).map((x) => ({
      run_id: runId,
      t_ms: x.tMs,
      process: x.process,
      cpu_pct: x.cpuPct,
      rss_bytes: x.rssBytes,
      gpu_util_pct: x.gpuUtilPct,
      gpu_mem_bytes: x.gpuMemBytes,
      gpu_power_w: x.gpuPowerW,
    })),
  };
}

const DETAIL_TABLES = ['latency_buckets', 'server_stats', 'server_batch_sizes', 'system_samples'] as const;

/** What the leader writes: a sweep's row, or a job with its run and the run's details. */
export type ResultRecord = { sweep: SweepRow } | { job: JobOutcome; recordedAt: string };

/** One transaction: the job, its run and the run's details replace whatever an earlier attempt wrote. */
export async function writeJob(file: string, o: JobOutcome, recordedAt: string): Promise<void> {
  await withDatabase(file, 'read-write', (conn) => writeRecords(conn, [{ job: o, recordedAt }]));
}

/**
 * Writes records in one transaction, a few statements per table whatever their number: every row keyed by its
 * id and written with INSERT OR REPLACE (a job's detail rows deleted first), so writing a record again, in this
 * batch or a later one, replaces it. Of two records with one key the later wins, as if written one after another.
 */
export async function writeRecords(conn: DuckDBConnection, records: ResultRecord[]): Promise<void> {
  const sweeps = new Map<string, Row>();
  const jobs = new Map<string, JobOutcome & { recordedAt: string }>();
  for (const r of records) {
    if ('sweep' in r) sweeps.set(r.sweep.sweepId, sweepRow(r.sweep));
    else {
      jobs.delete(r.job.job.jobId); // keeps plan order of the last write
      jobs.set(r.job.job.jobId, { ...r.job, recordedAt: r.recordedAt });
    }
  }
  const outcomes = [...jobs.values()];
  const runIds = [...jobs.keys()];
  const runs = outcomes.map(runRow);
  const llmRuns = outcomes.map(llmRunRow).filter((r): r is Row => r !== null);
  const details = outcomes.map(detailRows);
  await conn.run('BEGIN TRANSACTION');
  try {
    await upsertAll(conn, 'sweeps', [...sweeps.values()]);
    await upsertAll(conn, 'jobs', outcomes.map((o) => jobRow(o, o.recordedAt)));
    await deleteRuns(conn, 'runs', runIds.filter((_, i) => runs[i] === null));
    await upsertAll(conn, 'runs', runs.filter((r): r is Row => r !== null));
    // A rewrite that no longer carries an LLM summary leaves no stale row behind.
    await deleteRuns(conn, 'llm_runs', runIds);
    await upsertAll(conn, 'llm_runs', llmRuns);
    for (const table of DETAIL_TABLES) {
      await deleteRuns(conn, table, runIds);
      await upsertAll(conn, table, details.flatMap((d) => d[table]));
    }
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
  // A new swept parameter becomes a column of `results`.
  if (outcomes.length > 0) await createViews(conn);
}
