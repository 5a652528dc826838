/** Counters and histograms for the requests that belong to the measured window. */
import { createHistogram, recordMs, summarize, type Histogram } from './histogram';
import { WindowSeries } from './windows';

const MAX_ERROR_SAMPLES = 5;

export class WindowStats {
  readonly latency: Histogram = createHistogram();
  readonly sendLag: Histogram = createHistogram();
  /** Per-window throughput and p99, by completion time. */
  readonly series: WindowSeries;
  sent = 0;
  ok = 0;
  errors = 0;
  readonly errorSamples: string[] = [];
  /** Latest actual send time of a measured request (performance.now() ms). */
  lastSendAt = -Infinity;
  /** Set on abort: results that arrive later are ignored. */
  frozen = false;

  /** `windowStartAt`: performance.now() when the measured window opens; `windowMs`: the series' window length. */
  constructor(
    private readonly windowStartAt = 0,
    windowMs = 1000,
  ) {
    this.series = new WindowSeries(windowMs);
  }

  onSend(at: number, lagMs: number | null): void {
    this.sent++;
    if (at > this.lastSendAt) this.lastSendAt = at;
    if (lagMs !== null) recordMs(this.sendLag, lagMs);
  }

  /** `at`: performance.now() at completion (places it in its window). */
  onDone(latencyMs: number, error: string | null, at: number): void {
    if (this.frozen) return;
    this.series.record(at - this.windowStartAt, error === null ? latencyMs : null);
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
    this.series.release();
  }
}
