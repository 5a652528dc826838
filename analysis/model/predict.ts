/**
 * The fitted model with its uncertainty, ready to predict any configuration: the point prediction, its prediction
 * intervals (intervals.ts) and whether it extrapolates (extrapolation.ts).
 */
import { fitEnsemble, score, type Scored } from './ensemble';
import { countConfigurations, DEFAULT_RESAMPLES, evaluateModel } from './evaluate';
import { extrapolations, type Extrapolation } from './extrapolation';
import { describeParams, featureSet, type FeatureSet, type ParamSpec } from './features';
import { calibrate, DEFAULT_COVERAGE, predictionInterval, spreadScale, type Calibration, type HeldOutScores, type Interval } from './intervals';
import { fitModel, type FittedModel } from './model';
import { byConfiguration, type ModelRun } from './types';

export interface Prediction extends Scored {
  inferencesPerS: Interval;
  p99Ms: Interval;
  /** The parameters outside the measured range; empty inside it. */
  extrapolated: Extrapolation[];
}

export interface Predictor {
  specs: ParamSpec[];
  features: FeatureSet;
  model: FittedModel;
  calibration: Calibration;
  at(params: Record<string, unknown>): Prediction;
}

export interface PredictorOptions {
  seed?: number;
  resamples?: number;
  /** The intervals' coverage (default 0.9). */
  coverage?: number;
  /** Conformal scores from evaluateModel on the same runs and seed; computed here when not given. */
  scores?: HeldOutScores;
}

/** Fits on `runs`, which must be enough to fit (evaluate.ts: tooSmall). */
export function fitPredictor(runs: readonly ModelRun[], opts: PredictorOptions = {}): Predictor {
  const seed = opts.seed ?? 1;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const specs = describeParams(runs.map((r) => r.params));
  const features = featureSet(specs, countConfigurations(runs));
  const model = fitModel(runs, features, { seed });
  const ensemble = fitEnsemble([...byConfiguration(runs).values()], features, model.lambda, resamples, seed);
  let scores = opts.scores;
  if (!scores) {
    const evaluation = evaluateModel(runs, { seed, resamples });
    scores = evaluation.fitted ? evaluation.scores : { inferencesPerS: [], p99Ms: [] };
  }
  const calibration = calibrate(scores, opts.coverage ?? DEFAULT_COVERAGE);
  const [residualT, residualP] = model.residualSd;
  return {
    specs,
    features,
    model,
    calibration,
    at(params) {
      const s = score(model, ensemble, params);
      return {
        ...s,
        inferencesPerS: predictionInterval(s.logT, spreadScale(s.sdT, residualT), calibration.inferencesPerS),
        p99Ms: predictionInterval(s.logP, spreadScale(s.sdP, residualP), calibration.p99Ms),
        extrapolated: extrapolations(specs, params),
      };
    },
  };
}
