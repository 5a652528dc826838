/** Server-side counters and HDR histograms behind GET /v2/models/{name}/servebench-stats (Triton's format: triton-stats.ts). */
import { build, type Histogram } from 'hdr-histogram-js';
import { TritonStats } from './triton-stats';
import type { ServerStats } from './types';

const HIGHEST_US = 3_600_000_000; // one hour; longer waits are clamped, not thrown on

/** A histogram of µs values up to an hour (shared with the LLM server's statistics). */
export function histogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export const clampUs = (us: number): number => (us < 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : Math.round(us));

export function summary(h: Histogram): { mean: number; p99: number } {
  return h.totalCount === 0 ? { mean: 0, p99: 0 } : { mean: h.mean, p99: h.getValueAtPercentile(99) };
}

/**
 * What the server saw. A load generator marks the requests of its measured window (measured-header.ts); from the
 * first marked request on, only marked ones count, so the server's window is exactly the client's, with no
 * reset racing the requests around it. Until then (perf_analyzer, curl) every request counts.
 */
export class StatsRecorder {
  requests = 0;
  /** Set by the first request marked measured; cleared by reset(). */
  private marked = false;
  private inferences = 0;
  private batches = 0;
  private sizes = new Map<number, number>();
  private readonly queueUs = histogram();
  private readonly computeUs = histogram();
  /** Cumulative, never reset (reset() clears only ours). */
  readonly triton = new TritonStats();

  /** Whether a request counts (see the class comment); the first marked one starts the window afresh. */
  counts(measured: boolean): boolean {
    if (measured && !this.marked) {
      this.reset();
      this.marked = true;
    }
    return measured || !this.marked;
  }

  /** A request arrived. */
  recordArrival(measured: boolean): void {
    if (this.counts(measured)) this.requests++;
  }

  recordQueued(waitMs: number, measured: boolean): void {
    if (this.counts(measured)) this.queueUs.recordValue(clampUs(waitMs * 1000));
    this.triton.recordQueued(waitMs * 1e6);
  }

  /**
   * One model run of `rows` rows serving `requests` requests, of which `counted` requests with `countedRows` rows
   * count (see counts()): a batch that serves any counted request is one of the window's, at its full size.
   */
  recordRun(rows: number, requests: number, computeUs: number, counted = requests, countedRows = rows): void {
    if (counted > 0) {
      this.batches++;
      this.inferences += countedRows;
      this.sizes.set(rows, (this.sizes.get(rows) ?? 0) + 1);
      this.computeUs.recordValueWithCount(clampUs(computeUs), counted);
    }
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
    this.marked = false;
    this.requests = this.inferences = this.batches = 0;
    this.sizes.clear();
    this.queueUs.reset();
    this.computeUs.reset();
  }
}
