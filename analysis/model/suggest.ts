/**
 * The next configurations worth measuring: the predicted best under the SLO, and the points the model is
 * least sure of. Uncertainty is the spread of a bootstrap ensemble refitted on configurations drawn with
 * replacement (all repeats of a drawn configuration come along), so it grows where the data are thin.
 */
import { candidateGrid } from './candidates';
import { countConfigurations, tooSmall } from './evaluate';
import { describeParams, featureSet } from './features';
import { fitModel, type Lambdas } from './model';
import { seededRng } from './random';
import { sweepSnippet } from './snippet';
import { configKey, paramKeys, type ModelRun } from './types';

export interface Interval {
  /** The full-data model's prediction. */
  value: number;
  /** 10th and 90th percentiles of the bootstrap ensemble. */
  low: number;
  high: number;
}

export type SuggestionKind = 'best' | 'uncertain';

export interface Suggestion {
  kind: SuggestionKind;
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

/** The measured configuration with the highest mean throughput whose every repeat met the p99 SLO. */
export interface MeasuredBest {
  params: Record<string, unknown>;
  inferencesPerS: number;
  /** The worst p99 over its repeats. */
  p99Ms: number;
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

const ordinal = (i: number): string => (i === 0 ? 'highest' : `${['2nd', '3rd'][i - 1] ?? `${i + 1}th`}-highest`);
const pct = (logSd: number): string => `±${((Math.exp(logSd) - 1) * 100).toFixed(0)}%`;

export function bestMeasured(byConfig: readonly ModelRun[][], slo: number | null): MeasuredBest | null {
  let best: MeasuredBest | null = null;
  for (const runs of byConfig) {
    const p99Ms = Math.max(...runs.map((r) => r.p99Ms));
    const inferencesPerS = runs.reduce((a, r) => a + r.inferencesPerS, 0) / runs.length;
    if ((slo === null || p99Ms <= slo) && (!best || inferencesPerS > best.inferencesPerS)) best = { params: runs[0].params, inferencesPerS, p99Ms };
  }
  return best;
}

/** Draws whole configurations with replacement until there are as many as measured. */
function resample(byConfig: readonly ModelRun[][], rng: () => number): ModelRun[] {
  return byConfig.flatMap(() => byConfig[Math.floor(rng() * byConfig.length)]);
}

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
  const rng = seededRng(seed);
  // Refits reuse the full-data strengths: the ensemble should vary the data, not the tuning.
  const ensemble = Array.from({ length: opts.resamples ?? 30 }, () => fitModel(resample([...byKey.values()], rng), features, { lambda: model.lambda }));

  const grid = candidateGrid(specs, new Set(byKey.keys()), { max: opts.maxCandidates, seed });
  const scored = grid.map((params) => {
    const point = model.predict(params);
    const logs = ensemble.map((m) => m.predictLog(params));
    const t = logs.map((l) => l[0]);
    const p = logs.map((l) => l[1]);
    return { params, inferencesPerS: interval(point.inferencesPerS, t), p99Ms: interval(point.p99Ms, p), sdT: sd(t), sdP: sd(p) };
  });
  type Scored = (typeof scored)[number];
  const make = (c: Scored, kind: SuggestionKind, reason: string): Suggestion => ({
    kind,
    params: c.params,
    inferencesPerS: c.inferencesPerS,
    p99Ms: c.p99Ms,
    spread: Math.hypot(c.sdT, c.sdP),
    reason,
    yaml: sweepSnippet(c.params),
  });

  const notes: string[] = [];
  if (scored.length === 0) notes.push('every candidate configuration has been measured already');
  const feasible = scored.filter((c) => slo === null || c.p99Ms.value <= slo).sort((a, b) => b.inferencesPerS.value - a.inferencesPerS.value);
  if (scored.length && !feasible.length) notes.push(`no candidate is predicted to meet p99 ≤ ${slo} ms`);
  const best = feasible.slice(0, opts.best ?? 3).map((c, i) =>
    make(c, 'best', slo === null ? `${ordinal(i)} predicted throughput (no p99 SLO)` : `${ordinal(i)} predicted throughput with p99 ≤ ${slo} ms`),
  );
  const chosen = new Set(best.map((s) => s.params));
  const uncertain = scored
    .filter((c) => !chosen.has(c.params))
    .sort((a, b) => Math.hypot(b.sdT, b.sdP) - Math.hypot(a.sdT, a.sdP))
    .slice(0, opts.uncertain ?? 3)
    .map((c) => make(c, 'uncertain', `most uncertain: model spread ${pct(c.sdT)} throughput, ${pct(c.sdP)} p99`));
  return { bestMeasured: bestMeasured([...byKey.values()], slo), candidates: scored.length, features: features.names, lambda: model.lambda, suggestions: [...best, ...uncertain], notes };
}
