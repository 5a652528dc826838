/**
 * The settings a run actually uses, resolved once from what was asked, the way MLPerf LoadGen's
 * TestSettingsInternal turns the user's TestSettings into the effective ones: every default (defaults.ts)
 * filled, every derived value computed (maxDuration, offline's concurrency and minimum queries, burst's rate,
 * progressive's start, direction and step lengths), keys of other modes dropped. Pure and workflow-safe: the
 * follower hands the result to the load generator, the workflow sizes timeouts by it, the host-limit checks
 * read it, and each run stores it (runs.settings).
 *
 * resolveSettings is idempotent (resolving resolved settings changes nothing), so runLoad may resolve what
 * it is given whether a caller resolved it already or asked for a few keys only.
 */
import { OPEN_LOOP_MAX_SOCKETS, WORKLOAD_DEFAULTS as D, type EarlyStoppingMetric, type EarlyStoppingPercentile } from './defaults';
import type { Config, ServingApi, WorkloadMode } from './schema';

export type ProgressiveOver = 'rate' | 'concurrency';

export interface StabilityRule {
  /** How many consecutive windows must agree. */
  windows: number;
  /** Allowed deviation from their mean, as a fraction (0.1 = ±10%). */
  tolerance: number;
  /** Window length. */
  windowMs: number;
}

/** Early stopping: bound this percentile of this metric (end-to-end latency, or an LLM's TTFT or TPOT). */
export interface EarlyStoppingRule {
  percentile: EarlyStoppingPercentile;
  metric: EarlyStoppingMetric;
}

/**
 * LLM objectives per request (ms; null = not asked): goodput counts the requests meeting every one given; a run
 * meets them when its `percentile` of each does (the results' views).
 */
export interface LlmSlo {
  ttftMs: number | null;
  tpotMs: number | null;
  e2eMs: number | null;
  percentile: number;
}

export interface ProgressiveSettings {
  over: ProgressiveOver;
  /** The first level (requests/s or requests outstanding). */
  start: number;
  /** Multiply the level by factor each step; null when `step` is given. */
  factor: number | null;
  /** Add step to the level each step; null when stepping by factor. */
  step: number | null;
  maxSteps: number;
  /** Minimum measured time of each step. */
  stepDurationMs: number;
  /** Longest measured time of each step. */
  stepMaxDurationMs: number;
}

/** The effective settings of one run. Null = does not apply to this mode (or, for trace's rate, is in the file). */
export interface RunSettings {
  mode: WorkloadMode;
  /** Open loop: target requests/s (server, constant; burst: size / every). */
  rate: number | null;
  /** Closed loop: requests kept outstanding (concurrency; 1 in single-stream; offline: all samples, up to 1024). */
  concurrency: number | null;
  burst: { size: number; everyMs: number } | null;
  /** offline: queries at the least. */
  samples: number | null;
  /** trace: the file (absolute) or its send offsets in ms. */
  trace: string | ArrayLike<number> | null;
  progressive: ProgressiveSettings | null;
  /** The p99 SLO, ms: ends progressive stepping, and judges meets_slo. */
  sloP99Ms: number | null;
  warmupMs: number;
  /** Minimum measured time. */
  durationMs: number;
  /** Minimum measured queries (offline: at least samples). */
  minQueries: number;
  /** Longest measured time, whatever is unmet. */
  maxDurationMs: number;
  earlyStopping: EarlyStoppingRule | null;
  stability: StabilityRule | null;
  /** Length of the reported windows (the stability rule's when there is one). */
  windowMs: number;
  /** Seeds the open-loop schedule (progressive: step i uses seed + i). */
  seed: number;
  /** Per-request deadline, and the longest wait for stragglers. */
  requestTimeoutMs: number;
  /** Rows per request, and the request bodies' form and data (these shape the requests, not the load). */
  batchSize: number;
  tensorFormat: 'json' | 'binary';
  data: string | null;
  /** What the requests speak: KServe v2 tensors, or an OpenAI-compatible LLM API (the load generator's sender). */
  api: ServingApi;
  /** server mode (and progressive over rate): the gamma shape of the inter-arrival gaps, 1 = Poisson. */
  burstiness: number;
  /** LLM requests: whether the reply is streamed (the request builder writes it into the bodies). */
  stream: boolean;
  /** LLM objectives (slo.ttftMs / tpotMs / e2eMs at slo.percentile); null when none is given. */
  llmSlo: LlmSlo | null;
}

/** What a caller asks for: unset (or null) keys take their defaults or are derived. Resolved settings are valid requests. */
export interface RequestedSettings {
  mode: WorkloadMode;
  rate?: number | null;
  concurrency?: number | null;
  burst?: { size: number; everyMs: number } | null;
  samples?: number | null;
  trace?: string | ArrayLike<number> | null;
  progressive?: {
    /** Unset = rate if `rate` is given, else concurrency. */
    over?: ProgressiveOver;
    /** Unset = `rate` or `concurrency` (whichever the steps go over). */
    start?: number;
    factor?: number | null;
    step?: number | null;
    maxSteps?: number;
    /** Unset = durationMs. */
    stepDurationMs?: number;
    /** Unset = maxDurationMs if asked (at least stepDurationMs), else 10 × stepDurationMs. */
    stepMaxDurationMs?: number;
  } | null;
  sloP99Ms?: number | null;
  warmupMs?: number;
  durationMs?: number;
  minQueries?: number;
  maxDurationMs?: number | null;
  earlyStopping?: { percentile: EarlyStoppingPercentile; metric?: EarlyStoppingMetric } | null;
  stability?: Partial<StabilityRule> | null;
  windowMs?: number;
  seed?: number;
  requestTimeoutMs?: number;
  batchSize?: number;
  tensorFormat?: 'json' | 'binary';
  data?: string | null;
  api?: ServingApi;
  burstiness?: number;
  stream?: boolean;
  /** Unset (or all three objectives null) = no LLM objective. */
  llmSlo?: { ttftMs?: number | null; tpotMs?: number | null; e2eMs?: number | null; percentile?: number } | null;
}

/** A job's validated config as a request: durations in ms, the config's key names mapped to the settings'. */
export function requestedOf(config: Config): RequestedSettings {
  const w = config.workload;
  const p = w.progressive;
  return {
    mode: w.mode,
    rate: w.rate,
    concurrency: w.concurrency,
    burst: w.burst ? { size: w.burst.size, everyMs: w.burst.every } : null,
    samples: w.samples,
    trace: w.trace, // made absolute by the config loader
    progressive: p ? { over: w.progressiveOver, start: p.start, factor: p.factor, step: p.step, maxSteps: p.maxSteps, stepDurationMs: p.stepDuration } : { over: w.progressiveOver },
    sloP99Ms: config.slo?.p99Ms ?? null,
    warmupMs: w.warmup,
    durationMs: w.duration,
    minQueries: w.minQueries,
    maxDurationMs: w.maxDuration,
    earlyStopping: w.earlyStopping ?? null,
    stability: w.stability ? { windows: w.stability.windows, tolerance: w.stability.tolerance, windowMs: w.stability.window } : null,
    seed: w.seed,
    requestTimeoutMs: w.requestTimeout,
    batchSize: w.batchSize,
    tensorFormat: w.tensorFormat,
    data: w.data ?? null,
    api: config.serving.api,
    burstiness: w.burstiness,
    stream: w.stream,
    llmSlo: config.slo ? { ttftMs: config.slo.ttftMs, tpotMs: config.slo.tpotMs, e2eMs: config.slo.e2eMs, percentile: config.slo.percentile } : null,
  };
}

/** The settings a job's run uses. */
export function settingsOf(config: Config): RunSettings {
  return resolveSettings(requestedOf(config));
}

/** Fills defaults and derived values; throws RangeError when the mode lacks what it needs (the schema reports those for configs). */
export function resolveSettings(r: RequestedSettings): RunSettings {
  const durationMs = r.durationMs ?? D.durationMs;
  const maxDurationMs = r.maxDurationMs ?? D.maxDurationFactor * durationMs;
  const stability = r.stability ? { windows: r.stability.windows ?? D.stability.windows, tolerance: r.stability.tolerance ?? D.stability.tolerance, windowMs: r.stability.windowMs ?? D.stability.windowMs } : null;
  const load = loadOf(r, durationMs);
  return {
    mode: r.mode,
    ...load.level,
    burst: r.mode === 'burst' ? required('burst', r.burst) : null,
    samples: load.samples,
    trace: r.mode === 'trace' ? required('trace', r.trace) : null,
    progressive: load.progressive,
    sloP99Ms: r.sloP99Ms ?? null,
    warmupMs: r.warmupMs ?? D.warmupMs,
    durationMs,
    minQueries: Math.max(r.minQueries ?? D.minQueries, load.samples ?? 0),
    maxDurationMs,
    earlyStopping: r.earlyStopping ? { percentile: r.earlyStopping.percentile, metric: r.earlyStopping.metric ?? D.earlyStoppingMetric } : null,
    stability,
    windowMs: stability?.windowMs ?? r.windowMs ?? D.windowMs,
    seed: r.seed ?? D.seed,
    requestTimeoutMs: r.requestTimeoutMs ?? D.requestTimeoutMs,
    batchSize: r.batchSize ?? D.batchSize,
    tensorFormat: r.tensorFormat ?? D.tensorFormat,
    data: r.data ?? null,
    api: r.api ?? D.api,
    burstiness: r.burstiness ?? D.burstiness,
    stream: r.stream ?? D.stream,
    llmSlo: llmSloOf(r.llmSlo),
  };
}

function llmSloOf(slo: RequestedSettings['llmSlo']): LlmSlo | null {
  const { ttftMs = null, tpotMs = null, e2eMs = null } = slo ?? {};
  if (ttftMs === null && tpotMs === null && e2eMs === null) return null;
  return { ttftMs, tpotMs, e2eMs, percentile: slo?.percentile ?? D.llmSloPercentile };
}

/** The load level of the mode (rate or concurrency), offline's samples and the progressive plan. */
function loadOf(
  r: RequestedSettings,
  durationMs: number,
): { level: { rate: number | null; concurrency: number | null }; samples: number | null; progressive: ProgressiveSettings | null } {
  const none = { samples: null, progressive: null };
  switch (r.mode) {
    case 'server':
    case 'constant':
      return { level: { rate: required('rate', r.rate), concurrency: null }, ...none };
    case 'burst': {
      const b = required('burst', r.burst);
      return { level: { rate: (b.size * 1000) / b.everyMs, concurrency: null }, ...none };
    }
    case 'trace': // the rate is the file's (the load generator reads it)
      return { level: { rate: null, concurrency: null }, ...none };
    case 'concurrency':
      return { level: { rate: null, concurrency: required('concurrency', r.concurrency) }, ...none };
    case 'single-stream':
      return { level: { rate: null, concurrency: 1 }, ...none };
    case 'offline': {
      const samples = r.samples ?? D.offlineSamples;
      return { level: { rate: null, concurrency: r.concurrency ?? Math.min(samples, OPEN_LOOP_MAX_SOCKETS) }, samples, progressive: null };
    }
    case 'progressive':
      return { level: { rate: null, concurrency: null }, samples: null, progressive: progressiveOf(r, durationMs) };
    default:
      throw new RangeError(`unsupported load mode "${String(r.mode)}"`);
  }
}

function progressiveOf(r: RequestedSettings, durationMs: number): ProgressiveSettings {
  const p = r.progressive ?? {};
  const over = p.over ?? (r.rate != null ? 'rate' : 'concurrency');
  const start = p.start ?? (over === 'rate' ? r.rate : r.concurrency);
  if (start == null) throw new RangeError(`progressive mode needs a start level (progressive.start or ${over})`);
  const step = p.step ?? null;
  const stepDurationMs = p.stepDurationMs ?? durationMs;
  const stepMaxDurationMs = p.stepMaxDurationMs ?? (r.maxDurationMs != null ? Math.max(r.maxDurationMs, stepDurationMs) : D.maxDurationFactor * stepDurationMs);
  return {
    over,
    start,
    factor: p.factor ?? (step === null ? D.progressive.factor : null),
    step,
    maxSteps: p.maxSteps ?? D.progressive.maxSteps,
    stepDurationMs,
    stepMaxDurationMs,
  };
}

function required<T>(name: string, v: T | null | undefined): T {
  if (v == null) throw new RangeError(`${name} is required in this mode`);
  return v;
}

/** The longest one measurement may take, warm-ups included: each progressive step is a run of its own. */
export function longestMeasurementMs(s: RunSettings): number {
  const p = s.progressive;
  return p ? p.maxSteps * (s.warmupMs + p.stepMaxDurationMs) : s.warmupMs + s.maxDurationMs;
}
