/**
 * runLoad: drives a KServe v2 server with pre-built infer bodies (cycled), or an OpenAI-compatible LLM server
 * with pre-built completion requests (api openai-*: openai-sender.ts, LoadResult.llm), until the run rules are met
 * (run-rules.ts), and summarises the measured window with a verdict. Modes:
 * - closed loop: `concurrency` (N outstanding), `single-stream` (1 outstanding: the next request when the
 *   previous completes), `offline` (see below);
 * - open loop, latency from the SCHEDULED send time: `server` (Poisson at rate, seeded; gamma gaps with
 *   `burstiness` other than 1, as vLLM's --burstiness), `constant` (every
 *   1/rate), `burst` (`burst.size` requests every `burst.everyMs`, rate = size / every), `trace` (recorded
 *   offsets replayed from the start, the trace repeated while the run lasts: see schedule.ts traceArrivals);
 * - `offline`: throughput only. At least `samples` queries, issued with `concurrency`
 *   outstanding, the run rules applying as in closed loop
 *   (so a short batch is extended to minDuration). Latency is counted per query from its send and recorded,
 *   but there is no target rate, so the verdict never judges the rate;
 * - `progressive`: a series of short runs (steps) at rising load over rate (open loop, Poisson) or
 *   concurrency (closed loop), see progressive.ts; the result is the knee step's, plus `steps` and `knee`.
 * The options are resolved once, on entry, by configs/settings.ts (as LoadGen's StartTest builds its
 * TestSettingsInternal): nothing below defaults a setting.
 */
import { isLlmApi, type ServingApi, type WorkloadMode } from '../../configs/schema';
import type { EarlyStoppingMetric } from '../../configs/defaults';
import { resolveSettings, type RequestedSettings, type RunSettings } from '../../configs/settings';
import { earlyStoppingRank } from './early-stopping';
import { modelEndpoint } from './endpoint';
import { encodeHistogram, summarize, type Histogram, type LatencySummary } from './histogram';
import { LoadLimitError, OPEN_LOOP_MAX_SOCKETS } from './limits';
import { closedLoop, openLoop, type LoopContext } from './loops';
import { RunControl } from './run-control';
import { earlyStoppingNeeds, judgeRun, rulesOf, type EarlyStoppingPercentile, type RunRules, type Verdict, type WindowSample } from './run-rules';
import { chooseKnee, checkPlan, levelAt, stopReason, type StepSummary } from './progressive';
import { burstArrivals, constantArrivals, gammaArrivals, traceArrivals, traceRate } from './schedule';
import type { RequestBody } from '../inputs/body';
import { GrpcSender } from './grpc-sender';
import { Sender, type LoadSender } from './sender';
import { WindowStats, type ErrorCount } from './stats';
import { loadTrace } from './trace';
import type { LlmRequestBody, LlmSummary } from './llm-types';
import { LlmStats } from './llm-stats';
import { loadGgufTokenizer } from '../inputs/gguf-tokenizer';
import { OpenAiSender, type LlmApi } from './openai-sender';

export type LoadMode = WorkloadMode;

export interface LoadProgress {
  phase: 'warmup' | 'measure';
  elapsedMs: number;
  /** Requests completed so far, warm-up included. */
  completed: number;
}

/** Where the load goes, and the hooks of the run. */
export interface LoadTarget {
  /** http (default): the server's base URL; grpc: its host:port. */
  baseUrl: string;
  modelName: string;
  /** KServe v2 over HTTP/REST (default) or gRPC (bodies are then serialised ModelInferRequests: inputs/grpc-body.ts). */
  protocol?: 'http' | 'grpc';
  /** Serialised JSON infer request, sent as is for every request (when `bodies` is absent). */
  body?: Buffer;
  /** Serialised infer requests (JSON or binary tensor format), sent in turn, cycled. */
  bodies?: RequestBody[];
  /**
   * kserve-v2 (default): `body`/`bodies` go to the KServe v2 infer URL. openai-completions / openai-chat: `llmBodies`
   * are POSTed to baseUrl + /v1/completions or /v1/chat/completions (openai-sender.ts), and the result carries `llm`.
   */
  api?: ServingApi;
  /** api openai-*: the prebuilt LLM request bodies (activities/inputs/prompts.ts), sent in turn, cycled. */
  llmBodies?: LlmRequestBody[];
  /**
   * api openai-*: a local GGUF whose tokenizer counts the output tokens of replies without `usage` (loaded before
   * the clock starts; in a compiled process only: node-llama-cpp is an ES module). Unset: such replies count chunks.
   */
  tokenizerModel?: string;
  /** Called about every 500 ms (e.g. to heartbeat). If it throws, the run stops and rejects with that error. */
  onProgress?: (p: LoadProgress) => void;
  /** Called once when warm-up ends and the measured window opens (e.g. to reset server-side statistics). */
  onWindowStart?: () => void;
  /** Aborting resolves early with what was measured so far (see LoadResult.aborted). */
  signal?: AbortSignal;
}

/** The target and the settings asked for (configs/settings.ts RequestedSettings: unset ones are resolved on entry). */
export type LoadOptions = LoadTarget & RequestedSettings;

export interface LoadResult {
  mode: LoadMode;
  targetRate: number | null;
  concurrency: number | null;
  /** ISO time of the start of the measured window. */
  startedAt: string;
  /** Window length the rates are computed over (see measuredSpan). */
  measuredMs: number;
  /** Measured requests (sent in the window) that completed, ok or not, whenever they completed. */
  requests: number;
  ok: number;
  errors: number;
  /** Up to 5 distinct error messages. */
  errorSamples: string[];
  /** Error messages of measured requests with their counts, most frequent first. */
  errorCounts: ErrorCount[];
  /** Measured requests answered successfully within the window, per second (perf_analyzer's valid requests). */
  throughput: number;
  /** Measured requests answered within the window, ok or not: throughput's numerator (plus its errors). */
  completedInWindow: number;
  /** Measured requests still in flight when the window closed (answered or timed out after it: latency only). */
  inflightAtEnd: number;
  /** Measured requests sent per second. */
  achievedRate: number;
  latency: LatencySummary;
  /** HdrHistogram compressed base64, latency in µs. */
  histogram: string;
  /** `progressive`: every step run, in order. */
  steps?: ProgressiveStep[];
  /** `progressive`: the last step that met the SLO and still grew throughput; null if none (the fields are then step 0's). */
  knee?: { level: number; index: number } | null;
  /** Open loop only: actual send time − scheduled send time. */
  sendLag: { p50Ms: number; p99Ms: number; maxMs: number } | null;
  /** Present (true) when the signal ended the run early; in-flight requests were dropped, not counted. */
  aborted?: boolean;
  /** Full windows of the measured window: ok completions per second and their p99, by completion time. */
  windows: WindowSample[];
  /** Whether the run is a measurement to trust, and if not why (run-rules.ts judgeRun). */
  verdict: Verdict;
  /** CPU of this process from the opening of the window to the last completion, % of one core; null if it never opened. */
  loadgenCpuPct: number | null;
  /**
   * When early stopping was asked: the ok queries it needs, and LoadGen's percentile estimate, the latency
   * that bounds the percentile at 99% confidence (null with too few queries).
   */
  earlyStopping: { percentile: EarlyStoppingPercentile; metric: EarlyStoppingMetric; queriesNeeded: number; estimateMs: number | null } | null;
  /** Mean body bytes per request sent, and per successful response (Content-Length), warm-up included. */
  requestBytes?: number | null;
  responseBytes?: number | null;
  /** serving.api openai-*: TTFT, ITL, TPOT, tokens per second, goodput (llm-types.ts). */
  llm?: LlmSummary;
}

const PROGRESS_EVERY_MS = 500;

function positive(name: string, v: number | null | undefined, integer: boolean): number {
  if (v == null || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return v;
}

export interface ProgressiveStep extends StepSummary {
  /** Why stepping stopped after this step (SLO broken, saturation, maxSteps, interrupted), else null. */
  stop: string | null;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const settings = resolveSettings(opts); // idempotent: settings a caller resolved pass unchanged
  const tokenizer = isLlmApi(settings.api) && opts.tokenizerModel ? await loadGgufTokenizer(opts.tokenizerModel) : null;
  try {
    const count = tokenizer ? (text: string) => tokenizer.count(text) : null;
    return await (settings.progressive ? runProgressive(opts, settings, count) : runOnce(opts, settings, count));
  } finally {
    await tokenizer?.close();
  }
}

/** Counts output tokens of LLM replies without usage (LoadTarget.tokenizerModel), or null. */
type CountTokens = ((text: string) => number) | null;

/** How one run issues its requests. */
interface Plan {
  /** Closed loop: requests outstanding; null in open loop. */
  concurrency: number | null;
  /** Open loop: the (mean) target rate; null in closed loop. */
  rate: number | null;
  /** Open loop: the lazy schedule. */
  schedule: (() => number) | null;
  /** burst: requests sent at once. */
  burstSize?: number;
  /** offline: the window lasts until the last measured query is answered (throughput = samples / time). */
  toLastCompletion?: boolean;
}

function planOf(s: RunSettings): Plan {
  switch (s.mode) {
    case 'concurrency':
    case 'single-stream':
      return { concurrency: positive('concurrency', s.concurrency, true), rate: null, schedule: null };
    case 'offline':
      positive('samples', s.samples, true);
      return { concurrency: positive('concurrency', s.concurrency, true), rate: null, schedule: null, toLastCompletion: true };
    case 'server': {
      const rate = positive('rate', s.rate, false);
      // Lazy: the schedule may run to maxDuration, and a send costs one more draw and log. Burstiness 1 is Poisson.
      return { concurrency: null, rate, schedule: gammaArrivals(rate, s.burstiness, s.seed) };
    }
    case 'constant': {
      const rate = positive('rate', s.rate, false);
      return { concurrency: null, rate, schedule: constantArrivals(rate) };
    }
    case 'burst': {
      const size = positive('burst.size', s.burst?.size, true);
      const everyMs = positive('burst.everyMs', s.burst?.everyMs, false);
      return { concurrency: null, rate: (size * 1000) / everyMs, schedule: burstArrivals(size, everyMs), burstSize: size };
    }
    case 'trace': {
      if (s.trace === null) throw new RangeError('trace mode needs a trace (a file or its send offsets)');
      const offsets = typeof s.trace === 'string' ? loadTrace(s.trace) : s.trace;
      return { concurrency: null, rate: traceRate(offsets), schedule: traceArrivals(offsets) };
    }
    default:
      throw new Error(`unsupported load mode "${String(s.mode)}"`);
  }
}

async function runOnce(opts: LoadTarget, s: RunSettings, countTokens: CountTokens = null): Promise<LoadResult> {
  const plan = planOf(s);
  const { concurrency, rate, schedule } = plan;
  const closed = concurrency !== null;
  const timeoutMs = positive('requestTimeoutMs', s.requestTimeoutMs, false);
  if (!(s.warmupMs >= 0) || !Number.isFinite(s.warmupMs)) throw new RangeError(`warmupMs must be >= 0, got ${s.warmupMs}`);
  const warmupMs = s.warmupMs;
  const rules = rulesOf(s);
  const windowMs = positive('windowMs', s.windowMs, false);
  earlyStoppingNeeds(rules); // the binomial search, before the clock starts
  const llm = isLlmApi(s.api);
  const metric = rules.earlyStopping?.metric;
  if (metric && metric !== 'latency' && !(llm && s.stream)) {
    throw new RangeError(`early stopping on ${metric} needs streamed LLM serving (serving.api openai-*, workload.stream true)`);
  }

  const sender = senderOf(opts, s, timeoutMs, concurrency ?? OPEN_LOOP_MAX_SOCKETS, countTokens);
  // One internal stop for both causes: the caller's signal and a throwing onProgress.
  const halt = new AbortController();
  let failure: { error: unknown } | null = null;
  const onAbort = (): void => halt.abort();
  const fail = (error: unknown): void => {
    failure ??= { error: error instanceof LoadLimitError ? limitErrorOf(error, plan, timeoutMs) : error };
    halt.abort();
  };
  const signal = opts.signal;
  if (signal?.aborted) halt.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  const wallStart = Date.now();
  const t0 = performance.now();
  const stats = new WindowStats(t0 + warmupMs, windowMs, llm ? new LlmStats(s.api as LlmApi, s.stream, s.llmSlo) : null);
  const control = new RunControl(warmupMs, rules, stats);
  const ctx: LoopContext = { sender, stats, t0, warmupMs, control, halt: halt.signal, fail, completed: 0 };
  const progress = setInterval(() => {
    const elapsedMs = performance.now() - t0;
    try {
      opts.onProgress?.({ phase: elapsedMs < warmupMs ? 'warmup' : 'measure', elapsedMs, completed: ctx.completed });
    } catch (error) {
      fail(error);
    }
  }, PROGRESS_EVERY_MS);

  let cpuStart: { usage: NodeJS.CpuUsage; at: number } | null = null;
  const openWindow = (): void => {
    cpuStart = { usage: process.cpuUsage(), at: performance.now() };
    opts.onWindowStart?.();
  };
  const windowStart = setTimeout(openWindow, warmupMs);
  let stoppedAt = Infinity;
  let loadgenCpuPct: number | null;
  try {
    await (schedule ? openLoop(ctx, schedule) : closedLoop(ctx, concurrency!, plan.toLastCompletion));
    loadgenCpuPct = cpuSince(cpuStart);
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

  const { nominalMs, measuredMs } = measuredSpan(stats, t0, warmupMs, control.endMs - warmupMs, stoppedAt, plan.toLastCompletion);
  stats.closeWindow(t0 + warmupMs + measuredMs); // no-op unless the loop left it open (offline, abort)
  const perSec = (n: number): number => (measuredMs > 0 ? (n * 1000) / measuredMs : 0);
  stats.series.roll(measuredMs);
  const windows = stats.series.within(measuredMs);
  const sendLag = closed ? null : stats.sendLagSummary();
  const verdict = judgeRun(
    {
      measuredMs,
      queries: stats.ok + stats.errors,
      ok: stats.ok,
      errors: stats.errors,
      targetRate: rate,
      // Every scheduled send of the nominal window went out (late ones included), so this is the schedule's own rate.
      scheduledRate: rate === null || nominalMs <= 0 ? null : (stats.sent * 1000) / nominalMs,
      achievedRate: perSec(stats.sent),
      sent: stats.sent,
      completedInWindow: stats.anyInWindow,
      burstSize: plan.burstSize,
      errorCounts: stats.errorCounts(),
      sendLagP99Ms: sendLag?.p99Ms ?? null,
      loadgenCpuPct,
      windows,
      aborted: halt.signal.aborted,
      earlyStoppingSamples: metric && metric !== 'latency' ? stats.earlyStoppingHistogram(metric).totalCount : undefined,
      truncated: stats.llm?.truncation(),
    },
    rules,
  );
  const result: LoadResult = {
    mode: s.mode,
    targetRate: rate,
    concurrency,
    startedAt: new Date(wallStart + warmupMs).toISOString(),
    measuredMs,
    requests: stats.ok + stats.errors,
    ok: stats.ok,
    errors: stats.errors,
    errorSamples: [...stats.errorSamples],
    errorCounts: stats.errorCounts(),
    // An LLM run's requests last seconds: its rate is the server's pace over the window (llm-stats.ts LlmStats).
    throughput: perSec(stats.llm ? stats.anyOkInWindow : stats.okInWindow),
    completedInWindow: stats.okInWindow + stats.errorsInWindow,
    inflightAtEnd: stats.inflightAtEnd ?? 0,
    achievedRate: perSec(stats.sent),
    latency: summarize(stats.latency),
    histogram: encodeHistogram(stats.latency),
    sendLag,
    windows,
    verdict,
    loadgenCpuPct,
    earlyStopping: rules.earlyStopping ? earlyStoppingResult(rules, stats.earlyStoppingHistogram(rules.earlyStopping.metric)) : null,
    requestBytes: sender.requestsSent ? sender.requestBytes / sender.requestsSent : null,
    responseBytes: sender.responsesCounted ? sender.responseBytes / sender.responsesCounted : null,
  };
  if (stats.llm) result.llm = stats.llm.summary(measuredMs, t0 + warmupMs, result.throughput);
  if (halt.signal.aborted) result.aborted = true;
  stats.release();
  return result;
}

/** The sender of the api and protocol asked. */
function senderOf(opts: LoadTarget, s: RunSettings, timeoutMs: number, maxSockets: number, countTokens: CountTokens): LoadSender {
  if (isLlmApi(s.api)) {
    if (opts.protocol === 'grpc') throw new RangeError(`serving.api ${s.api} is HTTP only (serving.protocol grpc was given)`);
    return new OpenAiSender(opts.baseUrl, s.api as LlmApi, opts.llmBodies ?? [], timeoutMs, maxSockets, undefined, countTokens);
  }
  const bodies = opts.bodies ?? (opts.body ? [{ body: opts.body }] : []);
  return opts.protocol === 'grpc'
    ? new GrpcSender(opts.baseUrl, bodies, timeoutMs)
    : new Sender(modelEndpoint(opts.baseUrl, opts.modelName), bodies, timeoutMs, maxSockets);
}

/** The sender's refusal, with the load that caused it, so the message says what to lower. */
function limitErrorOf(error: LoadLimitError, plan: Plan, timeoutMs: number): LoadLimitError {
  const load = plan.rate !== null ? `workload.rate ${plan.rate.toLocaleString('en-US')} requests/s` : `workload.concurrency ${plan.concurrency}`;
  return new LoadLimitError(`${error.message} at ${load} and a ${timeoutMs} ms request timeout: lower the load`);
}

/**
 * The nominal window (where the rules ended it, or cut short at an abort),
 * stretched to the last measured send if the open-loop sender fell behind: a
 * late sender must lower the achieved rate, not hide inside the window; with
 * `toLastCompletion` (offline), stretched to the last measured answer.
 */
function measuredSpan(
  stats: WindowStats,
  t0: number,
  warmupMs: number,
  windowMs: number,
  stoppedAt: number,
  toLastCompletion = false,
): { nominalMs: number; measuredMs: number } {
  const nominalMs = Math.min(windowMs, Math.max(0, stoppedAt - warmupMs));
  const last = (toLastCompletion && stoppedAt === Infinity ? stats.lastDoneAt : stats.lastSendAt) - (t0 + warmupMs);
  return { nominalMs, measuredMs: Math.max(nominalMs, Number.isFinite(last) ? last : 0) };
}

/** CPU time of this process (all threads) over wall time since `start`, % of one core. */
function cpuSince(start: { usage: NodeJS.CpuUsage; at: number } | null): number | null {
  if (!start) return null;
  const wallUs = (performance.now() - start.at) * 1000;
  const used = process.cpuUsage(start.usage);
  return wallUs > 0 ? ((used.user + used.system) / wallUs) * 100 : null;
}

/** LoadGen's early-stopping estimate: the rank-th largest value of the metric (latency, TTFT or TPOT), read off its histogram. */
function earlyStoppingResult(rules: RunRules, latency: Histogram): LoadResult['earlyStopping'] {
  if (!rules.earlyStopping) return null;
  const { percentile, metric } = rules.earlyStopping;
  const n = latency.totalCount;
  const rank = earlyStoppingRank(n, percentile / 100);
  const estimateMs = rank === null ? null : latency.getValueAtPercentile((100 * (n - rank + 1)) / n) / 1000;
  return { percentile, metric, queriesNeeded: earlyStoppingNeeds(rules), estimateMs };
}

/**
 * `progressive`: one run per load level (warm-up, then at least stepDuration, the run rules applying to each),
 * until a step breaks the p99 SLO, throughput stops growing (progressive.ts), maxSteps, or an abort. Each step's
 * seed is seed + its index. onWindowStart fires at each step's window. The result is the knee step's (step 0's
 * when there is no knee), with `steps` and `knee`.
 */
async function runProgressive(opts: LoadTarget, s: RunSettings, countTokens: CountTokens): Promise<LoadResult> {
  const plan = s.progressive!;
  checkPlan(plan);
  const slo = s.sloP99Ms;
  if (slo !== null) positive('sloP99Ms', slo, false);
  const runs: LoadResult[] = [];
  const steps: ProgressiveStep[] = [];
  for (let i = 0; i < plan.maxSteps; i++) {
    const level = levelAt(plan, i);
    // Each step is a run of its own, its settings resolved from the plan.
    const r = await runOnce(opts, {
      ...s,
      mode: plan.over === 'rate' ? 'server' : 'concurrency',
      rate: plan.over === 'rate' ? level : null,
      concurrency: plan.over === 'concurrency' ? level : null,
      progressive: null,
      durationMs: plan.stepDurationMs,
      maxDurationMs: plan.stepMaxDurationMs,
      seed: s.seed + i,
    }, countTokens);
    runs.push(r);
    steps.push({ level, throughput: r.throughput, p99Ms: r.latency.p99Ms, valid: r.verdict.valid, reasons: r.verdict.reasons, stop: null });
    const why = r.aborted ? 'interrupted' : (stopReason(steps, slo) ?? (i === plan.maxSteps - 1 ? `maxSteps ${plan.maxSteps} reached` : null));
    if (why !== null) {
      steps[i].stop = why;
      break;
    }
  }
  const knee = chooseKnee(steps, slo);
  const main = runs[knee?.index ?? 0];
  const result: LoadResult = { ...main, mode: 'progressive', steps, knee };
  if (runs.some((r) => r.aborted)) result.aborted = true;
  return result;
}
