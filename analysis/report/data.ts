/**
 * Everything a report shows about one sweep, read from the results file in one read-only session, so the
 * file is locked only while loading and rendering happens afterwards.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { loadLlmData, type LlmReportData } from './llm-data';

export interface SweepInfo {
  sweepId: string;
  name: string;
  status: string;
  jobsTotal: number;
  jobsDone: number;
  jobsFailed: number;
  sloP99Ms: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunInfo {
  runId: string;
  jobIndex: number;
  repeatIndex: number;
  /** Swept config path -> value, as the job recorded it. */
  params: Record<string, unknown>;
  modelName: string | null;
  modelParameters: number | null;
  /** Per-sample FLOPs estimate; null when the model's shapes did not allow one. */
  modelFlops: number | null;
  device: string;
  mode: string;
  batchSize: number;
  throughput: number;
  inferencesPerS: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  meetsSlo: boolean | null;
  /** The run rules' verdict; null for runs recorded before verdicts existed. */
  valid: boolean | null;
  /** Why the run is invalid, in words (runs.invalid_reasons); empty when valid or unjudged. */
  invalidReasons: string[];
  /** Mean client-side latency; null when no request succeeded. */
  meanMs: number | null;
  /** Requests answered ok in the window. */
  ok: number;
  /** The failed requests' messages with their counts, most frequent first (runs.error_counts). */
  errorCounts: { message: string; count: number }[];
  /** A few distinct error messages as they came (runs.error_samples), for runs recorded before error_counts. */
  errorSamples: string[];
  /** The node that measured the run (jobs.node). */
  node: string | null;
  /** The execution provider the server was asked for (serving.executionProvider; cpu when the config says none). */
  provider: string | null;
  costPerMillion: number | null;
  joulesPerInference: number | null;
  /** Mean rows per model run as the server saw them (dynamic batching); null where it does not say. */
  rowsPerModelRun: number | null;
  /** What served the run (runs.serving_system); null in rows recorded before it existed. */
  system: string | null;
  /** The server's own numbers for the measured window (server_stats); null where none were recorded. */
  server: ServerNumbers | null;
}

/** A run's server_stats row: null where the system does not give that number. */
export interface ServerNumbers {
  requests: number;
  inferences: number | null;
  batches: number | null;
  queueMeanUs: number | null;
  computeMeanUs: number | null;
  requestMeanUs: number | null;
  /** Triton's tensor copies around the model's run, per request. */
  computeInputMeanUs: number | null;
  computeOutputMeanUs: number | null;
}

/** Model runs of one size in one run (server_batch_sizes). */
export interface BatchSizeCount {
  runId: string;
  batchSize: number;
  count: number;
}

/** A measuring host as recorded with its jobs (jobs.host), and which of this sweep's runs it measured. */
export interface HostInfo {
  node: string | null;
  hostname: string | null;
  cpuModel: string | null;
  cores: number | null;
  memoryBytes: number | null;
  gpus: { index: number; name: string; memoryMiB: number }[];
  /** The execution providers this onnxruntime build has, and the ones the runs asked for. */
  providers: string[];
  usedProviders: string[];
  onnxruntime: string | null;
  node_js: string | null;
  /** The measured compute peak (GFLOP/s) and how; null where not measured (a GPU device, an older run). */
  peakGflops: number | null;
  peakMethod: string | null;
  runIds: string[];
  /** The devices those runs measured on (jobs.device), in first-seen order. */
  devices: string[];
}

export interface FailedJob {
  jobIndex: number;
  repeatIndex: number;
  params: Record<string, unknown>;
  error: string | null;
}

export interface CdfPoint {
  runId: string;
  leMs: number;
  fraction: number;
}

export interface ParetoPoint {
  runId: string;
  sweepId: string;
  sweepName: string;
  jobIndex: number;
  params: Record<string, unknown>;
  modelName: string | null;
  device: string;
  p99Ms: number;
  inferencesPerS: number;
}

export interface BestUnderSlo {
  runId: string;
  jobIndex: number;
  params: Record<string, unknown>;
  meanInferencesPerS: number;
  worstP99Ms: number;
  repeats: number;
}

export interface ReportData {
  sweep: SweepInfo;
  /** Swept parameter keys in the order the config lists them. */
  paramKeys: string[];
  runs: RunInfo[];
  failedJobs: FailedJob[];
  cdf: CdfPoint[];
  /** Runs whose CDF comes from their percentiles because no latency buckets were recorded for them. */
  cdfFromPercentiles: string[];
  pareto: ParetoPoint[];
  best: BestUnderSlo | null;
  /** The server's batch sizes per run, where it reported them. */
  batchSizes: BatchSizeCount[];
  /** The hosts that measured this sweep's runs, one entry per distinct host record. */
  hosts: HostInfo[];
  /** The LLM serving runs' figures (serving.api openai-*); null or absent when the sweep has none. */
  llm?: LlmReportData | null;
}

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const time = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : str(v));
/** A JSON column's value (DuckDB returns JSON as text); undefined when malformed. */
function parsed(v: unknown): unknown {
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return undefined;
  }
}
/** JSON columns come back as text; a malformed or non-object value is treated as no parameters. */
function object(v: unknown): Record<string, unknown> {
  const o = parsed(v);
  return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : {};
}
/** A JSON array column; [] when null or malformed. */
function array(v: unknown): unknown[] {
  const a = parsed(v);
  return Array.isArray(a) ? a : [];
}
const strings = (v: unknown): string[] => array(v).map(String);

async function rows(conn: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Row[]> {
  return (await conn.runAndReadAll(sql, values)).getRowObjectsJS() as Row[];
}

const RUNS_SQL = `
  SELECT r.run_id, r.job_index, r.repeat_index, r.params, r.model_name, r.model_parameters, r.model_flops,
         r.device, r.mode, r.batch_size, r.throughput, r.inferences_per_s, r.requests, r.errors,
         r.lat_p50_ms, r.lat_p90_ms, r.lat_p95_ms, r.lat_p99_ms, r.lat_p999_ms, r.lat_max_ms, r.meets_slo, r.valid,
         r.lat_mean_ms, r.node, rr.ok, rr.invalid_reasons, rr.error_counts, rr.error_samples,
         coalesce(j.config->>'$.serving.executionProvider', 'cpu') AS provider, j.config->>'$.serving.endpoint' AS endpoint,
         c.cost_per_million, e.joules_per_inference,
         CASE WHEN ss.batches > 0 THEN ss.inferences / ss.batches END AS rows_per_model_run,
         rr.serving_system, ss.run_id IS NOT NULL AS has_server_stats, ss.requests AS server_requests,
         ss.inferences AS server_inferences, ss.batches AS server_batches, ss.queue_mean_us, ss.compute_mean_us, ss.request_mean_us,
         ss.compute_input_mean_us, ss.compute_output_mean_us
  FROM results r
  LEFT JOIN cost_per_million c ON c.run_id = r.run_id
  LEFT JOIN energy_per_inference e ON e.run_id = r.run_id
  LEFT JOIN server_stats ss ON ss.run_id = r.run_id
  JOIN runs rr ON rr.run_id = r.run_id
  JOIN jobs j ON j.job_id = rr.job_id
  WHERE r.sweep_id = $1
  ORDER BY r.job_index, r.repeat_index`;

function runInfo(r: Row): RunInfo {
  return {
    runId: String(r.run_id),
    jobIndex: Number(r.job_index),
    repeatIndex: Number(r.repeat_index),
    params: object(r.params),
    modelName: str(r.model_name),
    modelParameters: num(r.model_parameters),
    modelFlops: num(r.model_flops),
    device: String(r.device),
    mode: String(r.mode),
    batchSize: Number(r.batch_size),
    throughput: Number(r.throughput),
    inferencesPerS: Number(r.inferences_per_s),
    requests: Number(r.requests),
    errors: Number(r.errors),
    p50Ms: num(r.lat_p50_ms),
    p90Ms: num(r.lat_p90_ms),
    p95Ms: num(r.lat_p95_ms),
    p99Ms: num(r.lat_p99_ms),
    p999Ms: num(r.lat_p999_ms),
    maxMs: num(r.lat_max_ms),
    meetsSlo: r.meets_slo === null || r.meets_slo === undefined ? null : Boolean(r.meets_slo),
    valid: r.valid === null || r.valid === undefined ? null : Boolean(r.valid),
    invalidReasons: strings(r.invalid_reasons),
    meanMs: num(r.lat_mean_ms),
    ok: Number(r.ok),
    errorCounts: array(r.error_counts)
      .map((e) => object(e))
      .map((e) => ({ message: String(e.message ?? ''), count: Number(e.count ?? 0) })),
    errorSamples: strings(r.error_samples),
    node: str(r.node),
    // An external endpoint's provider is whatever that server uses: not known here.
    provider: r.endpoint ? null : str(r.provider),
    costPerMillion: num(r.cost_per_million),
    joulesPerInference: num(r.joules_per_inference),
    rowsPerModelRun: num(r.rows_per_model_run),
    system: str(r.serving_system),
    server: r.has_server_stats
      ? {
          requests: Number(r.server_requests),
          inferences: num(r.server_inferences),
          batches: num(r.server_batches),
          queueMeanUs: num(r.queue_mean_us),
          computeMeanUs: num(r.compute_mean_us),
          requestMeanUs: num(r.request_mean_us),
          computeInputMeanUs: num(r.compute_input_mean_us),
          computeOutputMeanUs: num(r.compute_output_mean_us),
        }
      : null,
  };
}

/** The serving systems of a sweep's runs, in first-seen order; the report groups by them when there are two or more. */
export function systemsOf(runs: RunInfo[]): string[] {
  return [...new Set(runs.map((r) => r.system ?? 'unknown'))];
}

/** A system column where a sweep ran more than one serving system without sweeping serving.system itself (which has its own column). */
export function systemColumn(data: ReportData): boolean {
  return systemsOf(data.runs).length > 1 && !data.paramKeys.includes('serving.system');
}

/**
 * The hosts of a sweep's runs from their jobs.host records: runs whose node and record are the same share an
 * entry. A record from an older servebench may lack fields: those are null, not guessed.
 */
export function hostsOf(rows: { runId: string; node: string | null; device?: string | null; host: unknown; provider: string | null }[]): HostInfo[] {
  const byKey = new Map<string, HostInfo>();
  for (const r of rows) {
    const h = object(r.host);
    if (!Object.keys(h).length) continue;
    const key = JSON.stringify([r.node, h]);
    let info = byKey.get(key);
    if (!info) {
      const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
      info = {
        node: r.node,
        hostname: str(h.hostname),
        cpuModel: str(h.cpuModel),
        cores: n(h.cores),
        memoryBytes: n(h.memoryBytes),
        gpus: (Array.isArray(h.gpus) ? h.gpus : []).map((g) => object(g)).map((g) => ({ index: Number(g.index), name: String(g.name ?? ''), memoryMiB: Number(g.memoryMiB ?? 0) })),
        providers: Array.isArray(h.providers) ? h.providers.map(String) : [],
        usedProviders: [],
        onnxruntime: str(h.onnxruntime),
        node_js: str(h.node),
        peakGflops: n(h.peakGflops),
        peakMethod: str(h.peakMethod),
        runIds: [],
        devices: [],
      };
      byKey.set(key, info);
    }
    info.runIds.push(r.runId);
    if (r.device && !info.devices.includes(r.device)) info.devices.push(r.device);
    if (r.provider && !info.usedProviders.includes(r.provider)) info.usedProviders.push(r.provider);
  }
  return [...byKey.values()];
}

/** A coarse CDF from a run's percentiles, for runs recorded before latency buckets existed. */
export function percentileCdf(run: RunInfo): CdfPoint[] {
  const points: [number | null, number][] = [
    [run.p50Ms, 0.5], [run.p90Ms, 0.9], [run.p95Ms, 0.95], [run.p99Ms, 0.99], [run.p999Ms, 0.999], [run.maxMs, 1],
  ];
  return points.filter(([ms]) => ms !== null && ms > 0).map(([ms, fraction]) => ({ runId: run.runId, leMs: ms as number, fraction }));
}

/** Parameter keys in first-seen order: JSON text keeps the order of the config's sweep block. */
export function paramKeysOf(params: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const p of params) for (const k of Object.keys(p)) keys.add(k);
  return [...keys];
}

export async function loadReportData(conn: DuckDBConnection, sweepId: string): Promise<ReportData> {
  const [s] = await rows(conn, `SELECT * FROM sweeps WHERE sweep_id = $1`, [sweepId]);
  if (!s) throw new Error(`no sweep with id "${sweepId}" in the results database`);
  const sweep: SweepInfo = {
    sweepId: String(s.sweep_id),
    name: String(s.name),
    status: String(s.status),
    jobsTotal: Number(s.jobs_total),
    jobsDone: Number(s.jobs_done),
    jobsFailed: Number(s.jobs_failed),
    sloP99Ms: num(s.slo_p99_ms),
    startedAt: time(s.started_at),
    finishedAt: time(s.finished_at),
  };
  const runs = (await rows(conn, RUNS_SQL, [sweepId])).map(runInfo);

  const failedJobs = (
    await rows(conn, `SELECT job_index, repeat_index, params, error FROM jobs WHERE sweep_id = $1 AND status <> 'completed' ORDER BY job_index, repeat_index`, [sweepId])
  ).map((r) => ({ jobIndex: Number(r.job_index), repeatIndex: Number(r.repeat_index), params: object(r.params), error: str(r.error) }));

  const jobParams = await rows(conn, `SELECT params FROM jobs WHERE sweep_id = $1 ORDER BY job_index, repeat_index`, [sweepId]);
  const paramKeys = paramKeysOf(jobParams.map((r) => object(r.params)));

  const buckets = await rows(
    conn,
    `SELECT b.run_id, b.le_ms, b.cumulative_fraction FROM latency_buckets b JOIN runs r ON r.run_id = b.run_id
     WHERE r.sweep_id = $1 AND b.le_ms > 0 ORDER BY b.run_id, b.bucket`,
    [sweepId],
  );
  const cdf: CdfPoint[] = buckets.map((b) => ({ runId: String(b.run_id), leMs: Number(b.le_ms), fraction: Number(b.cumulative_fraction) }));
  const withBuckets = new Set(cdf.map((p) => p.runId));
  // A run with no successful request has no latency at all: it is listed with its errors, not drawn.
  const cdfFromPercentiles = runs.filter((r) => !withBuckets.has(r.runId) && r.p50Ms !== null).map((r) => r.runId);
  for (const r of runs) if (!withBuckets.has(r.runId)) cdf.push(...percentileCdf(r));

  // The front is per model and device across all sweeps, so it is drawn for the models and devices this sweep measured.
  const pareto = (
    await rows(
      conn,
      `SELECT p.run_id, p.sweep_id, p.sweep, p.job_index, p.params, p.model_name, p.device, p.lat_p99_ms, p.inferences_per_s FROM pareto_front p
       WHERE p.lat_p99_ms IS NOT NULL AND EXISTS (
         SELECT 1 FROM results r WHERE r.sweep_id = $1 AND r.device = p.device
           AND r.model_name IS NOT DISTINCT FROM p.model_name AND r.model_parameters IS NOT DISTINCT FROM p.model_parameters)
       ORDER BY p.model_name, p.device, p.lat_p99_ms`,
      [sweepId],
    )
  ).map((r) => ({
    runId: String(r.run_id),
    sweepId: String(r.sweep_id),
    sweepName: String(r.sweep),
    jobIndex: Number(r.job_index),
    params: object(r.params),
    modelName: str(r.model_name),
    device: String(r.device),
    p99Ms: Number(r.lat_p99_ms),
    inferencesPerS: Number(r.inferences_per_s),
  }));

  const [b] = await rows(conn, `SELECT run_id, job_index, params, mean_inferences_per_s, worst_p99_ms, repeats FROM best_under_slo WHERE sweep_id = $1`, [sweepId]);
  const best: BestUnderSlo | null = b
    ? {
        runId: String(b.run_id),
        jobIndex: Number(b.job_index),
        params: object(b.params),
        meanInferencesPerS: Number(b.mean_inferences_per_s),
        worstP99Ms: Number(b.worst_p99_ms),
        repeats: Number(b.repeats),
      }
    : null;

  const batchSizes = (
    await rows(
      conn,
      `SELECT b.run_id, b.batch_size, b.count FROM server_batch_sizes b JOIN runs r ON r.run_id = b.run_id
       WHERE r.sweep_id = $1 AND b.count > 0 ORDER BY b.run_id, b.batch_size`,
      [sweepId],
    )
  ).map((r) => ({ runId: String(r.run_id), batchSize: Number(r.batch_size), count: Number(r.count) }));

  const providerOf = new Map(runs.map((r) => [r.runId, r.provider]));
  const hosts = hostsOf(
    (
      await rows(conn, `SELECT r.run_id, j.node, j.device, j.host FROM runs r JOIN jobs j ON j.job_id = r.job_id WHERE r.sweep_id = $1 ORDER BY j.job_index, j.repeat_index`, [sweepId])
    ).map((r) => ({ runId: String(r.run_id), node: str(r.node), device: str(r.device), host: r.host, provider: providerOf.get(String(r.run_id)) ?? null })),
  );

  const llm = await loadLlmData(conn, sweepId);
  return { sweep, paramKeys, runs, failedJobs, cdf, cdfFromPercentiles, pareto, best, batchSizes, hosts, llm };
}
