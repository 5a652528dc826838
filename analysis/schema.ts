/**
 * The results database: one DuckDB file, written only by the leader's record activities.
 * Every table is keyed so that a retried write replaces instead of duplicating (INSERT OR REPLACE).
 * Documented for users in analysis/README.md.
 */
export const SCHEMA_VERSION = 1;

export const TABLES: string[] = [
  `CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id      VARCHAR PRIMARY KEY,   -- the sweep workflow id
    name          VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,      -- running | completed | failed
    jobs_total    INTEGER NOT NULL,
    jobs_done     INTEGER NOT NULL,
    jobs_failed   INTEGER NOT NULL,
    slo_p99_ms    DOUBLE,
    config        JSON NOT NULL,         -- the validated config, sweep block included
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ
  )`,
  `CREATE TABLE IF NOT EXISTS jobs (
    job_id              VARCHAR PRIMARY KEY,   -- the benchmark workflow id
    sweep_id            VARCHAR NOT NULL,
    job_index           INTEGER NOT NULL,
    repeat_index        INTEGER NOT NULL,
    status              VARCHAR NOT NULL,      -- completed | failed
    error               VARCHAR,
    params              JSON NOT NULL,         -- swept path -> value for this job
    config              JSON NOT NULL,         -- the job's full config after substitution
    cluster             VARCHAR NOT NULL,
    node                VARCHAR,
    host                JSON,                  -- the measuring host: CPU model, cores, memory, providers
    device              VARCHAR NOT NULL,
    model_name          VARCHAR,
    model_hash          VARCHAR,
    model_parameters    BIGINT,
    model_flops         DOUBLE,
    model_bytes         BIGINT,
    compile_seconds     DOUBLE,
    compile_cached      BOOLEAN,
    compile_attempts    INTEGER,
    measure_attempts    INTEGER,
    compile_started_at  TIMESTAMPTZ,
    compile_finished_at TIMESTAMPTZ,
    serve_started_at    TIMESTAMPTZ,
    measure_started_at  TIMESTAMPTZ,
    measure_finished_at TIMESTAMPTZ,
    recorded_at         TIMESTAMPTZ NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR PRIMARY KEY,
    job_id          VARCHAR NOT NULL,
    sweep_id        VARCHAR NOT NULL,
    mode            VARCHAR NOT NULL,
    batch_size      INTEGER NOT NULL,
    target_rate     DOUBLE,               -- open loop: requested req/s
    concurrency     INTEGER,              -- closed loop: outstanding requests
    warmup_ms       DOUBLE NOT NULL,
    duration_ms     DOUBLE NOT NULL,
    measured_ms     DOUBLE NOT NULL,
    requests        BIGINT NOT NULL,
    ok              BIGINT NOT NULL,
    errors          BIGINT NOT NULL,
    error_samples   JSON,
    throughput      DOUBLE NOT NULL,      -- successful requests per second
    inferences_per_s DOUBLE NOT NULL,     -- throughput x batch size
    achieved_rate   DOUBLE NOT NULL,      -- requests sent per second
    lat_min_ms      DOUBLE, lat_mean_ms DOUBLE, lat_p50_ms DOUBLE, lat_p90_ms DOUBLE, lat_p95_ms DOUBLE,
    lat_p99_ms      DOUBLE, lat_p999_ms DOUBLE, lat_max_ms DOUBLE, lat_stddev_ms DOUBLE,
    send_lag_p50_ms DOUBLE, send_lag_p99_ms DOUBLE, send_lag_max_ms DOUBLE,
    server_stats    JSON,                 -- queue/compute time, batch-size counts from the built-in server
    histogram       VARCHAR,              -- HDR histogram of latencies (µs), compressed base64
    slo_p99_ms      DOUBLE,
    meets_slo       BOOLEAN,              -- every percentile the SLO names is met; null without an SLO
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ NOT NULL
  )`,
];

export const VIEWS: string[] = [
  // One row per run with its job's facts and swept parameters beside it.
  `CREATE OR REPLACE VIEW results AS
   SELECT s.name AS sweep, r.sweep_id, r.run_id, j.job_index, j.repeat_index, j.params,
          j.model_name, j.model_parameters, j.model_flops, j.cluster, j.node, j.device,
          r.mode, r.batch_size, r.target_rate, r.concurrency,
          r.throughput, r.inferences_per_s, r.achieved_rate, r.errors,
          r.lat_p50_ms, r.lat_p90_ms, r.lat_p95_ms, r.lat_p99_ms, r.lat_p999_ms, r.lat_max_ms,
          r.slo_p99_ms, r.meets_slo, r.started_at
   FROM runs r JOIN jobs j USING (job_id) JOIN sweeps s ON s.sweep_id = r.sweep_id`,
  // Per sweep: the highest-throughput run whose p99 meets the sweep's SLO.
  `CREATE OR REPLACE VIEW best_under_slo AS
   SELECT * EXCLUDE (rk) FROM (
     SELECT *, row_number() OVER (PARTITION BY sweep_id ORDER BY inferences_per_s DESC, lat_p99_ms) AS rk
     FROM results WHERE meets_slo AND errors = 0)
   WHERE rk = 1`,
];
