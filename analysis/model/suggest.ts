/**
 * The next configurations worth measuring: the predicted best under the SLO (what to confirm), and the points
 * the bootstrap ensemble disagrees on most (what would teach the model most).
 */
import { candidateGrid } from './candidates';
import { fitEnsemble, score, type Interval, type Scored } from './ensemble';
import { countConfigurations, tooSmall } from './evaluate';
import { describeParams, featureSet } from './features';
import { fitModel, type Lambdas } from './model';
import { bestMeasured, offLine, spreadOut, type MeasuredBest } from './pick';
import { sweepSnippet } from './snippet';
import { configKey, paramKeys, type ModelRun } from './types';

export type { Interval, MeasuredBest };

export type SuggestionKind = 'best' | 'uncertain';

export interface Suggestion {
  kind: SuggestionKind;
  /** Swept path -> value, in the sweep's own key order. */
  params: Record<string, unknown>;
  inferencesPerS: Interval;
  p99Ms: Interval;
  /** Ensemble standard deviation of log throughput and log p99, combined (root sum of squares). */
  spread: number;
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
}

export interface SuggestResult {
  bestMeasured: MeasuredBest | null;
  /** Unmeasured candidates scored. */
  candidates: number;
  features: string[];
  lambda: Lambdas | null;
  suggestions: Suggestion[];
  notes: string[];
}

const ordinal = (i: number): string => (i === 0 ? 'highest' : `${['2nd', '3rd'][i - 1] ?? `${i + 1}th`}-highest`);
const pct = (logSd: number): string => `±${((Math.exp(logSd) - 1) * 100).toFixed(0)}%`;

export function suggestNext(runs: readonly ModelRun[], opts: SuggestOptions = {}): SuggestResult {
  const small = tooSmall(runs);
  if (small) return { bestMeasured: null, candidates: 0, features: [], lambda: null, suggestions: [], notes: [small] };
  const seed = opts.seed ?? 1;
  const slo = opts.sloP99Ms ?? null;
  const keys = paramKeys(runs);
  const specs = describeParams(runs.map((r) => r.params));
  const features = featureSet(specs, countConfigurations(runs));
  const model = fitModel(runs, features, { seed });
  const byKey = new Map<string, ModelRun[]>();
  for (const r of runs) byKey.set(configKey(r.params, keys), [...(byKey.get(configKey(r.params, keys)) ?? []), r]);
  const ensemble = fitEnsemble([...byKey.values()], features, model.lambda, opts.resamples ?? 30, seed);
  const scored = candidateGrid(specs, new Set(byKey.keys()), { max: opts.maxCandidates, seed }).map((p) => score(model, ensemble, p));

  // Parameters in the sweep's own order (as the user wrote them), not the model's sorted one.
  const order = [...new Set(runs.flatMap((r) => Object.keys(r.params)))];
  const make = (c: Scored, kind: SuggestionKind, reason: string): Suggestion => {
    const params = Object.fromEntries(order.map((k) => [k, c.params[k]]));
    return { kind, params, inferencesPerS: c.inferencesPerS, p99Ms: c.p99Ms, spread: Math.hypot(c.sdT, c.sdP), reason, yaml: sweepSnippet(params) };
  };

  const notes: string[] = [];
  if (scored.length === 0) notes.push('every candidate configuration has been measured already');
  const feasible = scored.filter((c) => slo === null || c.p99Ms.value <= slo).sort((a, b) => b.inferencesPerS.value - a.inferencesPerS.value);
  if (scored.length && !feasible.length) notes.push(`no candidate is predicted to meet p99 ≤ ${slo} ms`);
  const bestPicks = feasible.slice(0, opts.best ?? 3);
  const best = bestPicks.map((c, i) =>
    make(c, 'best', slo === null ? `${ordinal(i)} predicted throughput (no p99 SLO)` : `${ordinal(i)} predicted throughput with p99 ≤ ${slo} ms`),
  );
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
  return { bestMeasured: measuredBest, candidates: scored.length, features: features.names, lambda: model.lambda, suggestions: [...best, ...uncertain], notes };
}
