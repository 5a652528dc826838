/**
 * Comparing sweep B against sweep A (the baseline): jobs matched by their swept parameters, repeats pooled, each
 * metric's relative change with a bootstrap confidence interval, and a verdict per job. Pure: the runs come in
 * as loaded (load.ts), the output is data for the CLI and the report to render.
 */
import { seededUniform } from '../../activities/rng';
import { interval, percentile, percentileReplicates, throughputReplicates, type Sample, type ThroughputSample } from './bootstrap';

/** One recorded run of a job (a repeat), or the job's failure when it recorded no run. */
export interface CompareRun {
  repeatIndex: number;
  /** The job failed before measuring (jobs.status = failed): no run row. */
  jobError: string | null;
  /** Requests answered ok in the window; 0 means every request failed. */
  ok: number;
  errors: number;
  /** The most frequent error message, for an all-failed run. */
  topError: string | null;
  /** runs.valid: false when the run rules rejected it; null for rows recorded before verdicts existed. */
  valid: boolean | null;
  invalidReasons: string[];
  inferencesPerS: number;
  /** Per-window throughput in inferences/s (runs.windows × batch size). */
  windows: number[];
  latency: Sample;
}

export interface SideJob {
  params: Record<string, unknown>;
  jobIndex: number;
  runs: CompareRun[];
}

export interface SideSweep {
  sweepId: string;
  name: string;
  startedAt: string | null;
  jobs: SideJob[];
  /** The sweep's config, to say what differs between A and B besides the matched parameters. */
  config: unknown;
}

export const METRICS = ['throughput', 'p50', 'p90', 'p99'] as const;
export type Metric = (typeof METRICS)[number];
/** The metrics `--fail-on-regression` gates on unless told otherwise: throughput down, or the p99 tail up. */
export const DEFAULT_GATED: readonly Metric[] = ['throughput', 'p99'];
const PERCENTILE: Record<Exclude<Metric, 'throughput'>, number> = { p50: 50, p90: 90, p99: 99 };
export const METRIC_LABEL: Record<Metric, string> = { throughput: 'inf/s', p50: 'p50 ms', p90: 'p90 ms', p99: 'p99 ms' };

/** A point value and its confidence interval; lo/hi null where the data gives no spread to resample. */
export interface Estimate {
  value: number | null;
  lo: number | null;
  hi: number | null;
}

export type Judgement = 'better' | 'worse' | 'no significant change' | 'no interval';

export interface MetricComparison {
  metric: Metric;
  a: Estimate;
  b: Estimate;
  /** (B − A) / A: +0.10 is 10 % more (throughput: better; latency: worse). */
  change: Estimate;
  judgement: Judgement;
}

/**
 * From all four metrics: slower when one is significantly worse and none better, faster the other way round,
 * mixed when some are worse and some better (e.g. a longer median but a shorter tail).
 */
export type Verdict = 'faster' | 'slower' | 'mixed' | 'no significant change' | 'not comparable';

export interface JobComparison {
  params: Record<string, unknown>;
  jobIndexA: number;
  jobIndexB: number;
  repeatsA: number;
  repeatsB: number;
  verdict: Verdict;
  /** What the verdict rests on or why there is none: invalid runs, failed requests, repeats left out. */
  notes: string[];
  /** Some compared run was rejected by the run rules: the numbers stand, but not as a valid measurement. */
  invalid: boolean;
  /** B failed outright (job failed or every request failed) where A measured: the gate counts it. */
  brokenInB: boolean;
  metrics: MetricComparison[];
}

export interface CompareOptions {
  /** e.g. 0.95. */
  confidence: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_OPTIONS: CompareOptions = { confidence: 0.95, resamples: 2000, seed: 1 };

export interface Comparison {
  a: { sweepId: string; name: string; startedAt: string | null };
  b: { sweepId: string; name: string; startedAt: string | null };
  options: CompareOptions;
  /** Config paths outside the swept parameters whose values differ: what changed between A and B. */
  configDiff: { path: string; a: unknown; b: unknown }[];
  matched: JobComparison[];
  onlyInA: Record<string, unknown>[];
  onlyInB: Record<string, unknown>[];
}

/** Parameters as a key independent of the order their JSON listed them in. */
export function paramsKey(params: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/** Jobs by parameters; repeats of one configuration (same parameters) are one entry. */
function byParams(jobs: readonly SideJob[]): Map<string, SideJob> {
  const out = new Map<string, SideJob>();
  for (const j of jobs) {
    const k = paramsKey(j.params);
    const seen = out.get(k);
    if (seen) seen.runs.push(...j.runs);
    else out.set(k, { ...j, runs: [...j.runs] });
  }
  return out;
}

const measured = (r: CompareRun): boolean => !r.jobError && r.ok > 0;

/** Why a side has nothing to compare, or what was left out of it. */
function sideNotes(side: 'A' | 'B', runs: CompareRun[]): string[] {
  const notes: string[] = [];
  const many = runs.length > 1;
  for (const r of runs) {
    const which = many ? `${side} repeat ${r.repeatIndex}` : side;
    if (r.jobError) notes.push(`${which}: job failed (${r.jobError}), left out`);
    else if (r.ok === 0) notes.push(`${which}: every request failed (${r.errors} errors${r.topError ? `, most often "${r.topError}"` : ''}), left out`);
    else if (r.valid === false) notes.push(`${which}: invalid run (${r.invalidReasons.join('; ') || 'run rules unmet'}), compared but not a valid measurement`);
  }
  return notes;
}

function judge(metric: Metric, change: Estimate): Judgement {
  if (change.lo === null || change.hi === null) return 'no interval';
  const up = change.lo > 0;
  const down = change.hi < 0;
  if (!up && !down) return 'no significant change';
  // More throughput is better; more latency is worse.
  return (metric === 'throughput') === up ? 'better' : 'worse';
}

function estimate(value: number | null, replicates: number[], confidence: number): Estimate {
  if (value === null || !replicates.length) return { value, lo: null, hi: null };
  const [lo, hi] = interval(replicates, confidence);
  return { value, lo, hi };
}

function compareMetric(metric: Metric, a: CompareRun[], b: CompareRun[], opts: CompareOptions, seed: number): MetricComparison {
  // Independent streams for A and B, fixed by the seed, the job and the metric: the same inputs give the same output.
  const ua = seededUniform(seed * 8 + 2 * METRICS.indexOf(metric));
  const ub = seededUniform(seed * 8 + 2 * METRICS.indexOf(metric) + 1);
  let av: number | null;
  let bv: number | null;
  let ar: number[];
  let br: number[];
  if (metric === 'throughput') {
    const tp = (runs: CompareRun[]): ThroughputSample[] => runs.map((r) => ({ value: r.inferencesPerS, windows: r.windows }));
    const mean = (runs: CompareRun[]): number => runs.reduce((s, r) => s + r.inferencesPerS, 0) / runs.length;
    av = mean(a);
    bv = mean(b);
    ar = throughputReplicates(tp(a), opts.resamples, ua);
    br = throughputReplicates(tp(b), opts.resamples, ub);
  } else {
    const p = PERCENTILE[metric];
    const pooled = (runs: CompareRun[]): Sample => pool(runs.map((r) => r.latency));
    av = percentile(pooled(a), p);
    bv = percentile(pooled(b), p);
    ar = percentileReplicates(a.map((r) => r.latency), p, opts.resamples, ua);
    br = percentileReplicates(b.map((r) => r.latency), p, opts.resamples, ub);
  }
  const ratio = av !== null && bv !== null && av > 0 ? bv / av - 1 : null;
  const both = ar.length && br.length;
  const change = both && ratio !== null ? estimate(ratio, ar.map((x, i) => (x > 0 ? br[i] / x - 1 : NaN)).filter(Number.isFinite), opts.confidence) : { value: ratio, lo: null, hi: null };
  return { metric, a: estimate(av, ar, opts.confidence), b: estimate(bv, br, opts.confidence), change, judgement: judge(metric, change) };
}

/** Repeats pooled into one histogram. */
export function pool(samples: readonly Sample[]): Sample {
  const byValue = new Map<number, number>();
  for (const s of samples) s.values.forEach((v, i) => byValue.set(v, (byValue.get(v) ?? 0) + s.counts[i]));
  const values = [...byValue.keys()].sort((x, y) => x - y);
  return { values, counts: values.map((v) => byValue.get(v) as number) };
}

export function compareJob(a: SideJob, b: SideJob, opts: CompareOptions, seed: number): JobComparison {
  const base = { params: a.params, jobIndexA: a.jobIndex, jobIndexB: b.jobIndex, repeatsA: a.runs.length, repeatsB: b.runs.length };
  const notes = [...sideNotes('A', a.runs), ...sideNotes('B', b.runs)];
  const ma = a.runs.filter(measured);
  const mb = b.runs.filter(measured);
  const invalid = [...ma, ...mb].some((r) => r.valid === false);
  if (!ma.length || !mb.length) {
    const missing = [!ma.length && 'A', !mb.length && 'B'].filter(Boolean).join(' and ');
    notes.push(`nothing measured in ${missing}: not compared`);
    return { ...base, verdict: 'not comparable', notes, invalid, brokenInB: ma.length > 0 && !mb.length, metrics: [] };
  }
  const metrics = METRICS.map((m) => compareMetric(m, ma, mb, opts, seed));
  const worse = metrics.some((m) => m.judgement === 'worse');
  const better = metrics.some((m) => m.judgement === 'better');
  const verdict: Verdict = worse && better ? 'mixed' : worse ? 'slower' : better ? 'faster' : 'no significant change';
  for (const m of metrics) if (m.judgement === 'no interval') notes.push(`${METRIC_LABEL[m.metric]}: too few windows or requests for an interval, not judged`);
  if (invalid) notes.push('a compared run is invalid: read this verdict with care');
  return { ...base, verdict, notes, invalid, brokenInB: false, metrics };
}

/** Every leaf of a JSON value as path → value. */
function leaves(v: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  } else if (path) out.set(path, v);
  return out;
}

/** Config paths that differ between A and B, the swept ones (matched job by job) and the name left out. */
export function configDiff(a: unknown, b: unknown, swept: Set<string>): { path: string; a: unknown; b: unknown }[] {
  const la = leaves(a, '', new Map());
  const lb = leaves(b, '', new Map());
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  const skip = (p: string): boolean => p === 'name' || p.startsWith('sweep.') || swept.has(p) || [...swept].some((s) => p.startsWith(`${s}.`));
  return paths
    .filter((p) => !skip(p) && JSON.stringify(la.get(p)) !== JSON.stringify(lb.get(p)))
    .map((p) => ({ path: p, a: la.get(p) ?? null, b: lb.get(p) ?? null }));
}

export function compareSweeps(a: SideSweep, b: SideSweep, opts: CompareOptions = DEFAULT_OPTIONS): Comparison {
  const ja = byParams(a.jobs);
  const jb = byParams(b.jobs);
  const matched: JobComparison[] = [];
  let i = 0;
  for (const [k, job] of ja) {
    const other = jb.get(k);
    if (other) matched.push(compareJob(job, other, opts, opts.seed * 7919 + i++));
  }
  const swept = new Set([...a.jobs, ...b.jobs].flatMap((j) => Object.keys(j.params)));
  return {
    a: { sweepId: a.sweepId, name: a.name, startedAt: a.startedAt },
    b: { sweepId: b.sweepId, name: b.name, startedAt: b.startedAt },
    options: opts,
    configDiff: configDiff(a.config, b.config, swept),
    matched,
    onlyInA: [...ja].filter(([k]) => !jb.has(k)).map(([, j]) => j.params),
    onlyInB: [...jb].filter(([k]) => !ja.has(k)).map(([, j]) => j.params),
  };
}

export interface GateResult {
  thresholdPct: number;
  metrics: Metric[];
  /** Jobs significantly worse by more than the threshold on a gated metric, or broken in B. */
  regressions: { params: Record<string, unknown>; reason: string }[];
}

/**
 * `--fail-on-regression PCT`: a matched job regresses when a gated metric (by default throughput and p99) is
 * judged worse (its interval excludes no change) and its point change is worse by more than PCT percent —
 * throughput down, a percentile up — or when B failed outright where A measured.
 */
export function gate(c: Comparison, thresholdPct: number, metrics: readonly Metric[] = DEFAULT_GATED): GateResult {
  const regressions: GateResult['regressions'] = [];
  for (const j of c.matched) {
    if (j.brokenInB) regressions.push({ params: j.params, reason: 'B measured nothing where A did' });
    for (const m of j.metrics) {
      if (!metrics.includes(m.metric) || m.judgement !== 'worse' || m.change.value === null) continue;
      const worsePct = (m.metric === 'throughput' ? -m.change.value : m.change.value) * 100;
      if (worsePct > thresholdPct) regressions.push({ params: j.params, reason: `${METRIC_LABEL[m.metric]} ${signedPct(m.change.value)}` });
    }
  }
  return { thresholdPct, metrics: [...metrics], regressions };
}

/** +12.3%, −4.0%, +3024%. */
export function signedPct(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  const v = Math.abs(x * 100);
  return `${x >= 0 ? '+' : '−'}${v.toFixed(v >= 100 ? 0 : 1)}%`;
}
