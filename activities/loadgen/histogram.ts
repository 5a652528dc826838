/**
 * Latency histograms: HDR, recorded in microseconds (1 µs .. 60 s, 3 significant
 * digits), reported in milliseconds. The encoded form is the HdrHistogram
 * compressed base64 format, so stored histograms stay readable by other tools.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export type { Histogram };

export const LOWEST_US = 1;
export const HIGHEST_US = 60_000_000;

/** Latencies in ms; every field but count is null when nothing succeeded (no latency is not a latency of 0). */
export interface LatencySummary {
  count: number;
  minMs: number | null;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  stddevMs: number | null;
}

export function createHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a duration given in ms; clamped to the trackable range rather than throwing mid-run. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : us);
}

/** All fields in ms; an empty histogram summarises to count 0 and nulls elsewhere. */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) {
    return { count: 0, minMs: null, meanMs: null, p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, p999Ms: null, maxMs: null, stddevMs: null };
  }
  const ms = (us: number): number => us / 1000;
  return {
    count,
    minMs: ms(h.minNonZeroValue),
    meanMs: ms(h.mean),
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    // Bucket upper bound like the percentiles (so p999 <= max), and what a decoded copy reports.
    maxMs: ms(h.getValueAtPercentile(100)),
    stddevMs: ms(h.stdDeviation),
  };
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

export interface LatencyBucket {
  /** Upper bound of the bucket, ms. */
  leMs: number;
  count: number;
  cumulativeCount: number;
  /** The CDF at leMs. */
  cumulativeFraction: number;
}

/**
 * The distribution as buckets along HDR's percentile ladder (finer towards the tail), so a CDF can be drawn
 * and the tail read without the full histogram. Buckets with equal bounds are merged.
 */
export function latencyBuckets(h: Histogram, ticksPerHalfDistance = 10): LatencyBucket[] {
  if (h.totalCount === 0) return [];
  // The typings only admit the text format; the implementation also writes CSV, which is what is parsed here.
  const csv = (h.outputPercentileDistribution as (ticks: number, scale: number, useCsv: boolean) => string).call(h, ticksPerHalfDistance, 1000, true);
  const rows = csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .filter(([value, fraction, total]) => Number.isFinite(value) && Number.isFinite(fraction) && Number.isFinite(total));
  const buckets: LatencyBucket[] = [];
  for (const [leMs, fraction, total] of rows) {
    const last = buckets[buckets.length - 1];
    if (last && last.leMs === leMs) {
      last.count += total - last.cumulativeCount;
      last.cumulativeCount = total;
      last.cumulativeFraction = fraction;
    } else {
      buckets.push({ leMs, count: total - (last?.cumulativeCount ?? 0), cumulativeCount: total, cumulativeFraction: fraction });
    }
  }
  return buckets;
}
