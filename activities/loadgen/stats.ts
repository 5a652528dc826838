/** Counters and histograms for the requests that belong to the measured window. */
import type { EarlyStoppingMetric } from '../../configs/defaults';
import { createHistogram, recordMs, summarize, type Histogram } from './histogram';
import type { LlmStats } from './llm-stats';
import type { StreamTiming } from './llm-types';
import { WindowSeries } from './windows';

const MAX_ERROR_SAMPLES = 5;
/** Distinct error messages counted one by one; further ones are counted together (a broken server can vary its text). */
const MAX_ERROR_KINDS = 20;
export const OTHER_ERRORS = 'other errors';

/** How often one error message was seen. */
export interface ErrorCount {
  message: string;
  count: number;
}

export class WindowStats {
  readonly latency: Histogram = createHistogram();
  readonly sendLag: Histogram = createHistogram();
  /** Per-window throughput and p99, by completion time. */
  readonly series: WindowSeries;
  /** Measured requests sent (in the window by send time, or by scheduled time in open loop). */
  sent = 0;
  /** Measured requests completed, ok or not, whenever they completed. */
  ok = 0;
  errors = 0;
  /**
   * Measured requests answered within the window (sent and answered in it, as perf_analyzer counts): throughput.
   * A backlog left by warm-up drains into the window without inflating it.
   */
  okInWindow = 0;
  errorsInWindow = 0;
  /** Completions of ANY request (warm-up ones included) within the window: the server's pace, for the saturation check. */
  anyInWindow = 0;
  /** Of those, the ok ones: an LLM run's request rate (its requests last seconds: llm-stats.ts). */
  anyOkInWindow = 0;
  readonly errorSamples: string[] = [];
  private readonly errorKinds = new Map<string, number>();
  /** Latest actual send time of a measured request (performance.now() ms). */
  lastSendAt = -Infinity;
  /** Latest completion of a measured request (performance.now() ms). */
  lastDoneAt = -Infinity;
  /** Set on abort: results that arrive later are ignored. */
  frozen = false;
  /** performance.now() where the measured window ends; unknown (Infinity) until the loop stops sending. */
  private windowEndAt = Infinity;
  /** Measured requests in flight when the window closed; null while it is open. */
  inflightAtEnd: number | null = null;

  /**
   * `windowStartAt`: performance.now() when the measured window opens; `windowMs`: the series' window length;
   * `llm`: the LLM statistics (serving.api openai-*), fed with the measured ok requests' stream timings.
   */
  constructor(
    private readonly windowStartAt = 0,
    windowMs = 1000,
    readonly llm: LlmStats | null = null,
  ) {
    this.series = new WindowSeries(windowMs);
  }

  /** The histogram early stopping bounds a percentile of. */
  earlyStoppingHistogram(metric: EarlyStoppingMetric): Histogram {
    if (metric === 'latency') return this.latency;
    if (!this.llm) throw new RangeError(`early stopping on ${metric} needs LLM serving (serving.api openai-*)`);
    return this.llm.histogramOf(metric);
  }

  onSend(at: number, lagMs: number | null): void {
    this.sent++;
    if (at > this.lastSendAt) this.lastSendAt = at;
    if (lagMs !== null) recordMs(this.sendLag, lagMs);
  }

  /**
   * A request completed at `at` (performance.now()). A `measured` one (sent in the window) gives its latency
   * and, if failed, its error, and if answered before the window closed, throughput; any one in the window counts
   * toward the server's pace. An LLM request's `timing` (from the sender) and its reference time `refAt` (the
   * latency's zero) feed the LLM statistics.
   */
  onDone(latencyMs: number, error: string | null, at: number, measured = true, timing?: StreamTiming, refAt?: number): void {
    if (this.frozen) return;
    const inWindow = at >= this.windowStartAt && at <= this.windowEndAt;
    if (inWindow) this.anyInWindow++;
    if (inWindow && error === null) this.anyOkInWindow++;
    if (this.llm && timing && error === null) this.llm.pace(timing);
    if (!measured) return;
    if (inWindow) {
      if (error === null) this.okInWindow++;
      else this.errorsInWindow++;
    }
    if (at > this.lastDoneAt) this.lastDoneAt = at;
    this.series.record(at - this.windowStartAt, error === null ? latencyMs : null);
    if (error === null) {
      this.ok++;
      recordMs(this.latency, latencyMs);
      if (this.llm && timing && refAt !== undefined) this.llm.record(timing, refAt, latencyMs);
      return;
    }
    this.errors++;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES && !this.errorSamples.includes(error)) {
      this.errorSamples.push(error);
    }
    const kind = this.errorKinds.has(error) || this.errorKinds.size < MAX_ERROR_KINDS ? error : OTHER_ERRORS;
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
  }

  /** Ends the window at `at` (performance.now()): later completions are not throughput; what is still out is counted. */
  closeWindow(at: number): void {
    if (this.inflightAtEnd !== null) return;
    this.windowEndAt = at;
    this.inflightAtEnd = this.sent - this.ok - this.errors;
  }

  /** Error messages with their counts, most frequent first. */
  errorCounts(): ErrorCount[] {
    return [...this.errorKinds].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  }

  sendLagSummary(): { p50Ms: number; p99Ms: number; maxMs: number } {
    const s = summarize(this.sendLag);
    return { p50Ms: s.p50Ms ?? 0, p99Ms: s.p99Ms ?? 0, maxMs: s.maxMs ?? 0 };
  }

  release(): void {
    this.llm?.release();
    this.latency.destroy();
    this.sendLag.destroy();
    this.series.release();
  }
}
