/**
 * Uncertainty from a bootstrap ensemble: the model refitted on configurations drawn with replacement (a drawn
 * configuration brings all its repeats, so repeats never pose as independent evidence). Its spread grows where
 * the data are thin: at the edges of the grid and beyond.
 */
import type { FeatureSet } from './features';
import { fitModel, type FittedModel, type Lambdas } from './model';
import { seededRng, type Rng } from './random';
import type { ModelRun } from './types';

export interface Scored {
  params: Record<string, unknown>;
  /** The full-data model's predictions of log throughput and log p99. */
  logT: number;
  logP: number;
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

const sd = (xs: readonly number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

export function score(model: FittedModel, ensemble: readonly FittedModel[], params: Record<string, unknown>): Scored {
  const [logT, logP] = model.predictLog(params);
  const logs = ensemble.map((m) => m.predictLog(params));
  return { params, logT, logP, sdT: sd(logs.map((l) => l[0])), sdP: sd(logs.map((l) => l[1])) };
}
