/**
 * Open-loop send schedules: offsets in ms from the start of the run, ascending.
 * Pure and deterministic, so a run can be reproduced from its seed.
 */
import { seededUniform } from '../rng';
import { gammaSampler } from './gamma';

function checkArgs(ratePerSec: number, durationMs: number): void {
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) {
    throw new RangeError(`rate must be a positive finite number of requests/s, got ${ratePerSec}`);
  }
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) {
    throw new RangeError(`duration must be a finite number of ms >= 0, got ${durationMs}`);
  }
}

/**
 * Poisson arrivals at `ratePerSec`, unbounded and lazy: each call returns the next offset (ms), ascending.
 * Exponential inter-arrival gaps (inverse CDF), the first one measured from 0. Lazy so that a run that may
 * last up to maxDuration does not hold its whole schedule in memory; same seed, same offsets as poissonSchedule.
 */
export function poissonArrivals(ratePerSec: number, seed: number): () => number {
  checkArgs(ratePerSec, 0);
  const next = seededUniform(seed);
  const meanGapMs = 1000 / ratePerSec;
  let t = 0;
  return () => (t += -Math.log(1 - next()) * meanGapMs); // 1 - u is in (0, 1], so log is finite
}

/**
 * Arrivals at mean rate `ratePerSec` whose gaps are gamma-distributed with shape `burstiness` (vLLM's --burstiness):
 * 1 is Poisson (the very offsets of poissonArrivals for the seed), below 1 burstier, above 1 more even (the gaps'
 * coefficient of variation is 1 / √burstiness). Unbounded and lazy, the first gap measured from 0.
 */
export function gammaArrivals(ratePerSec: number, burstiness: number, seed: number): () => number {
  checkArgs(ratePerSec, 0);
  if (!(burstiness > 0) || !Number.isFinite(burstiness)) throw new RangeError(`burstiness must be a positive number, got ${burstiness}`);
  if (burstiness === 1) return poissonArrivals(ratePerSec, seed);
  const gap = gammaSampler(burstiness, 1000 / ratePerSec / burstiness, seededUniform(seed));
  let t = 0;
  return () => (t += gap());
}

/** Poisson arrivals at `ratePerSec` over [0, durationMs) (see poissonArrivals). */
export function poissonSchedule(ratePerSec: number, durationMs: number, seed: number): Float64Array {
  checkArgs(ratePerSec, durationMs);
  const arrival = poissonArrivals(ratePerSec, seed);
  const expected = (ratePerSec * durationMs) / 1000;
  // Room for mean + 6 sigma so growing is rare; still handled below.
  let out = new Float64Array(Math.ceil(expected + 6 * Math.sqrt(expected) + 16));
  let n = 0;
  for (;;) {
    const t = arrival();
    if (t >= durationMs) break;
    if (n === out.length) {
      const grown = new Float64Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[n++] = t;
  }
  return out.slice(0, n);
}

/** Evenly spaced sends at `ratePerSec` over [0, durationMs), the first at 0. */
export function constantSchedule(ratePerSec: number, durationMs: number): Float64Array {
  checkArgs(ratePerSec, durationMs);
  const gapMs = 1000 / ratePerSec;
  let n = Math.ceil(durationMs / gapMs);
  while (n > 0 && (n - 1) * gapMs >= durationMs) n--; // float rounding at the edge
  const out = new Float64Array(n);
  // k * gap rather than a running sum, so offsets don't drift over long runs.
  for (let k = 0; k < out.length; k++) out[k] = k * gapMs;
  return out;
}

/** Evenly spaced sends at `ratePerSec`, unbounded and lazy, the first at 0 (same offsets as constantSchedule). */
export function constantArrivals(ratePerSec: number): () => number {
  checkArgs(ratePerSec, 0);
  const gapMs = 1000 / ratePerSec;
  let k = 0;
  return () => k++ * gapMs; // k * gap, not a running sum: no drift
}

/** Bursts of `size` sends every `everyMs`, unbounded and lazy, the first burst at 0. Mean rate = size / every. */
export function burstArrivals(size: number, everyMs: number): () => number {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`burst size must be a positive integer, got ${size}`);
  if (!(everyMs > 0) || !Number.isFinite(everyMs)) throw new RangeError(`burst interval must be a positive number of ms, got ${everyMs}`);
  let k = 0;
  return () => Math.floor(k++ / size) * everyMs;
}

/**
 * A recorded trace's send offsets (ms, ascending, see trace.ts), replayed from the start of the run and repeated
 * for as long as the run lasts: the trace repeats every `tracePeriodMs(offsets)` ms (its last offset plus its mean gap).
 */
export function traceArrivals(offsets: ArrayLike<number>): () => number {
  const period = tracePeriodMs(offsets);
  let i = 0;
  let cycle = 0;
  return () => {
    if (i === offsets.length) {
      i = 0;
      cycle++;
    }
    return cycle * period + offsets[i++];
  };
}

/** How often a trace repeats: its last offset plus its mean gap ((last − first) / (n − 1)). */
export function tracePeriodMs(offsets: ArrayLike<number>): number {
  const n = offsets.length;
  if (n < 2) throw new RangeError(`a trace needs at least 2 send times, got ${n}`);
  const first = offsets[0];
  const last = offsets[n - 1];
  for (let i = 0; i < n; i++) {
    if (!(offsets[i] >= 0) || !Number.isFinite(offsets[i]) || (i > 0 && offsets[i] < offsets[i - 1])) {
      throw new RangeError(`trace offsets must be finite, >= 0 and ascending; offset ${i} is ${offsets[i]}`);
    }
  }
  if (!(last > first)) throw new RangeError('a trace must span more than 0 ms (all its send times are equal)');
  return last + (last - first) / (n - 1);
}

/** Mean rate of a trace as replayed (requests/s): n per period. */
export function traceRate(offsets: ArrayLike<number>): number {
  return (offsets.length * 1000) / tracePeriodMs(offsets);
}
