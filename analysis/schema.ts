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
    status        VARCHAR NOT NULL,      -- running | completed | failed | cancelled
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
    price_per_hour      DOUBLE,                -- target.pricePerHour from the config, when given
    model_name          VARCHAR,
    model_family        VARCHAR,               -- mlp, ... for generated models; 'file' for model.path
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
    requests        BIGINT NOT NULL,      -- requests sent in the window that completed (ok or not), whenever they completed
    ok              BIGINT NOT NULL,
    errors          BIGINT NOT NULL,
    error_samples   JSON,
    throughput      DOUBLE NOT NULL,      -- requests sent and answered ok within the window, per second
    inferences_per_s DOUBLE NOT NULL,     -- throughput x batch size
    achieved_rate   DOUBLE NOT NULL,      -- requests sent per second
    lat_min_ms      DOUBLE, lat_mean_ms DOUBLE, lat_p50_ms DOUBLE, lat_p90_ms DOUBLE, lat_p95_ms DOUBLE,
    lat_p99_ms      DOUBLE, lat_p999_ms DOUBLE, lat_max_ms DOUBLE, lat_stddev_ms DOUBLE,
    send_lag_p50_ms DOUBLE, send_lag_p99_ms DOUBLE, send_lag_max_ms DOUBLE,
    server_stats    JSON,                 -- queue/compute time, batch-size counts from the built-in server
    histogram       VARCHAR,              -- HDR histogram of latencies (µs), compressed base64
    valid           BOOLEAN,              -- the run rules' verdict (duration, queries, rate, stability, errors)
    invalid_reasons JSON,                 -- why not, in words; [] when valid
    loadgen_cpu_pct DOUBLE,               -- the load generator's own CPU, % of one core: a saturated generator is a finding
    early_stopping  JSON,                 -- {percentile, queriesNeeded, estimateMs}: the latency bounding the percentile at 99% confidence
    windows         JSON,                 -- per-window throughput and p99, for stability
    steps           JSON,                 -- progressive mode: every step {level, throughput, p99Ms, valid, stop}
    knee            JSON,                 -- progressive mode: {level, index} of the knee, whose statistics this row holds
    slo_p99_ms      DOUBLE,
    meets_slo       BOOLEAN,              -- every percentile the SLO names is met; null without an SLO
    device_cores    VARCHAR,              -- cores the server and load generator were pinned to, taskset style: 0, 0-1, 0,2
    device_pinned   BOOLEAN,              -- false where taskset was missing (they then ran unpinned)
    concurrent_on_node JSON,              -- what else held cores of the node meanwhile: [{kind, jobId, device, cores, startedAt, finishedAt}]; [] when nothing
    completed_in_window BIGINT,           -- requests sent and answered (ok or not) within the window: throughput's count
    inflight_at_end BIGINT,               -- requests sent in the window still unanswered when it closed (latency only)
    error_counts    JSON,                 -- [{message, count}] of the failed requests, most frequent first
    serving_system  VARCHAR,              -- serving.system that served the run: builtin | triton | mlserver | command; external for serving.endpoint
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ NOT NULL,
    input_shapes    JSON,                 -- input name -> shape sent, e.g. {"input": [1, 512], "sr": []}; a list of shapes when data files vary it
    tensor_format   VARCHAR,              -- json | binary (Triton's binary tensor extension, requests and responses)
    protocol        VARCHAR,              -- serving.protocol the requests went over: http | grpc
    request_bytes   DOUBLE,               -- mean request body bytes
    response_bytes  DOUBLE,               -- mean successful response body bytes
    settings        JSON                  -- every setting the run used, defaults and derived values resolved (configs/settings.ts): mode, rate, concurrency, warmupMs, durationMs, maxDurationMs, stability, earlyStopping, progressive, requestTimeoutMs, seed...
  )`,
  // The latency distribution of each run, from its HDR histogram: bucket i holds the latencies in
  // (previous le_ms, le_ms]; cumulative_fraction is the CDF at le_ms.
  `CREATE TABLE IF NOT EXISTS latency_buckets (
    run_id              VARCHAR NOT NULL,
    bucket              INTEGER NOT NULL,
    le_ms               DOUBLE NOT NULL,
    count               BIGINT NOT NULL,
    cumulative_count    BIGINT NOT NULL,
    cumulative_fraction DOUBLE NOT NULL,
    PRIMARY KEY (run_id, bucket)
  )`,
  // What the server saw during the measured window: the built-in server's own window, or the deltas of a peer
  // system's statistics between the window's start and end (Prometheus /metrics of Triton and MLServer, Triton's
  // /stats for its batch sizes and for a command's server that serves it). What a system does not give is null.
  `CREATE TABLE IF NOT EXISTS server_stats (
    run_id          VARCHAR PRIMARY KEY,
    system          VARCHAR,               -- the serving system that reported them
    requests        BIGINT NOT NULL,
    inferences      BIGINT,                -- rows: the sum of request batch sizes; null where the system does not say (MLServer)
    batches         BIGINT,                -- model runs; null where the system does not say (MLServer)
    queue_mean_us   DOUBLE, queue_p99_us DOUBLE,   -- p99 null where the server keeps only sums (Triton)
    compute_mean_us DOUBLE, compute_p99_us DOUBLE,
    request_mean_us DOUBLE,                -- a request's whole time in the server, from its /metrics (Triton, MLServer)
    compute_input_mean_us  DOUBLE,         -- Triton's compute_input and compute_output per request
    compute_output_mean_us DOUBLE
  )`,
  `CREATE TABLE IF NOT EXISTS server_batch_sizes (
    run_id      VARCHAR NOT NULL,
    batch_size  INTEGER NOT NULL,          -- rows in one model run
    count       BIGINT NOT NULL,           -- model runs of that size
    PRIMARY KEY (run_id, batch_size)
  )`,
  // Samples taken through each run; GPU columns are null where no GPU was measured, never invented.
  `CREATE TABLE IF NOT EXISTS system_samples (
    run_id          VARCHAR NOT NULL,
    t_ms            DOUBLE NOT NULL,       -- since the start of the measured window (negative: warm-up)
    process         VARCHAR NOT NULL,      -- server | loadgen | gpu<index>
    cpu_pct         DOUBLE,                -- of one core (200 = two cores busy)
    rss_bytes       BIGINT,
    gpu_util_pct    DOUBLE,
    gpu_mem_bytes   BIGINT,
    gpu_power_w     DOUBLE,
    PRIMARY KEY (run_id, process, t_ms)
  )`,
  // LLM serving runs (serving.api openai-*): one row per run beside its runs row, which holds E2E latency (lat_*),
  // requests/s (throughput) and the verdict. Latencies are null where nothing measured them (a run that did not
  // stream has no TTFT or ITL; TPOT needs requests of 2 or more output tokens; no successful request, no latency).
  `CREATE TABLE IF NOT EXISTS llm_runs (
    run_id          VARCHAR PRIMARY KEY,   -- runs.run_id
    api             VARCHAR NOT NULL,      -- openai-completions | openai-chat
    stream          BOOLEAN NOT NULL,      -- SSE streaming (TTFT and ITL need it)
    -- time to first token: first content chunk − scheduled send (open loop) or send (closed loop)
    ttft_p50_ms DOUBLE, ttft_p90_ms DOUBLE, ttft_p95_ms DOUBLE, ttft_p99_ms DOUBLE, ttft_mean_ms DOUBLE, ttft_max_ms DOUBLE,
    -- inter-token latency: every gap between consecutive content chunks, all requests pooled (vLLM's ITL)
    itl_p50_ms DOUBLE, itl_p90_ms DOUBLE, itl_p95_ms DOUBLE, itl_p99_ms DOUBLE, itl_mean_ms DOUBLE, itl_max_ms DOUBLE,
    -- time per output token: (E2E − TTFT) / (output tokens − 1) per request (vLLM's TPOT)
    tpot_p50_ms DOUBLE, tpot_p90_ms DOUBLE, tpot_p95_ms DOUBLE, tpot_p99_ms DOUBLE, tpot_mean_ms DOUBLE, tpot_max_ms DOUBLE,
    -- per request, the mean of its chunk gaps (GuideLLM's inter_token_latency)
    itl_mean_p50_ms DOUBLE, itl_mean_p90_ms DOUBLE, itl_mean_p95_ms DOUBLE, itl_mean_p99_ms DOUBLE, itl_mean_mean_ms DOUBLE, itl_mean_max_ms DOUBLE,
    input_tokens    BIGINT NOT NULL,       -- measured requests answered within the window
    output_tokens   BIGINT NOT NULL,
    input_tokens_per_s  DOUBLE NOT NULL,   -- per second of the measured window
    output_tokens_per_s DOUBLE NOT NULL,
    total_tokens_per_s  DOUBLE NOT NULL,
    requests_per_s  DOUBLE NOT NULL,       -- requests answered ok within the window, per second (runs.throughput)
    mean_output_tokens DOUBLE,             -- per ok request
    mean_max_tokens DOUBLE,                -- max_tokens asked, mean
    token_source    VARCHAR,               -- usage (the server's usage) | tokenizer | chunks | mixed
    goodput         DOUBLE,                -- requests/s meeting every LLM SLO given; null without one
    good_requests   BIGINT,
    truncated       BIGINT NOT NULL,       -- ok requests whose stream ended early
    truncated_sample VARCHAR,              -- one reason, in words
    slo_ttft_ms     DOUBLE, slo_tpot_ms DOUBLE, slo_e2e_ms DOUBLE,
    slo_percentile  DOUBLE,                -- the percentile the LLM SLO is judged at (unset in the config: 99)
    meets_llm_slo   BOOLEAN,               -- every LLM SLO given met at slo_percentile; null without any
    ttft_histogram  VARCHAR,               -- HDR histograms (µs), compressed base64, as runs.histogram
    itl_histogram   VARCHAR,
    tpot_histogram  VARCHAR
  )`,
  // Prices per device-hour for cost_per_million, by device name; a config's target.pricePerHour wins.
  `CREATE TABLE IF NOT EXISTS prices (
    device          VARCHAR PRIMARY KEY,
    price_per_hour  DOUBLE NOT NULL,
    note            VARCHAR
  )`,
];

/** Columns added after a table was first released: files written by an older servebench gain them on open. */
export const MIGRATIONS: string[] = [
  `ALTER TABLE jobs ADD COLUMN IF NOT EXISTS host JSON`,
  `ALTER TABLE jobs ADD COLUMN IF NOT EXISTS model_family VARCHAR`,
  `ALTER TABLE jobs ADD COLUMN IF NOT EXISTS price_per_hour DOUBLE`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS valid BOOLEAN`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS invalid_reasons JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS loadgen_cpu_pct DOUBLE`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS early_stopping JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS windows JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS steps JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS knee JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS device_cores VARCHAR`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS device_pinned BOOLEAN`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS concurrent_on_node JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS completed_in_window BIGINT`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS inflight_at_end BIGINT`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS error_counts JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS input_shapes JSON`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS tensor_format VARCHAR`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS request_bytes DOUBLE`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS response_bytes DOUBLE`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS serving_system VARCHAR`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS settings JSON`,
  `ALTER TABLE server_stats ADD COLUMN IF NOT EXISTS system VARCHAR`,
  // MLServer gives no rows nor model runs: null rather than invented.
  `ALTER TABLE server_stats ALTER COLUMN inferences DROP NOT NULL`,
  `ALTER TABLE server_stats ALTER COLUMN batches DROP NOT NULL`,
  `ALTER TABLE server_stats ADD COLUMN IF NOT EXISTS request_mean_us DOUBLE`,
  `ALTER TABLE server_stats ADD COLUMN IF NOT EXISTS compute_input_mean_us DOUBLE`,
  `ALTER TABLE server_stats ADD COLUMN IF NOT EXISTS compute_output_mean_us DOUBLE`,
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS protocol VARCHAR`,
];
