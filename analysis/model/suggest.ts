/**
 * The next configurations worth measuring: the predicted best under the SLO (what to confirm), and the points
 * the bootstrap ensemble disagrees on most (what would teach the model most). Each comes with prediction
 * intervals (intervals.ts) and the parameters it takes beyond the measured range, if any (extrapolation.ts).
 * The best are ranked inside the measured range first: an extrapolation's prediction is the model's guess, not
 * the data's, so it only tops the list when asked (`allowExtrapolation`). The uncertain points are ranked by
 * spread alone: going beyond the range is often exactly what teaches the model most.
 */
import { candidateGrid } from './candidates';
import { tooSmall } from './evaluate';
import { describeExtrapolations, type Extrapolation } from './extrapolation';
import type { Calibration, HeldOutScores, Interval } from './intervals';
import type { Lambdas } from './model';
import { fitPredictor, type Prediction } from './predict';
import { bestMeasured, offLine, spreadOut, type MeasuredBest } from './pick';
import { sweepSnippet } from './snippet';
import { byConfiguration, type ModelRun } from './types';

export type { Calibration, Extrapolation, Interval, MeasuredBest };

export type SuggestionKind = 'best' | 'uncertain';

export interface Suggestion {
  kind: SuggestionKind;
  /** Swept path -> value, in the sweep's own key order. */
  params: Record<string, unknown>;
  /** Predicted value and prediction interval at the stated coverage, for one run at this configuration. */
  inferencesPerS: Interval;
  p99Ms: Interval;
  /** Ensemble standard deviation of log throughput and log p99, combined (root sum of squares). */
  spread: number;
  /** The parameters outside the measured range; empty inside it (interpolation). */
  extrapolated: Extrapolation[];
  /** Why it is suggested (the extrapolation, if any, is in `extrapolated`). */
  reason: string;
  /** The suggestion as a `sweep:` block. */
  yaml: string;
}

export interface SuggestOptions {
  /** The sweep's p99 objective; null or undefined: no SLO, the best is the highest throughput. */
  sloP99Ms?: number | null;
  resamples?: number;
  seed?: number;
  maxCandidates?: number;
  best?: number;
  uncertain?: number;
  /** Rank the best by prediction alone, extrapolations included (they are still marked). */
  allowExtrapolation?: boolean;
  /** The prediction intervals' coverage (default 0.9). */
  coverage?: number;
  /** Conformal scores from evaluateModel on the same runs and seed; computed here when not given. */
  scores?: HeldOutScores;
}

export interface SuggestResult {
  bestMeasured: MeasuredBest | null;
  /** Unmeasured candidates scored. */
  candidates: number;
  features: string[];
  lambda: Lambdas | null;
  /** How the intervals were calibrated; null when nothing was fitted. */
  intervals: Calibration | null;
  suggestions: Suggestion[];
  notes: string[];
}

const ordinal = (i: number): string => (i === 0 ? 'highest' : `${['2nd', '3rd'][i - 1] ?? `${i + 1}th`}-highest`);
const pct = (logSd: number): string => `±${((Math.exp(logSd) - 1) * 100).toFixed(0)}%`;

export function suggestNext(runs: readonly ModelRun[], opts: SuggestOptions = {}): SuggestResult {
  const small = tooSmall(runs);
  if (small) return { bestMeasured: null, candidates: 0, features: [], lambda: null, intervals: null, suggestions: [], notes: [small] };
  const slo = opts.sloP99Ms ?? null;
  const seed = opts.seed ?? 1;
  const predictor = fitPredictor(runs, { seed, resamples: opts.resamples, coverage: opts.coverage, scores: opts.scores });
  const { specs, features, model, calibration } = predictor;
  const byKey = byConfiguration(runs);
  const scored = candidateGrid(specs, new Set(byKey.keys()), { max: opts.maxCandidates, seed }).map((p) => predictor.at(p));

  // Parameters in the sweep's own order (as the user wrote them), not the model's sorted one.
  const order = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
  const make = (c: Prediction, kind: SuggestionKind, reason: string): Suggestion => {
    const params = Object.fromEntries(order.map((k) => [k, c.params[k]]));
    const { extrapolated } = c;
    return { kind, params, inferencesPerS: c.inferencesPerS, p99Ms: c.p99Ms, spread: Math.hypot(c.sdT, c.sdP), extrapolated, reason, yaml: sweepSnippet(params) };
  };

  const notes: string[] = [];
  if (!calibration.exact) {
    notes.push(`only ${calibration.runs} held-out runs: the intervals use the largest held-out error and cover less than ${Math.round(calibration.coverage * 100)}%`);
  }
  if (scored.length === 0) notes.push('every candidate configuration has been measured already');
  const predictedT = (c: Prediction) => c.inferencesPerS.value;
  const isBeyond = (c: Prediction) => c.extrapolated.length > 0;
  const byPrediction = scored.filter((c) => slo === null || c.p99Ms.value <= slo).sort((a, b) => predictedT(b) - predictedT(a));
  // Inside the measured range first, unless asked; a stable sort keeps the throughput order within each group.
  const feasible = opts.allowExtrapolation ? byPrediction : [...byPrediction].sort((a, b) => Number(isBeyond(a)) - Number(isBeyond(b)));
  if (scored.length && !feasible.length) notes.push(`no candidate is predicted to meet p99 ≤ ${slo} ms`);
  const bestPicks = feasible.slice(0, opts.best ?? 3);
  const withSlo = slo === null ? ' (no p99 SLO)' : ` with p99 ≤ ${slo} ms`;
  let beyondRank = 0;
  const best = bestPicks.map((c, i) => {
    if (opts.allowExtrapolation || !isBeyond(c)) return make(c, 'best', `${ordinal(i)} predicted throughput${withSlo}`);
    return make(c, 'best', `${ordinal(beyondRank++)} predicted throughput${withSlo} beyond the measured range`);
  });
  const skipped = opts.allowExtrapolation ? undefined : byPrediction.find(isBeyond);
  if (skipped && bestPicks.length && predictedT(skipped) > predictedT(bestPicks[0])) {
    notes.push(
      `an extrapolation is predicted higher (${predictedT(skipped).toFixed(0)} inferences/s at ${describeExtrapolations(skipped.extrapolated)}); ` +
        'predictions beyond the measured range are ranked after those inside it (--allow-extrapolation ranks by prediction alone)',
    );
  }
  const measuredBest = bestMeasured([...byKey.values()], slo);
  if (best.length && measuredBest && best[0].inferencesPerS.value < measuredBest.inferencesPerS) {
    notes.push(`no unmeasured candidate is predicted to beat the best measured configuration (${measuredBest.inferencesPerS.toFixed(0)} inferences/s)`);
  }

  const varied = specs.filter((sp) => sp.values.length > 1).map((sp) => sp.key);
  const ranked = scored.filter((c) => !bestPicks.includes(c)).sort((a, b) => Math.hypot(b.sdT, b.sdP) - Math.hypot(a.sdT, a.sdP));
  const uncertainPicks = spreadOut(ranked, opts.uncertain ?? 3, varied);
  const uncertain = uncertainPicks.map((c, i) => {
    const spread = `spread ${pct(c.sdT)} throughput, ${pct(c.sdP)} p99`;
    if (i === 0) return make(c, 'uncertain', `most uncertain: ${spread}`);
    const apart = varied.length > 1 && uncertainPicks.slice(0, i).every((p) => offLine(p, c, varied));
    return make(c, 'uncertain', `${apart ? 'next most uncertain elsewhere' : 'next most uncertain'}: ${spread}`);
  });
  return {
    bestMeasured: measuredBest,
    candidates: scored.length,
    features: features.names,
    lambda: model.lambda,
    intervals: calibration,
    suggestions: [...best, ...uncertain],
    notes,
  };
}
