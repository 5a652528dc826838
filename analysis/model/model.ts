/**
 * The fitted model: two ridge regressions over the same features, on log throughput and log p99
 * (errors are multiplicative, and exp of a prediction is never negative).
 */
import { fitStandardizer, standardize, type FeatureSet } from './features';
import { chooseLambda, predictRidge, ridge, type RidgeFit } from './regression';
import { configKey, paramKeys, type ModelRun, type Outcome } from './types';

export interface Lambdas {
  inferencesPerS: number;
  p99Ms: number;
}

export interface FittedModel {
  lambda: Lambdas;
  /** Root mean square training residual of [log inferences/s, log p99 ms]: the noise the fit left unexplained. */
  residualSd: [number, number];
  /** Predictions in log space: [log inferences/s, log p99 ms]. */
  predictLog(params: Record<string, unknown>): [number, number];
  predict(params: Record<string, unknown>): Outcome;
}

/** Fits on `runs`; strengths are chosen by grouped cross-validation unless given (bootstrap refits reuse them). */
export function fitModel(runs: readonly ModelRun[], features: FeatureSet, opts: { lambda?: Lambdas; seed?: number } = {}): FittedModel {
  const raw = runs.map((r) => features.row(r.params));
  const scaler = fitStandardizer(raw);
  const x = raw.map((r) => standardize(scaler, r));
  const yT = runs.map((r) => Math.log(r.inferencesPerS));
  const yP = runs.map((r) => Math.log(r.p99Ms));
  const keys = paramKeys(runs);
  const groups = runs.map((r) => configKey(r.params, keys));
  const lambda = opts.lambda ?? { inferencesPerS: chooseLambda(x, yT, groups, opts.seed), p99Ms: chooseLambda(x, yP, groups, opts.seed) };
  const fitT: RidgeFit = ridge(x, yT, lambda.inferencesPerS);
  const fitP: RidgeFit = ridge(x, yP, lambda.p99Ms);
  const predictLog = (params: Record<string, unknown>): [number, number] => {
    const row = standardize(scaler, features.row(params));
    return [predictRidge(fitT, row), predictRidge(fitP, row)];
  };
  const rms = (fit: RidgeFit, y: readonly number[]) => Math.sqrt(y.reduce((a, v, i) => a + (v - predictRidge(fit, x[i])) ** 2, 0) / y.length);
  return {
    lambda,
    residualSd: [rms(fitT, yT), rms(fitP, yP)],
    predictLog,
    predict: (params) => {
      const [t, p] = predictLog(params);
      return { inferencesPerS: Math.exp(t), p99Ms: Math.exp(p) };
    },
  };
}
