/**
 * Open-loop send schedules: offsets in ms from the start of the run, ascending.
 * Pure and deterministic, so a run can be reproduced from its seed.
 */
import { seededUniform } from '../rng';

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
