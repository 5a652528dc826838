/**
 * runLoad: drives a KServe v2 server with one pre-built infer body, in closed
 * loop (concurrency) or open loop (Poisson, "server"), and summarises the
 * measured window.
 */
import { modelEndpoint } from './endpoint';
import { encodeHistogram, summarize, type LatencySummary } from './histogram';
import { closedLoop, openLoop, type LoopContext } from './loops';
import { poissonSchedule } from './schedule';
import { Sender } from './sender';
import { WindowStats } from './stats';

export type LoadMode = 'concurrency' | 'server';

export interface LoadProgress {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  /** Requests completed so far, warm-up included. */
  completed: number;
}

export interface LoadOptions {
  baseUrl: string;
  modelName: string;
  /** Serialised infer request, sent as is for every request. */
  body: Buffer;
  mode: LoadMode;
  /** Closed loop: requests kept outstanding. */
  concurrency?: number;
  /** Open loop: target requests/s. */
  rate?: number;
  warmupMs: number;
  durationMs: number;
  /** Seeds the open-loop schedule. */
  seed: number;
  /** Called about every 500 ms (e.g. to heartbeat). If it throws, the run stops and rejects with that error. */
  onProgress?: (p: LoadProgress) => void;
  /** Called once when warm-up ends and the measured window opens (e.g. to reset server-side statistics). */
  onWindowStart?: () => void;
  /** Aborting resolves early with what was measured so far (see LoadResult.aborted). */
  signal?: AbortSignal;
  /** Per-request deadline, and so the longest wait for stragglers; default 10 s. */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  mode: LoadMode;
  targetRate: number | null;
  concurrency: number | null;
  /** ISO time of the start of the measured window. */
  startedAt: string;
  /** Window length the rates are computed over (see measuredSpan). */
  measuredMs: number;
  /** Measured requests that completed, ok or not. */
  requests: number;
  ok: number;
  errors: number;
  /** Up to 5 distinct error messages. */
  errorSamples: string[];
  /** ok per second. */
  throughput: number;
  /** Measured requests sent per second. */
  achievedRate: number;
  latency: LatencySummary;
  /** HdrHistogram compressed base64, latency in µs. */
  histogram: string;
  /** Open loop only: actual send time − scheduled send time. */
  sendLag: { p50Ms: number; p99Ms: number; maxMs: number } | null;
  /** Present (true) when the signal ended the run early; in-flight requests were dropped, not counted. */
  aborted?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const PROGRESS_EVERY_MS = 500;
/**
 * Open-loop connection cap: HTTP/1.1 needs a socket per in-flight request, and
 * beyond this a server is hopelessly overloaded anyway. Requests over the cap
 * queue in the agent, which shows up as latency (counted from schedule).
 */
const OPEN_LOOP_MAX_SOCKETS = 1024;

function positive(name: string, v: number | undefined, integer: boolean): number {
  if (v === undefined || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return v;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const closed = opts.mode === 'concurrency';
  if (!closed && opts.mode !== 'server') throw new Error(`unsupported load mode "${String(opts.mode)}"`);
  const concurrency = closed ? positive('concurrency', opts.concurrency, true) : null;
  const rate = closed ? null : positive('rate', opts.rate, false);
  const timeoutMs = positive('requestTimeoutMs', opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS, false);
  const durationMs = positive('durationMs', opts.durationMs, false);
  if (!(opts.warmupMs >= 0) || !Number.isFinite(opts.warmupMs)) throw new RangeError(`warmupMs must be >= 0, got ${opts.warmupMs}`);
  const warmupMs = opts.warmupMs;
  const endMs = warmupMs + durationMs;
  const ep = modelEndpoint(opts.baseUrl, opts.modelName);
  // Generated before the clock starts so the send loop only reads an array.
  const schedule = rate === null ? null : poissonSchedule(rate, endMs, opts.seed);

  const sender = new Sender(ep, opts.body, timeoutMs, concurrency ?? OPEN_LOOP_MAX_SOCKETS);
  const stats = new WindowStats();
  // One internal stop for both causes: the caller's signal and a throwing onProgress.
  const halt = new AbortController();
  let failure: { error: unknown } | null = null;
  const onAbort = (): void => halt.abort();
  const signal = opts.signal;
  if (signal?.aborted) halt.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const wallStart = Date.now();
  const t0 = performance.now();
  const ctx: LoopContext = { sender, stats, t0, warmupMs, endMs, halt: halt.signal, completed: 0 };
  const progress = setInterval(() => {
    const elapsedMs = performance.now() - t0;
    try {
      opts.onProgress?.({ phase: elapsedMs < warmupMs ? 'warmup' : 'measure', elapsedMs, completed: ctx.completed });
    } catch (error) {
      failure = { error };
      halt.abort();
    }
  }, PROGRESS_EVERY_MS);

  const windowStart = opts.onWindowStart ? setTimeout(opts.onWindowStart, warmupMs) : undefined;
  let stoppedAt = Infinity;
  try {
    await (schedule ? openLoop(ctx, schedule) : closedLoop(ctx, concurrency!));
  } finally {
    clearInterval(progress);
    clearTimeout(windowStart);
    signal?.removeEventListener('abort', onAbort);
    if (halt.signal.aborted) {
      stoppedAt = performance.now() - t0;
      stats.frozen = true; // requests dropped below must not count as errors
    }
    sender.close();
  }
  if (failure) throw (failure as { error: unknown }).error;

  const measuredMs = measuredSpan(stats, t0, warmupMs, durationMs, stoppedAt);
  const perSec = (n: number): number => (measuredMs > 0 ? (n * 1000) / measuredMs : 0);
  const result: LoadResult = {
    mode: opts.mode,
    targetRate: rate,
    concurrency,
    startedAt: new Date(wallStart + warmupMs).toISOString(),
    measuredMs,
    requests: stats.ok + stats.errors,
    ok: stats.ok,
    errors: stats.errors,
    errorSamples: [...stats.errorSamples],
    throughput: perSec(stats.ok),
    achievedRate: perSec(stats.sent),
    latency: summarize(stats.latency),
    histogram: encodeHistogram(stats.latency),
    sendLag: closed ? null : stats.sendLagSummary(),
  };
  if (halt.signal.aborted) result.aborted = true;
  stats.release();
  return result;
}

/**
 * The nominal window (cut short at an abort), stretched to the last measured
 * send if the open-loop sender fell behind: a late sender must lower the
 * achieved rate, not hide inside the window.
 */
function measuredSpan(stats: WindowStats, t0: number, warmupMs: number, durationMs: number, stoppedAt: number): number {
  const nominal = Math.min(durationMs, Math.max(0, stoppedAt - warmupMs));
  const lastSend = stats.lastSendAt - (t0 + warmupMs);
  return Math.max(nominal, Number.isFinite(lastSend) ? lastSend : 0);
}
