/**
 * Bootstrap resampling for comparing two sweeps: latency percentiles from the stored HDR histograms, throughput
 * from the per-window throughputs, repeats resampled first (a two-level bootstrap), so that run-to-run spread
 * counts where there are repeats. Pure and deterministic: every draw comes from a seeded stream.
 */
import type { Uniform } from '../../activities/rng';

/** A latency sample as a histogram: distinct values ascending (ms) and how many requests took each. */
export interface Sample {
  values: number[];
  counts: number[];
}

export const total = (s: Sample): number => s.counts.reduce((a, b) => a + b, 0);

/** A sample from raw values (tests, and anything recorded without a histogram). */
export function sampleOf(values: readonly number[]): Sample {
  const byValue = new Map<number, number>();
  for (const v of values) byValue.set(v, (byValue.get(v) ?? 0) + 1);
  const sorted = [...byValue.keys()].sort((a, b) => a - b);
  return { values: sorted, counts: sorted.map((v) => byValue.get(v) as number) };
}

/**
 * The p-th percentile as HDR histograms report it: the smallest value at or below which ceil(p/100 · n) of the
 * n requests lie (so a stored run's lat_p99_ms is what this gives for its histogram).
 */
export function percentile(s: Sample, p: number): number | null {
  const n = total(s);
  if (n === 0) return null;
  return valueAtRank(s.values, cumulative(s.counts), Math.max(1, Math.ceil((p / 100) * n)));
}

function cumulative(counts: readonly number[]): Float64Array {
  const cum = new Float64Array(counts.length);
  let c = 0;
  for (let i = 0; i < counts.length; i++) cum[i] = c += counts[i];
  return cum;
}

/** The value of the rank-th smallest request (1-based, may be fractional: the first value whose count reaches it). */
function valueAtRank(values: readonly number[], cum: Float64Array, rank: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] >= rank) hi = mid;
    else lo = mid + 1;
  }
  return values[lo];
}

/** Standard normal by Box–Muller. */
export function normal(u: Uniform): number {
  let a = u();
  while (a === 0) a = u();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, 1) by Marsaglia–Tsang; shapes below 1 through Gamma(shape + 1) · U^(1/shape). */
export function gamma(u: Uniform, shape: number): number {
  if (shape < 1) {
    let v = u();
    while (v === 0) v = u();
    return gamma(u, shape + 1) * Math.pow(v, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x || Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function beta(u: Uniform, a: number, b: number): number {
  const x = gamma(u, a);
  return x / (x + gamma(u, b));
}

/**
 * One bootstrap replicate of the p-th percentile of a sample of n requests, without drawing n requests: the k-th
 * smallest of n draws from the sample is the sample's quantile function at the k-th smallest of n uniforms, which
 * is Beta(k, n − k + 1). Exactly the bootstrap's distribution, in O(log n) a replicate.
 */
function percentileReplicate(u: Uniform, values: readonly number[], cum: Float64Array, p: number): number {
  const n = cum[cum.length - 1];
  const k = Math.max(1, Math.ceil((p / 100) * n));
  const q = beta(u, k, n - k + 1);
  // F⁻¹(q): the first value whose cumulative share reaches q (never past the last).
  return valueAtRank(values, cum, Math.min(n, Math.max(q * n, Number.MIN_VALUE)));
}

/** Indices 0..n-1 drawn n times with replacement (one repeat resample); [0] when there is one. */
function resampleIndices(u: Uniform, n: number): number[] {
  if (n === 1) return [0];
  return Array.from({ length: n }, () => Math.floor(u() * n));
}

/**
 * Bootstrap replicates of the p-th percentile of the pooled repeats: each replicate resamples the repeats, pools
 * their histograms and resamples the requests of the pool.
 */
export function percentileReplicates(repeats: readonly Sample[], p: number, replicates: number, u: Uniform): number[] {
  const live = repeats.filter((s) => total(s) > 0);
  if (!live.length) return [];
  if (live.length === 1) {
    const cum = cumulative(live[0].counts);
    return Array.from({ length: replicates }, () => percentileReplicate(u, live[0].values, cum, p));
  }
  // One value grid for all repeats, so a pool is a sum of count vectors.
  const grid = [...new Set(live.flatMap((s) => s.values))].sort((a, b) => a - b);
  const at = new Map(grid.map((v, i) => [v, i]));
  const vectors = live.map((s) => {
    const c = new Float64Array(grid.length);
    s.values.forEach((v, i) => (c[at.get(v) as number] += s.counts[i]));
    return c;
  });
  // Few repeats make few distinct pools (3 repeats: 10), so each pool's cumulative counts are built once.
  const pools = new Map<string, Float64Array>();
  const poolOf = (picks: number[]): Float64Array => {
    const key = picks.sort((x, y) => x - y).join(',');
    const seen = pools.get(key);
    if (seen) return seen;
    const cum = new Float64Array(grid.length);
    for (const i of picks) {
      const v = vectors[i];
      for (let j = 0; j < grid.length; j++) cum[j] += v[j];
    }
    for (let j = 1; j < grid.length; j++) cum[j] += cum[j - 1];
    if (pools.size < MAX_CACHED_POOLS) pools.set(key, cum);
    return cum;
  };
  return Array.from({ length: replicates }, () => percentileReplicate(u, grid, poolOf(resampleIndices(u, live.length)), p));
}

const MAX_CACHED_POOLS = 256;

/** A run's throughput and the throughputs of its full windows, all in the same unit. */
export interface ThroughputSample {
  value: number;
  windows: number[];
}

/**
 * Bootstrap replicates of the mean throughput over repeats: each replicate resamples the repeats, and within
 * each the windows. The windows give a run's spread, the run's own count its centre (a replicate is the run's
 * throughput scaled by the resampled windows' mean over all its windows' mean). Empty when there is no spread to
 * resample: one run with fewer than two windows.
 */
export function throughputReplicates(runs: readonly ThroughputSample[], replicates: number, u: Uniform): number[] {
  if (!runs.length) return [];
  const spread = runs.map((r) => {
    const mean = r.windows.length ? r.windows.reduce((a, b) => a + b, 0) / r.windows.length : 0;
    return r.windows.length >= 2 && mean > 0 ? { ...r, mean } : null;
  });
  if (runs.length === 1 && !spread[0]) return [];
  const out: number[] = [];
  for (let r = 0; r < replicates; r++) {
    let sum = 0;
    const picks = resampleIndices(u, runs.length);
    for (const i of picks) {
      const s = spread[i];
      if (!s) {
        sum += runs[i].value;
        continue;
      }
      let w = 0;
      for (let j = 0; j < s.windows.length; j++) w += s.windows[Math.floor(u() * s.windows.length)];
      sum += (s.value * w) / s.windows.length / s.mean;
    }
    out.push(sum / picks.length);
  }
  return out;
}

/** The central interval holding `confidence` of the values (linear interpolation between order statistics). */
export function interval(values: readonly number[], confidence: number): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => {
    const h = (sorted.length - 1) * q;
    const lo = Math.floor(h);
    return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
  };
  const tail = (1 - confidence) / 2;
  return [at(tail), at(1 - tail)];
}
