/** Server-side counters and HDR histograms behind GET /v2/models/{name}/servebench-stats (Triton's format: triton-stats.ts). */
import { build, type Histogram } from 'hdr-histogram-js';
import { TritonStats } from './triton-stats';
import type { ServerStats } from './types';

const HIGHEST_US = 3_600_000_000; // one hour; longer waits are clamped, not thrown on

function histogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

const clampUs = (us: number): number => (us < 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : Math.round(us));

function summary(h: Histogram): { mean: number; p99: number } {
  return h.totalCount === 0 ? { mean: 0, p99: 0 } : { mean: h.mean, p99: h.getValueAtPercentile(99) };
}

export class StatsRecorder {
  requests = 0;
  private inferences = 0;
  private batches = 0;
  private sizes = new Map<number, number>();
  private readonly queueUs = histogram();
  private readonly computeUs = histogram();
  /** Cumulative, never reset (reset() clears only ours). */
  readonly triton = new TritonStats();

  recordQueued(waitMs: number): void {
    this.queueUs.recordValue(clampUs(waitMs * 1000));
    this.triton.recordQueued(waitMs * 1e6);
  }

  /** One model run of `rows` rows serving `requests` requests. */
  recordRun(rows: number, requests: number, computeUs: number): void {
    this.batches++;
    this.inferences += rows;
    this.sizes.set(rows, (this.sizes.get(rows) ?? 0) + 1);
    this.computeUs.recordValueWithCount(clampUs(computeUs), requests);
    this.triton.recordRun(rows, requests, computeUs * 1000);
  }

  snapshot(): ServerStats {
    const batchSizeCounts: Record<number, number> = {};
    for (const [size, n] of [...this.sizes].sort((a, b) => a[0] - b[0])) batchSizeCounts[size] = n;
    return {
      requests: this.requests,
      inferences: this.inferences,
      batches: this.batches,
      batchSizeCounts,
      queueTimeUs: summary(this.queueUs),
      computeTimeUs: summary(this.computeUs),
    };
  }

  reset(): void {
    this.requests = this.inferences = this.batches = 0;
    this.sizes.clear();
    this.queueUs.reset();
    this.computeUs.reset();
  }
}
