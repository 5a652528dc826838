/**
 * Held-out error: k-fold cross-validation grouped by configuration (a configuration's repeats are held out
 * together, so the model is scored on settings it has never seen, as a suggestion would be). The same folds
 * give the conformal scores that calibrate the prediction intervals (intervals.ts).
 */
import { fitEnsemble, score } from './ensemble';
import { describeParams, featureSet, narrowParams } from './features';
import { complement, groupedFolds } from './folds';
import { conformalScore, spreadScale, type HeldOutScores } from './intervals';
import { fitModel } from './model';
import { byConfiguration, configKey, paramKeys, type ModelRun } from './types';

/** Below this many configurations a fit says little and held-out folds hold one point each. */
export const MIN_CONFIGURATIONS = 4;
export const DEFAULT_FOLDS = 5;
/** Bootstrap refits per ensemble (each fold's, and the full data's in suggest.ts). */
export const DEFAULT_RESAMPLES = 30;

/** Absolute percentage errors, as fractions (0.062 = 6.2%). */
export interface ErrorStats {
  mape: number;
  maxApe: number;
}

export interface HeldOutError {
  folds: number;
  runs: number;
  configurations: number;
  inferencesPerS: ErrorStats;
  p99Ms: ErrorStats;
  /** The same folds scored with the training mean (geometric) as the prediction: what "no model" gets. */
  baseline: { inferencesPerS: ErrorStats; p99Ms: ErrorStats };
}

export type Evaluation =
  | { fitted: true; error: HeldOutError; scores: HeldOutScores }
  | { fitted: false; reason: string; runs: number; configurations: number };

export function countConfigurations(runs: readonly ModelRun[]): number {
  const keys = paramKeys(runs);
  return new Set(runs.map((r) => configKey(r.params, keys))).size;
}

/** Why these runs are too few to fit, or undefined when they are enough. */
export function tooSmall(runs: readonly ModelRun[]): string | undefined {
  const configurations = countConfigurations(runs);
  if (runs.length === 0) return 'the sweep has no runs with a positive throughput and p99 latency to fit';
  if (configurations < MIN_CONFIGURATIONS) {
    return `the sweep is too small to fit a model: ${configurations} configuration${configurations === 1 ? '' : 's'} measured, at least ${MIN_CONFIGURATIONS} needed (sweep more values)`;
  }
  return undefined;
}

function stats(apes: readonly number[]): ErrorStats {
  return { mape: apes.reduce((a, b) => a + b, 0) / apes.length, maxApe: Math.max(...apes) };
}

const ape = (predicted: number, actual: number): number => Math.abs(predicted - actual) / actual;

export function evaluateModel(runs: readonly ModelRun[], opts: { folds?: number; seed?: number; resamples?: number } = {}): Evaluation {
  const reason = tooSmall(runs);
  if (reason) return { fitted: false, reason, runs: runs.length, configurations: countConfigurations(runs) };
  const keys = paramKeys(runs);
  const groups = runs.map((r) => configKey(r.params, keys));
  const folds = groupedFolds(groups, opts.folds ?? DEFAULT_FOLDS, opts.seed);
  // Parameter kinds are x-only knowledge shared by every fold; numeric values (knots) come from each fold's training runs.
  const specs = describeParams(runs.map((r) => r.params));
  const errT: number[] = [], errP: number[] = [], baseT: number[] = [], baseP: number[] = [];
  const scores: HeldOutScores = { inferencesPerS: [], p99Ms: [] };
  for (const held of folds) {
    const train = complement(runs.length, held).map((i) => runs[i]);
    const features = featureSet(narrowParams(specs, train.map((r) => r.params)), countConfigurations(train));
    const model = fitModel(train, features, { seed: opts.seed });
    const ensemble = fitEnsemble([...byConfiguration(train).values()], features, model.lambda, opts.resamples ?? DEFAULT_RESAMPLES, opts.seed ?? 1);
    const meanT = Math.exp(train.reduce((a, r) => a + Math.log(r.inferencesPerS), 0) / train.length);
    const meanP = Math.exp(train.reduce((a, r) => a + Math.log(r.p99Ms), 0) / train.length);
    for (const i of held) {
      const run = runs[i];
      const pred = model.predict(run.params);
      errT.push(ape(pred.inferencesPerS, run.inferencesPerS));
      errP.push(ape(pred.p99Ms, run.p99Ms));
      baseT.push(ape(meanT, run.inferencesPerS));
      baseP.push(ape(meanP, run.p99Ms));
      const at = score(model, ensemble, run.params);
      scores.inferencesPerS.push(conformalScore(Math.log(run.inferencesPerS), at.logT, spreadScale(at.sdT, model.residualSd[0])));
      scores.p99Ms.push(conformalScore(Math.log(run.p99Ms), at.logP, spreadScale(at.sdP, model.residualSd[1])));
    }
  }
  return {
    fitted: true,
    error: {
      folds: folds.length,
      runs: runs.length,
      configurations: new Set(groups).size,
      inferencesPerS: stats(errT),
      p99Ms: stats(errP),
      baseline: { inferencesPerS: stats(baseT), p99Ms: stats(baseP) },
    },
    scores,
  };
}
