/**
 * What the built-in LLM server saw, in the built-in server's shape (ServerStats) with its LLM part. As there
 * (stats.ts): from the first request marked measured on, only marked ones count, so the window is the client's.
 */
import { clampUs, histogram, summary } from '../stats';
import type { ServerStats } from '../types';
import type { GenerationResult } from './types';

export class LlmStatsRecorder {
  private marked = false;
  private requests = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private queued = 0;
  private readonly queueUs = histogram();
  private readonly computeUs = histogram();
  private readonly prefillUs = histogram();
  private readonly decodeUs = histogram();

  /** Whether a request counts; the first marked one starts the window afresh. */
  private counts(measured: boolean): boolean {
    if (measured && !this.marked) {
      this.reset();
      this.marked = true;
    }
    return measured || !this.marked;
  }

  /** A request that was answered (or whose client went away), with its prompt's length. */
  record(measured: boolean, promptTokens: number, r: GenerationResult): void {
    if (!this.counts(measured)) return;
    this.requests++;
    this.promptTokens += promptTokens;
    this.completionTokens += r.completionTokens;
    if (r.waited) this.queued++;
    this.queueUs.recordValue(clampUs(r.queueMs * 1000));
    if (r.prefillMs === null || r.decodeMs === null) return;
    this.prefillUs.recordValue(clampUs(r.prefillMs * 1000));
    this.decodeUs.recordValue(clampUs(r.decodeMs * 1000));
    this.computeUs.recordValue(clampUs((r.prefillMs + r.decodeMs) * 1000));
  }

  snapshot(): ServerStats {
    return {
      requests: this.requests,
      inferences: null,
      batches: null,
      batchSizeCounts: {},
      queueTimeUs: summary(this.queueUs),
      computeTimeUs: summary(this.computeUs),
      llm: {
        promptTokens: this.promptTokens,
        completionTokens: this.completionTokens,
        queuedRequests: this.queued,
        prefillTimeUs: summary(this.prefillUs),
        decodeTimeUs: summary(this.decodeUs),
      },
    };
  }

  reset(): void {
    this.marked = false;
    this.requests = this.promptTokens = this.completionTokens = this.queued = 0;
    for (const h of [this.queueUs, this.computeUs, this.prefillUs, this.decodeUs]) h.reset();
  }
}
