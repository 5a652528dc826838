/**
 * Per-window throughput, p50 and p99 of the measured requests, by completion time, for the stability rule and
 * for LoadResult.windows. One histogram, reset at each window, so memory does not grow with the run.
 */
import { createHistogram, recordMs } from './histogram';
import type { WindowSample } from './run-rules';

export class WindowSeries {
  /** Full windows, oldest first. */
  readonly done: WindowSample[] = [];
  private readonly latency = createHistogram();
  private start = 0;
  private ok = 0;

  constructor(readonly windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`window length must be > 0 ms, got ${windowMs}`);
  }

  /** A measured completion at `rel` ms after the window opened; latency null for an error (not counted). */
  record(rel: number, latencyMs: number | null): void {
    this.roll(rel);
    if (latencyMs === null) return;
    this.ok++;
    recordMs(this.latency, latencyMs);
  }

  /** Closes every window that ended by `rel` (empty ones included: a stall is a window with no throughput). */
  roll(rel: number): void {
    while (rel >= this.start + this.windowMs) {
      this.done.push({
        startMs: this.start,
        throughput: (this.ok * 1000) / this.windowMs,
        p50Ms: this.ok > 0 ? this.latency.getValueAtPercentile(50) / 1000 : 0,
        p99Ms: this.ok > 0 ? this.latency.getValueAtPercentile(99) / 1000 : 0,
      });
      this.latency.reset();
      this.ok = 0;
      this.start += this.windowMs;
    }
  }

  /** The windows that lie wholly inside a measured window of `measuredMs`; a partial last one is left out. */
  within(measuredMs: number): WindowSample[] {
    return this.done.filter((w) => w.startMs + this.windowMs <= measuredMs);
  }

  release(): void {
    this.latency.destroy();
  }
}
