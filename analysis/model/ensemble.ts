/**
 * Uncertainty from a bootstrap ensemble: the model refitted on configurations drawn with replacement (a drawn
 * configuration brings all its repeats, so repeats never pose as independent evidence). Its spread grows where
 * the data are thin: at the edges of the grid and beyond.
 */
import type { FeatureSet } from './features';
import { fitModel, type FittedModel, type Lambdas } from './model';
import { seededRng, type Rng } from './random';
import type { ModelRun } from './types';

export interface Interval {
  /** The full-data model's prediction. */
  value: number;
  /** 10th and 90th percentiles of the ensemble (widened to include `value`). */
  low: number;
  high: number;
}

export interface Scored {
  params: Record<string, unknown>;
  inferencesPerS: Interval;
  p99Ms: Interval;
  /** Ensemble standard deviations of log throughput and log p99. */
  sdT: number;
  sdP: number;
}

/** Draws whole configurations with replacement until there are as many as measured. */
function resample(byConfig: readonly ModelRun[][], rng: Rng): ModelRun[] {
  return byConfig.flatMap(() => byConfig[Math.floor(rng() * byConfig.length)]);
}

/** Refits reuse the full-data strengths: the ensemble should vary the data, not the tuning. */
export function fitEnsemble(byConfig: readonly ModelRun[][], features: FeatureSet, lambda: Lambdas, size: number, seed: number): FittedModel[] {
  const rng = seededRng(seed);
  return Array.from({ length: size }, () => fitModel(resample(byConfig, rng), features, { lambda }));
}

const percentile = (sorted: readonly number[], q: number): number => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
};

const sd = (xs: readonly number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

function interval(point: number, logs: readonly number[]): Interval {
  const sorted = logs.map(Math.exp).sort((a, b) => a - b);
  return { value: point, low: Math.min(point, percentile(sorted, 0.1)), high: Math.max(point, percentile(sorted, 0.9)) };
}

export function score(model: FittedModel, ensemble: readonly FittedModel[], params: Record<string, unknown>): Scored {
  const point = model.predict(params);
  const logs = ensemble.map((m) => m.predictLog(params));
  const t = logs.map((l) => l[0]);
  const p = logs.map((l) => l[1]);
  return { params, inferencesPerS: interval(point.inferencesPerS, t), p99Ms: interval(point.p99Ms, p), sdT: sd(t), sdP: sd(p) };
}
