/**
 * LLM serving statistics of a run's measured requests (serving.api openai-*): the per-request metrics computed
 * from chunk arrival times (pure: requestMetrics, meetsSlo), and their accumulation into HDR histograms and token
 * counts (LlmStats), summarised as LoadResult.llm. Definitions in llm-types.ts (and the README's LLM metrics).
 */
import type { EarlyStoppingMetric } from '../../configs/defaults';
import type { LlmSlo } from '../../configs/settings';
import { createHistogram, encodeHistogram, recordMs, summarize, type Histogram } from './histogram';
import type { LlmSummary, StreamTiming } from './llm-types';

/** One request's LLM metrics, ms; null where the request does not define one. */
export interface RequestMetrics {
  /** First content chunk − reference time; null when not streamed or nothing came. */
  ttftMs: number | null;
  /** Gaps between consecutive content chunks (streamed replies). */
  itlsMs: number[];
  /** (E2E − TTFT) / (output tokens − 1), with TTFT and at least 2 output tokens (vLLM). */
  tpotMs: number | null;
  /** The mean of itlsMs (GuideLLM's per-request ITL); null without a gap. */
  meanItlMs: number | null;
  e2eMs: number;
}

/**
 * The metrics of one finished request. `refAt` is the reference time (performance.now() ms): the scheduled send
 * in open loop, the actual send in closed loop; `e2eMs` its end-to-end latency from the same reference.
 */
export function requestMetrics(t: StreamTiming, refAt: number, e2eMs: number): RequestMetrics {
  const chunks = t.chunkAt;
  if (!t.streamed || chunks.length === 0) return { ttftMs: null, itlsMs: [], tpotMs: null, meanItlMs: null, e2eMs };
  const ttftMs = chunks[0] - refAt;
  const itlsMs: number[] = [];
  for (let i = 1; i < chunks.length; i++) itlsMs.push(chunks[i] - chunks[i - 1]);
  const tpotMs = t.outputTokens >= 2 ? (e2eMs - ttftMs) / (t.outputTokens - 1) : null;
  const meanItlMs = itlsMs.length ? (chunks[chunks.length - 1] - chunks[0]) / itlsMs.length : null;
  return { ttftMs, itlsMs, tpotMs, meanItlMs, e2eMs };
}

/**
 * Whether a request meets every objective given. An unstreamed reply's first token is seen with its last byte,
 * so its TTFT is its E2E; a TPOT objective holds where TPOT is undefined (fewer than 2 tokens), as vLLM's goodput.
 */
export function meetsSlo(m: RequestMetrics, slo: LlmSlo): boolean {
  if (slo.ttftMs !== null && (m.ttftMs ?? m.e2eMs) > slo.ttftMs) return false;
  if (slo.tpotMs !== null && m.tpotMs !== null && m.tpotMs > slo.tpotMs) return false;
  if (slo.e2eMs !== null && m.e2eMs > slo.e2eMs) return false;
  return true;
}

/**
 * Tokens a finished request produced inside the window [from, to] (performance.now() ms): its output tokens
 * spread evenly over its content chunks, counted for the chunks that arrived in the window (an unstreamed
 * reply's one chunk is its end); its prompt tokens count where its first token (the end of prefill) did.
 */
export function tokensInWindow(t: StreamTiming, from: number, to: number): { input: number; output: number } {
  const chunks = t.chunkAt;
  if (chunks.length === 0) return { input: 0, output: 0 };
  let inside = 0;
  for (const at of chunks) if (at >= from && at <= to) inside++;
  const prefilled = chunks[0] >= from && chunks[0] <= to;
  return { input: prefilled ? (t.inputTokens ?? 0) : 0, output: (t.outputTokens * inside) / chunks.length };
}

/**
 * Accumulates the measured ok requests' LLM metrics, and the pace of every ok request (warm-up ones included).
 * Rates are the server's pace over the measured window, as a steady state: tokens whose chunks arrived in it and
 * requests answered in it, whichever phase sent them. An LLM request lasts seconds, so counting only the measured
 * requests answered in the window (as KServe runs do) would undercount by about one request latency's worth.
 */
export class LlmStats {
  readonly ttft: Histogram = createHistogram();
  readonly itl: Histogram = createHistogram();
  readonly tpot: Histogram = createHistogram();
  readonly itlMeanPerRequest: Histogram = createHistogram();
  /** Every ok request's timing (measured or not), for the window's token counts once the window is known. */
  private readonly paced: StreamTiming[] = [];
  /** Measured ok requests meeting every objective (goodput's share). */
  private good = 0;
  /** Every measured ok request, whenever answered: its output tokens and max_tokens asked (the means). */
  private requests = 0;
  private outputTotal = 0;
  private maxTokensTotal = 0;
  private readonly sources = new Set<StreamTiming['tokenSource']>();
  private truncated = 0;
  private truncatedSample: string | null = null;

  constructor(
    private readonly api: LlmSummary['api'],
    private readonly stream: boolean,
    private readonly slo: LlmSlo | null,
  ) {}

  /** Any ok request (warm-up ones too): its tokens count toward the window's pace. */
  pace(t: StreamTiming): void {
    this.paced.push(t);
  }

  /** A measured request answered ok. */
  record(t: StreamTiming, refAt: number, e2eMs: number): void {
    const m = requestMetrics(t, refAt, e2eMs);
    if (m.ttftMs !== null) recordMs(this.ttft, m.ttftMs);
    for (const gap of m.itlsMs) recordMs(this.itl, gap);
    if (m.tpotMs !== null) recordMs(this.tpot, m.tpotMs);
    if (m.meanItlMs !== null) recordMs(this.itlMeanPerRequest, m.meanItlMs);
    this.requests++;
    this.outputTotal += t.outputTokens;
    this.maxTokensTotal += t.maxTokens;
    this.sources.add(t.tokenSource);
    if (t.truncated !== null) {
      this.truncated++;
      this.truncatedSample ??= t.truncated;
    }
    // A stream that ended early did not deliver what was asked: it is no good request.
    if (this.slo && t.truncated === null && meetsSlo(m, this.slo)) this.good++;
  }

  /** The histogram early stopping bounds for `metric` (latency is the run's own, not here). */
  histogramOf(metric: Exclude<EarlyStoppingMetric, 'latency'>): Histogram {
    return metric === 'ttft' ? this.ttft : this.tpot;
  }

  /** Truncated streams among the measured ok requests, and one reason. */
  truncation(): { count: number; requests: number; sample: string | null } {
    return { count: this.truncated, requests: this.requests, sample: this.truncatedSample };
  }

  /**
   * The run's LLM figures over the measured window [windowStartAt, windowStartAt + measuredMs]; `requestsPerS`
   * is the ok requests (any) answered in it per second, and goodput that pace times the share of measured requests
   * meeting every objective.
   */
  summary(measuredMs: number, windowStartAt: number, requestsPerS: number): LlmSummary {
    const perSec = (n: number): number => (measuredMs > 0 ? (n * 1000) / measuredMs : 0);
    let inputTokens = 0;
    let outputTokens = 0;
    for (const t of this.paced) {
      const n = tokensInWindow(t, windowStartAt, windowStartAt + measuredMs);
      inputTokens += n.input;
      outputTokens += n.output;
    }
    const sources = [...this.sources];
    return {
      api: this.api,
      stream: this.stream,
      ttft: summarize(this.ttft),
      itl: summarize(this.itl),
      tpot: summarize(this.tpot),
      itlMeanPerRequest: summarize(this.itlMeanPerRequest),
      ttftHistogram: encodeHistogram(this.ttft),
      itlHistogram: encodeHistogram(this.itl),
      tpotHistogram: encodeHistogram(this.tpot),
      inputTokens: Math.round(inputTokens),
      outputTokens: Math.round(outputTokens),
      inputTokensPerS: perSec(inputTokens),
      outputTokensPerS: perSec(outputTokens),
      meanOutputTokens: this.requests ? this.outputTotal / this.requests : null,
      meanMaxTokens: this.requests ? this.maxTokensTotal / this.requests : null,
      // No request: the counts came from nowhere; 'chunks' says as much.
      tokenSource: sources.length === 1 ? sources[0] : sources.length === 0 ? 'chunks' : 'mixed',
      goodput: this.slo ? (this.requests ? (requestsPerS * this.good) / this.requests : 0) : null,
      goodRequests: this.slo ? this.good : null,
      truncated: this.truncated,
      truncatedSample: this.truncatedSample,
    };
  }

  release(): void {
    for (const h of [this.ttft, this.itl, this.tpot, this.itlMeanPerRequest]) h.destroy();
  }
}
