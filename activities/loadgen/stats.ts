/** Counters and histograms for the requests that belong to the measured window. */
import { createHistogram, recordMs, summarize, type Histogram } from './histogram';

const MAX_ERROR_SAMPLES = 5;

export class WindowStats {
  readonly latency: Histogram = createHistogram();
  readonly sendLag: Histogram = createHistogram();
  sent = 0;
  ok = 0;
  errors = 0;
  readonly errorSamples: string[] = [];
  /** Latest actual send time of a measured request (performance.now() ms). */
  lastSendAt = -Infinity;
  /** Set on abort: results that arrive later are ignored. */
  frozen = false;

  onSend(at: number, lagMs: number | null): void {
    this.sent++;
    if (at > this.lastSendAt) this.lastSendAt = at;
    if (lagMs !== null) recordMs(this.sendLag, lagMs);
  }

  onDone(latencyMs: number, error: string | null): void {
    if (this.frozen) return;
    if (error === null) {
      this.ok++;
      recordMs(this.latency, latencyMs);
      return;
    }
    this.errors++;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES && !this.errorSamples.includes(error)) {
      this.errorSamples.push(error);
    }
  }

  sendLagSummary(): { p50Ms: number; p99Ms: number; maxMs: number } {
    const s = summarize(this.sendLag);
    return { p50Ms: s.p50Ms, p99Ms: s.p99Ms, maxMs: s.maxMs };
  }

  release(): void {
    this.latency.destroy();
    this.sendLag.destroy();
  }
}
