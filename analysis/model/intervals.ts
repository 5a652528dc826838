/**
 * Prediction intervals for one run at an unmeasured configuration, by normalised cross-conformal prediction
 * (Papadopoulos et al. 2008; Lei et al. 2018, "locally weighted" split conformal, with grouped k-fold in place of a
 * single split).
 *
 * Each run held out by the grouped cross-validation (evaluate.ts) gets a score
 *   s = |log y − log ŷ(x)| / σ̂(x),   σ̂(x) = √(ensemble sd(x)² + residual sd²)
 * where ŷ, the bootstrap ensemble's spread and the residual sd all come from the fold that never saw that
 * configuration. σ̂ only shapes the interval (wider where the ensemble disagrees: thin data, the edges, beyond
 * them; never narrower than the noise the fit left); the scale comes from the held-out errors themselves. With q
 * the ⌈coverage·(n+1)⌉-th smallest of the n scores, the interval log ŷ(x) ± q·σ̂(x) holds a new run at x with
 * probability about `coverage` when x is like the held-out configurations, whatever the model gets wrong (bias
 * included). Beyond the measured range that exchangeability is an assumption, so extrapolated intervals are
 * flagged (extrapolation.ts) rather than trusted.
 */

export interface Interval {
  /** The full-data model's prediction. */
  value: number;
  /** The prediction interval's ends. */
  low: number;
  high: number;
}

export interface HeldOutScores {
  /** One score per held-out run, for log throughput and for log p99. */
  inferencesPerS: number[];
  p99Ms: number[];
}

export interface Calibration {
  /** The stated probability that a new run at a configuration falls in its interval. */
  coverage: number;
  /** Held-out runs the quantiles come from. */
  runs: number;
  /** Score quantiles: half-widths in units of σ̂. */
  inferencesPerS: number;
  p99Ms: number;
  /** False when there are too few runs for the stated coverage: the largest score is used and the coverage is less. */
  exact: boolean;
}

export const DEFAULT_COVERAGE = 0.9;

/** σ̂ of one outcome at a point: never zero, so a score is always defined. */
export function spreadScale(ensembleSd: number, residualSd: number): number {
  return Math.max(Math.hypot(ensembleSd, residualSd), 1e-9);
}

/** The normalised score of one held-out run. */
export const conformalScore = (logActual: number, logPredicted: number, scale: number): number => Math.abs(logActual - logPredicted) / scale;

/** The ⌈coverage·(n+1)⌉-th smallest score (the finite-sample conformal quantile); the largest when n is too small. */
export function conformalQuantile(scores: readonly number[], coverage: number): { q: number; exact: boolean } {
  if (!scores.length) return { q: Infinity, exact: false };
  const sorted = [...scores].sort((a, b) => a - b);
  const rank = Math.ceil(coverage * (sorted.length + 1));
  return rank <= sorted.length ? { q: sorted[rank - 1], exact: true } : { q: sorted[sorted.length - 1], exact: false };
}

export function calibrate(scores: HeldOutScores, coverage = DEFAULT_COVERAGE): Calibration {
  const t = conformalQuantile(scores.inferencesPerS, coverage);
  const p = conformalQuantile(scores.p99Ms, coverage);
  return { coverage, runs: scores.inferencesPerS.length, inferencesPerS: t.q, p99Ms: p.q, exact: t.exact && p.exact };
}

/** exp(log ŷ ± q·σ̂): the interval in the outcome's own units. */
export function predictionInterval(logPredicted: number, scale: number, q: number): Interval {
  return { value: Math.exp(logPredicted), low: Math.exp(logPredicted - q * scale), high: Math.exp(logPredicted + q * scale) };
}
