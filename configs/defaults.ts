/**
 * Every default of a run's settings, written once. The config schema (schema.ts) fills the constant ones into
 * the validated config; resolveSettings (settings.ts) fills the ones derived from other keys, per job, so a
 * swept duration moves maxDuration along. Nothing else may default a setting: the load generator and the run
 * rules take the resolved settings (test/unit/settings.test.ts checks that they carry no defaults of their own).
 */

export const WORKLOAD_DEFAULTS = {
  batchSize: 1,
  warmupMs: 1000,
  /** The minimum measured time. */
  durationMs: 10_000,
  minQueries: 0,
  seed: 1,
  tensorFormat: 'json',
  /** Per-request deadline, and so the longest wait for stragglers at the end of a run. */
  requestTimeoutMs: 10_000,
  /** maxDuration unset = this many times duration (of each step, in progressive): room to meet the other rules, but a bound. */
  maxDurationFactor: 10,
  /** Length of the windows a run reports (runs.windows) when no stability rule sets one. */
  windowMs: 1000,
  /** workload.stability given: its keys left unset. */
  stability: { windows: 3, tolerance: 0.1, windowMs: 1000 },
  /** progressive: neither factor nor step given = factor 2; maxSteps; start = workload.rate or concurrency. */
  progressive: { factor: 2, maxSteps: 8 },
  /** offline: queries at the least; concurrency unset = all of them, up to OPEN_LOOP_MAX_SOCKETS. */
  offlineSamples: 1024,
  /** serving.api unset: KServe v2 tensors. */
  api: 'kserve-v2',
  /** server mode's gamma shape: 1 = Poisson arrivals. */
  burstiness: 1,
  /** LLM requests stream their reply (TTFT and ITL need it). */
  stream: true,
  /** slo.percentile: where a run must meet slo.ttftMs / tpotMs / e2eMs. */
  llmSloPercentile: 99,
  /** workload.earlyStopping.metric: the end-to-end latency (LoadGen's), unless TTFT or TPOT is asked. */
  earlyStoppingMetric: 'latency',
} as const;

/** workload.earlyStopping.percentile: the percentiles MLPerf LoadGen's early stopping is defined for. */
export const EARLY_STOPPING_PERCENTILES = [90, 95, 99, 99.9] as const;
export type EarlyStoppingPercentile = (typeof EARLY_STOPPING_PERCENTILES)[number];
/** workload.earlyStopping.metric: whose percentile early stopping bounds (MLPerf's LLM scenarios constrain TTFT and TPOT). */
export const EARLY_STOPPING_METRICS = ['latency', 'ttft', 'tpot'] as const;
export type EarlyStoppingMetric = (typeof EARLY_STOPPING_METRICS)[number];

/** serving.llm unset: the built-in LLM server's sequences decoded together, and tokens per sequence (prompt + output). */
export const LLM_SERVER_DEFAULTS = { parallel: 4, contextSize: 2048 } as const;

/**
 * Open-loop connection cap: HTTP/1.1 needs a socket per in-flight request, and beyond this a server is hopelessly
 * overloaded anyway. Requests over the cap queue in the sender, which shows up as latency (counted from schedule).
 * A bound rather than a default, here because offline's default concurrency derives from it.
 */
export const OPEN_LOOP_MAX_SOCKETS = 1024;
