/**
 * The views that answer trade-off questions. They sit over the raw tables, so a new run shows up at once.
 * `results` has one column per swept parameter, so it is rebuilt from the parameters present whenever jobs
 * are written (DuckDB binds view text at query time, so the views built on it follow).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { LLM_EMPTY_COLUMN_HINTS, LLM_VIEWS } from './llm-views';

export interface ParamColumn {
  key: string; // the dotted config path, also the column name
  type: 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** SQL for `results`: runs with their sweep, job facts, price and measured power, and one column per parameter. */
export function resultsViewSql(params: ParamColumn[]): string {
  const paramCols = params.map((p) => {
    const path = literal(`$."${p.key.replace(/"/g, '\\"')}"`);
    const value = p.type === 'VARCHAR' ? `j.params->>${path}` : `TRY_CAST(j.params->>${path} AS ${p.type})`;
    return `${value} AS ${ident(p.key)},`;
  });
  return `CREATE OR REPLACE VIEW results AS
   SELECT s.name AS sweep, r.sweep_id, r.run_id, j.job_index, j.repeat_index,
          ${paramCols.join('\n          ')}
          j.params, j.model_name, j.model_family, j.model_parameters, j.model_flops, j.model_hash,
          j.cluster, j.node, j.device, coalesce(j.price_per_hour, pr.price_per_hour) AS price_per_hour,
          r.mode, r.batch_size, r.target_rate, r.concurrency,
          r.throughput, r.inferences_per_s, r.achieved_rate, r.requests, r.errors,
          r.lat_p50_ms, r.lat_p90_ms, r.lat_p95_ms, r.lat_p99_ms, r.lat_p999_ms, r.lat_max_ms, r.lat_mean_ms,
          r.send_lag_p99_ms, r.valid, r.invalid_reasons, r.loadgen_cpu_pct, r.inflight_at_end,
          r.slo_p99_ms, r.meets_slo, pw.mean_power_w, r.started_at
   FROM runs r
   JOIN jobs j USING (job_id)
   JOIN sweeps s ON s.sweep_id = r.sweep_id
   LEFT JOIN prices pr ON pr.device = j.device
   LEFT JOIN (
     -- Mean power per GPU over the measured window, summed over the run's GPUs.
     SELECT run_id, sum(w) AS mean_power_w FROM (
       SELECT run_id, process, avg(gpu_power_w) AS w FROM system_samples
       WHERE t_ms >= 0 AND gpu_power_w IS NOT NULL GROUP BY run_id, process)
     GROUP BY run_id) pw ON pw.run_id = r.run_id`;
}

const NO_THROUGHPUT = 'no throughput: the run completed no inference';
const NO_PRICE = 'no run had a price: set target.pricePerHour in the config, or add its device to the prices table';
const NO_POWER = 'no run had a power reading: power is read from GPUs only, through nvidia-smi';

/** Why a column of the views is empty in every row of a result: `query` says so under the table. */
export const EMPTY_COLUMN_HINTS: Record<string, string> = {
  price_per_hour: NO_PRICE,
  cost_per_million: NO_PRICE,
  mean_power_w: NO_POWER,
  joules_per_inference: NO_POWER,
  ...LLM_EMPTY_COLUMN_HINTS,
};

export const DERIVED_VIEWS: string[] = [
  // Per model and device: the valid runs no other valid run beats on both throughput and p99 latency. An invalid
  // run (saturated server, errors, unmet run rules) measured something else and neither sits on nor shapes the front.
  `CREATE OR REPLACE VIEW pareto_front AS
   SELECT a.* FROM results a
   WHERE a.errors = 0 AND coalesce(a.valid, true) AND a.inferences_per_s > 0 AND a.lat_p99_ms IS NOT NULL AND NOT EXISTS (
     SELECT 1 FROM results b
     WHERE b.model_name IS NOT DISTINCT FROM a.model_name
       AND b.model_parameters IS NOT DISTINCT FROM a.model_parameters
       AND b.device = a.device AND b.errors = 0 AND coalesce(b.valid, true)
       AND b.inferences_per_s >= a.inferences_per_s AND b.lat_p99_ms <= a.lat_p99_ms
       AND (b.inferences_per_s > a.inferences_per_s OR b.lat_p99_ms < a.lat_p99_ms))`,
  // Per sweep: the configuration with the highest mean throughput whose every repeat met the SLO without errors
  // and was a valid run (a run without a verdict, recorded before run rules existed, is not held against it).
  `CREATE OR REPLACE VIEW best_under_slo AS
   WITH configs AS (
     SELECT sweep_id, job_index, avg(inferences_per_s) AS mean_inferences_per_s, max(lat_p99_ms) AS worst_p99_ms,
            count(*) AS repeats, bool_and(coalesce(meets_slo, false) AND errors = 0 AND coalesce(valid, true)) AS ok
     FROM results GROUP BY sweep_id, job_index),
   best AS (
     SELECT * FROM configs WHERE ok
     QUALIFY row_number() OVER (PARTITION BY sweep_id ORDER BY mean_inferences_per_s DESC, worst_p99_ms, job_index) = 1)
   SELECT r.*, b.mean_inferences_per_s, b.worst_p99_ms, b.repeats
   FROM best b JOIN results r ON r.sweep_id = b.sweep_id AND r.job_index = b.job_index
   QUALIFY row_number() OVER (PARTITION BY r.sweep_id ORDER BY r.repeat_index) = 1`,
  // Cost of a million inferences at the measured throughput, from the device-hour price (config or prices table);
  // where there is none, `reason` says why and how to give one.
  `CREATE OR REPLACE VIEW cost_per_million AS
   SELECT sweep, sweep_id, run_id, job_index, repeat_index, params, device, price_per_hour, inferences_per_s,
          CASE WHEN price_per_hour IS NULL OR coalesce(inferences_per_s, 0) <= 0 THEN NULL
               ELSE price_per_hour / (inferences_per_s * 3600) * 1e6 END AS cost_per_million,
          CASE WHEN coalesce(inferences_per_s, 0) <= 0 THEN ${literal(NO_THROUGHPUT)}
               WHEN price_per_hour IS NULL THEN 'no price for device ' || device || ': set target.pricePerHour in the config, or add '
                    || device || ' to the prices table' END AS reason
   FROM results`,
  // Energy per inference where power was measured (GPU power through nvidia-smi); `reason` says why not elsewhere.
  `CREATE OR REPLACE VIEW energy_per_inference AS
   SELECT sweep, sweep_id, run_id, job_index, repeat_index, params, device, mean_power_w, inferences_per_s,
          CASE WHEN mean_power_w IS NULL OR coalesce(inferences_per_s, 0) <= 0 THEN NULL
               ELSE mean_power_w / inferences_per_s END AS joules_per_inference,
          CASE WHEN coalesce(inferences_per_s, 0) <= 0 THEN ${literal(NO_THROUGHPUT)}
               WHEN mean_power_w IS NULL AND device LIKE 'gpu%' THEN 'no power reading: nvidia-smi reported no power draw during the run'
               WHEN mean_power_w IS NULL THEN 'no power reading: power is read from GPUs only (nvidia-smi); this run ran on ' || device
          END AS reason
   FROM results`,
];

/** The swept parameters present in `jobs`, typed by the JSON values they hold. */
export async function paramColumns(conn: DuckDBConnection): Promise<ParamColumn[]> {
  const reader = await conn.runAndReadAll(
    `SELECT key, list(DISTINCT json_type(value)) AS types
     FROM (SELECT unnest(json_keys(params)) AS key, params FROM jobs) k,
          LATERAL (SELECT json_extract(k.params, '$."' || replace(k.key, '"', '\\"') || '"') AS value)
     GROUP BY key ORDER BY min(key)`,
  );
  return reader.getRowObjectsJS().map((r) => {
    const types = (r.types as string[]).filter((t) => t !== 'NULL');
    const type = types.every((t) => t === 'BIGINT' || t === 'UBIGINT' || t === 'DOUBLE') && types.length ? 'DOUBLE' : types.length && types.every((t) => t === 'BOOLEAN') ? 'BOOLEAN' : 'VARCHAR';
    return { key: String(r.key), type };
  });
}

export async function createViews(conn: DuckDBConnection): Promise<void> {
  await conn.run(resultsViewSql(await paramColumns(conn)));
  for (const sql of [...DERIVED_VIEWS, ...LLM_VIEWS]) await conn.run(sql);
}
