/**
 * MLPerf LoadGen's early-stopping arithmetic (loadgen/early_stopping.cc), pure.
 *
 * A run with n latencies of which t exceed some bound supports "the true P-th percentile is at or below that
 * bound" with confidence C when, were the true fraction over the bound exactly 1 − P, seeing t or fewer
 * overages in n queries would be unlikely: P(Binomial(n, 1 − P) ≤ t) < 1 − C. LoadGen fixes C = 0.99 and a
 * tolerance of 0; so does this module.
 *
 * Without a fixed bound (servebench's case: the SLO is judged separately), LoadGen's single-stream rule
 * applies: with n queries, take the largest t such that h(t) + t ≤ n; the t-th largest latency is then an
 * upper bound for the percentile at 99% confidence. The fewest queries that allow any bound is h(1) + 1:
 * 64 for p90, 662 for p99, 6636 for p99.9 (LoadGen's published floors).
 */

export const CONFIDENCE = 0.99;

/** Lanczos approximation (g = 7, n = 9): ~15 significant digits, enough for binomial terms at n ~ 1e7. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * ln P(X ≤ t) for X ~ Binomial(n, q). Summed downward from x = t, where the terms that matter are, until
 * they stop contributing: O(√n) terms near the tail rather than O(t).
 */
export function logBinomialCdf(t: number, n: number, q: number): number {
  if (t >= n) return 0;
  const p = 1 - q;
  const top = logChoose(n, t) + t * Math.log(q) + (n - t) * Math.log(p);
  let sum = 1;
  let term = 1;
  for (let x = t; x > 0; x--) {
    term *= (x / (n - x + 1)) * (p / q); // term(x − 1) / term(t)
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return top + Math.log(sum);
}

/**
 * LoadGen's find_min_passing with tolerance 0: the fewest queries under the bound (h) such that t overages
 * in h + t queries bound the `percentile` (a fraction, e.g. 0.99) with `confidence`.
 */
export function minPassingQueries(t: number, percentile: number, confidence = CONFIDENCE): number {
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`overages must be an integer >= 0, got ${t}`);
  if (!(percentile > 0 && percentile < 1)) throw new RangeError(`percentile must be a fraction in (0, 1), got ${percentile}`);
  const limit = Math.log(1 - confidence);
  // LoadGen passes on a strict "<"; so does this.
  const passes = (h: number): boolean => logBinomialCdf(t, h + t, 1 - percentile) < limit;
  let hi = 1;
  while (!passes(hi)) hi *= 2;
  let lo = hi >> 1; // fails (or is 0, which always fails: P(X ≤ t) = 1 when n = t)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (passes(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Queries needed (h + t) to bound the percentile when t of them exceed the bound (LoadGen's server rule). */
export function queriesToBound(overages: number, percentile: number, confidence = CONFIDENCE): number {
  return minPassingQueries(overages, percentile, confidence) + overages;
}

/** The fewest queries that bound the percentile at all (LoadGen's single-stream floor): 64 / 662 / 6636 for p90 / p99 / p99.9. */
export function earlyStoppingMinQueries(percentile: number, confidence = CONFIDENCE): number {
  return queriesToBound(1, percentile, confidence);
}

/**
 * With n latencies: the rank t (1 = the largest) of the latency that bounds the percentile with confidence,
 * i.e. the largest t with h(t) + t ≤ n; null when n is below the floor. LoadGen reports that latency as its
 * "early stopping percentile estimate".
 */
export function earlyStoppingRank(n: number, percentile: number, confidence = CONFIDENCE): number | null {
  const fits = (t: number): boolean => queriesToBound(t, percentile, confidence) <= n;
  if (!fits(1)) return null;
  let lo = 1; // fits
  let hi = 2;
  while (hi <= n && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, n + 1); // does not fit
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
