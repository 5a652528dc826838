/**
 * Run rules in the manner of MLPerf LoadGen, pure (no I/O, no clock): when a measured window may end, and
 * whether the finished run is a measurement to trust (a verdict with its reasons in words).
 *
 * - A run lasts at least minDuration AND until minQueries have completed, and at most maxDuration.
 * - earlyStopping: also until enough successful queries to bound the chosen percentile at 99% confidence
 *   (LoadGen's binomial rule, see early-stopping.ts): 64 for p90, 662 for p99, 6636 for p99.9; of the latency, or
 *   for LLM serving of TTFT or TPOT (metric), counted in samples of that metric.
 * - stability (perf_analyzer style): also until the last N windows agree within ±tolerance of their mean, in
 *   throughput and in p99 latency.
 * Past maxDuration the run stops whatever is unmet, and the verdict names what was.
 */
import { EARLY_STOPPING_METRICS, EARLY_STOPPING_PERCENTILES, type EarlyStoppingPercentile } from '../../configs/defaults';
import type { EarlyStoppingRule, RunSettings, StabilityRule } from '../../configs/settings';
import { earlyStoppingMinQueries } from './early-stopping';
import type { ErrorCount } from './stats';

export type { EarlyStoppingPercentile, StabilityRule };

export interface RunRules {
  minDurationMs: number;
  minQueries: number;
  maxDurationMs: number;
  earlyStopping: EarlyStoppingRule | null;
  stability: StabilityRule | null;
}

/** The settings the rules are made of, resolved (configs/settings.ts): the rules default nothing. */
export type RunRulesInput = Pick<RunSettings, 'durationMs' | 'minQueries' | 'maxDurationMs' | 'earlyStopping' | 'stability'>;
/** Open loop: the send lag p99 a sender may show before it counts as behind, at the least. */
export const MIN_LAG_LIMIT_MS = 1;
/** ...or this fraction of the mean inter-arrival gap, whichever is larger. */
export const LAG_LIMIT_GAP_FRACTION = 0.05;
/** Open loop: achieved rate below this fraction of the scheduled rate is a shortfall. */
export const RATE_SHORTFALL = 0.99;
/** The load generator is one JavaScript thread: at this CPU (% of one core) it delays sends and completions. */
export const LOADGEN_CPU_LIMIT_PCT = 90;
/**
 * Open loop: the server kept up when the requests completed within the window fall short of those sent in it
 * by no more than this fraction of them, or SATURATION_MIN_SLACK requests (a short run's queue at its end),
 * or one burst: what is in flight at the end of a healthy run, less what warm-up left in flight at its start.
 */
export const SATURATION_SHORTFALL = 0.05;
export const SATURATION_MIN_SLACK = 10;
/** Open loop: latency grew through the run when the last third of its windows has a median p50 this many times the first third's... */
export const LATENCY_GROWTH_FACTOR = 1.5;
/** ...and at least this many ms more (sub-millisecond latencies double on a noisy host without a queue)... */
export const LATENCY_GROWTH_MIN_MS = 5;
/**
 * ...and the windows' p50 rises steadily (Kendall's tau with time at least this): a building queue grows
 * window after window, while another process stealing the CPU for a few seconds makes a bump that falls again.
 */
export const LATENCY_TREND_TAU = 0.6;

/** The rules of resolved settings, checked; throws RangeError on nonsense. */
export function rulesOf(input: RunRulesInput): RunRules {
  const { durationMs, minQueries, maxDurationMs: max, earlyStopping: es, stability: st } = input;
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) throw new RangeError(`durationMs must be a positive number, got ${durationMs}`);
  if (!Number.isInteger(minQueries) || minQueries < 0) throw new RangeError(`minQueries must be an integer >= 0, got ${minQueries}`);
  if (!(max >= durationMs) || !Number.isFinite(max)) throw new RangeError(`maxDurationMs must be >= durationMs (${durationMs}), got ${max}`);
  if (es && !(EARLY_STOPPING_PERCENTILES as readonly number[]).includes(es.percentile)) {
    throw new RangeError(`earlyStopping.percentile must be one of ${EARLY_STOPPING_PERCENTILES.join(', ')}, got ${es.percentile}`);
  }
  if (es && !(EARLY_STOPPING_METRICS as readonly string[]).includes(es.metric)) {
    throw new RangeError(`earlyStopping.metric must be one of ${EARLY_STOPPING_METRICS.join(', ')}, got ${String(es.metric)}`);
  }
  if (st && !(Number.isInteger(st.windows) && st.windows >= 2 && st.tolerance > 0 && st.windowMs > 0)) {
    throw new RangeError(`stability needs windows >= 2, tolerance > 0 and windowMs > 0, got ${JSON.stringify(st)}`);
  }
  return { minDurationMs: durationMs, minQueries, maxDurationMs: max, earlyStopping: es, stability: st };
}

/** Successful queries early stopping needs, or 0 without it. */
export function earlyStoppingNeeds(rules: RunRules): number {
  if (!rules.earlyStopping) return 0;
  const { percentile } = rules.earlyStopping;
  let n = needsCache.get(percentile);
  if (n === undefined) needsCache.set(percentile, (n = earlyStoppingMinQueries(percentile / 100)));
  return n;
}
/** shouldStop runs before every send; the binomial search behind a percentile's floor runs once. */
const needsCache = new Map<number, number>();

export interface WindowSample {
  /** Start of the window, ms from the start of the measured window. */
  startMs: number;
  /** Successful completions in the window, per second. */
  throughput: number;
  /** p50 latency of those completions, ms (0 when none). */
  p50Ms: number;
  /** p99 latency of those completions, ms (0 when none). */
  p99Ms: number;
}

/** Where a run stands while it runs. */
export interface RunProgress {
  /** ms since the measured window opened. */
  elapsedMs: number;
  /** Measured queries completed, ok or not. */
  queries: number;
  /** Measured queries completed successfully (the latencies early stopping counts). */
  ok: number;
  /** Early stopping on TTFT or TPOT: that metric's samples (in place of `ok`). */
  earlyStoppingSamples?: number;
  /** Full windows so far. */
  windows: readonly WindowSample[];
}

/** Rules still unmet (as verdict reasons), leaving maxDuration aside. Empty = the run may stop. */
export function unmetRules(p: RunProgress, rules: RunRules): string[] {
  const out: string[] = [];
  if (p.elapsedMs < rules.minDurationMs) out.push(`ran ${seconds(p.elapsedMs, 1)}, minDuration ${seconds(rules.minDurationMs)}`);
  if (p.queries < rules.minQueries) out.push(`${count(p.queries)} queries, minQueries ${count(rules.minQueries)}`);
  const needs = earlyStoppingNeeds(rules);
  const samples = p.earlyStoppingSamples ?? p.ok;
  if (samples < needs) {
    const { percentile, metric } = rules.earlyStopping!;
    out.push(
      metric === 'latency'
        ? `${count(samples)} queries, ${pLabel(percentile)} needs ${count(needs)}`
        : `${count(samples)} ${metric.toUpperCase()} samples, ${pLabel(percentile)} ${metric.toUpperCase()} needs ${count(needs)}`,
    );
  }
  if (rules.stability) out.push(...stabilityIssues(p.windows, rules.stability));
  return out;
}

/** Whether the measured window may end now: every rule met, or maxDuration reached. */
export function shouldStop(p: RunProgress, rules: RunRules): boolean {
  if (p.elapsedMs >= rules.maxDurationMs) return true;
  // Cheap checks first: this runs before every send once minDuration has passed.
  if (p.elapsedMs < rules.minDurationMs || p.queries < rules.minQueries || (p.earlyStoppingSamples ?? p.ok) < earlyStoppingNeeds(rules)) return false;
  return !rules.stability || stabilityIssues(p.windows, rules.stability).length === 0;
}

/**
 * perf_analyzer's test: each of the last N windows within ±tolerance of their mean, in throughput and in
 * p99 latency. Returns the failures in words; empty = stable.
 */
export function stabilityIssues(windows: readonly WindowSample[], rule: StabilityRule): string[] {
  if (windows.length < rule.windows) return [`not stable: ${windows.length} of ${rule.windows} windows measured`];
  const last = windows.slice(-rule.windows);
  const out: string[] = [];
  for (const [what, values] of [
    ['throughput', last.map((w) => w.throughput)],
    ['p99 latency', last.map((w) => w.p99Ms)],
  ] as const) {
    const spread = spreadOf(values);
    if (!(spread <= rule.tolerance)) {
      out.push(`not stable: ${what} varied ${Number.isFinite(spread) ? `${Math.round(spread * 100)}%` : 'from nothing'} over the last ${rule.windows} windows`);
    }
  }
  return out;
}

/** Largest |v − mean| / mean; Infinity when the mean is 0 (nothing measured is not stable). */
function spreadOf(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (!(mean > 0)) return Infinity;
  return Math.max(...values.map((v) => Math.abs(v - mean))) / mean;
}

/** What a finished run measured. */
export interface RunFacts {
  /** Length of the measured window, ms (RunProgress.elapsedMs at the end). */
  measuredMs: number;
  queries: number;
  ok: number;
  errors: number;
  /** Open loop: the configured rate; null in closed loop. */
  targetRate: number | null;
  /** Open loop: the rate the (random) schedule held within the window; defaults to targetRate. */
  scheduledRate?: number | null;
  /** Measured requests sent per second. */
  achievedRate: number;
  /** Measured requests sent (open loop: by scheduled time in the window). */
  sent?: number;
  /** Requests of any kind (warm-up ones included) that completed, ok or not, within the window. */
  completedInWindow?: number;
  /** burst mode: requests sent at once (one burst may be in flight at the end of a healthy run). */
  burstSize?: number;
  /** Error messages with their counts, most frequent first (for the reason in words). */
  errorCounts?: readonly ErrorCount[];
  /** Open loop: send lag p99, ms; null in closed loop. */
  sendLagP99Ms: number | null;
  /** CPU of the load generator process over the window, % of one core, if measured. */
  loadgenCpuPct?: number | null;
  windows: readonly WindowSample[];
  /** The run was interrupted (cancelled, shut down). */
  aborted?: boolean;
  /** Early stopping on TTFT or TPOT: that metric's samples. */
  earlyStoppingSamples?: number;
  /** LLM serving: successful replies that ended early (no [DONE] nor finish_reason, or short of max_tokens with ignore_eos), of how many. */
  truncated?: { count: number; requests: number; sample: string | null };
}

export interface Verdict {
  valid: boolean;
  /** Why not, in words; empty when valid. */
  reasons: string[];
}

/**
 * The verdict on a finished run. Besides the run rules:
 * - open loop, the sender fell behind when BOTH its send lag p99 exceeds max(1 ms, 5% of the mean gap
 *   between arrivals) AND it achieved under 99% of the scheduled rate: lag alone may be a blip (a GC pause),
 *   a shortfall alone a single stall at the very end; together the offered load was not what was asked,
 *   and latencies (counted from the schedule) carry the sender's delay;
 * - the load generator near a full core (>= 90% of one) was the bottleneck, not the server;
 * - any error, or no query at all, makes the numbers describe something else than the served model;
 * - LLM serving: any truncated stream (see RunFacts.truncated).
 */
export function judgeRun(facts: RunFacts, rules: RunRules): Verdict {
  const reasons: string[] = [];
  if (facts.aborted) reasons.push(`interrupted after ${seconds(facts.measuredMs, 1)}`);
  const unmet = unmetRules(
    { elapsedMs: facts.measuredMs, queries: facts.queries, ok: facts.ok, earlyStoppingSamples: facts.earlyStoppingSamples, windows: facts.windows },
    rules,
  );
  if (unmet.length > 0 && !facts.aborted && facts.measuredMs >= rules.maxDurationMs) {
    reasons.push(`stopped at maxDuration ${seconds(rules.maxDurationMs)} before the rules were met`);
  }
  reasons.push(...unmet);
  if (facts.targetRate !== null && facts.targetRate > 0) {
    reasons.push(...senderIssues(facts, facts.targetRate));
    const saturated = saturationIssue(facts, facts.targetRate);
    if (saturated) reasons.push(saturated);
  }
  if (facts.loadgenCpuPct != null && facts.loadgenCpuPct >= LOADGEN_CPU_LIMIT_PCT) {
    reasons.push(`load generator saturated: CPU ${Math.round(facts.loadgenCpuPct)}% of one core`);
  }
  if (facts.errors > 0) reasons.push(describeErrors(facts.ok, facts.errors, facts.errorCounts ?? []));
  else if (facts.queries === 0) reasons.push('no queries completed');
  const cut = facts.truncated;
  // An LLM reply shorter than asked measures a different load (fewer tokens, shorter E2E) than the one configured.
  if (cut && cut.count > 0) reasons.push(`${count(cut.count)} of ${count(cut.requests)} streams ended early${cut.sample ? `: ${cut.sample}` : ''}`);
  return { valid: reasons.length === 0, reasons };
}

/**
 * Open loop: a server that cannot carry the offered load completes fewer requests than are sent, and its queue
 * (so latency) grows through the run. Either is saturation: the run then measures the queue, not the server,
 * and its throughput is the server's capacity, not the offered rate. Null when neither holds.
 */
export function saturationIssue(facts: RunFacts, targetRate: number): string | null {
  const parts: string[] = [];
  const { sent, completedInWindow: done } = facts;
  if (sent !== undefined && done !== undefined && facts.measuredMs > 0) {
    const slack = Math.max(SATURATION_MIN_SLACK, SATURATION_SHORTFALL * sent, facts.burstSize ?? 0);
    if (sent - done > slack) {
      const offered = facts.scheduledRate ?? targetRate;
      parts.push(`${rate((done * 1000) / facts.measuredMs)} of ${rate(offered)} req/s completed`);
    }
  }
  const growth = latencyGrowth(facts.windows);
  if (growth) parts.push(`latency grew through the run (p50 ${ms(growth.p50[0])} → ${ms(growth.p50[1])}, p99 ${ms(growth.p99[0])} → ${ms(growth.p99[1])})`);
  return parts.length ? `server saturated: ${parts.join('; ')}` : null;
}

/**
 * Whether latency grew through the run: the median p50 of the last third of its windows well above the first
 * third's, on a steady rise (windows without a completion are left out: a burst schedule leaves some empty).
 * Null when it did not, or with fewer than 3 windows to judge by.
 */
export function latencyGrowth(windows: readonly WindowSample[]): { p50: [number, number]; p99: [number, number] } | null {
  const w = windows.filter((x) => x.throughput > 0);
  if (w.length < 3) return null;
  const k = Math.floor(w.length / 3);
  const first = w.slice(0, k);
  const last = w.slice(w.length - k);
  const p50: [number, number] = [median(first.map((x) => x.p50Ms)), median(last.map((x) => x.p50Ms))];
  if (!(p50[1] > LATENCY_GROWTH_FACTOR * p50[0] && p50[1] - p50[0] > LATENCY_GROWTH_MIN_MS)) return null;
  if (kendallTau(w.map((x) => x.p50Ms)) < LATENCY_TREND_TAU) return null;
  return { p50, p99: [median(first.map((x) => x.p99Ms)), median(last.map((x) => x.p99Ms))] };
}

/**
 * The errors in words, naming the most frequent one: `all 7,349 requests timed out after 10 s`,
 * `all 12 requests failed: HTTP 500: boom`, `3 errors: HTTP 500: boom`, `40 errors, most (31): timed out after 2 s`.
 */
export function describeErrors(ok: number, errors: number, counts: readonly ErrorCount[]): string {
  const top = counts[0];
  if (ok === 0) {
    const all = `all ${count(errors)} ${errors === 1 ? 'request' : 'requests'}`;
    if (!top) return `${all} failed`;
    if (top.count === errors) return /^timed out /.test(top.message) ? `${all} ${top.message}` : `${all} failed: ${top.message}`;
    return `${all} failed; most (${count(top.count)}): ${top.message}`;
  }
  const n = `${count(errors)} ${errors === 1 ? 'error' : 'errors'}`;
  if (!top) return n;
  return top.count === errors ? `${n}: ${top.message}` : `${n}, most (${count(top.count)}): ${top.message}`;
}

/** Kendall's rank correlation of `values` with their order: 1 = always rising, 0 = no trend. */
export function kendallTau(values: readonly number[]): number {
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      if (values[j] > values[i]) concordant++;
      else if (values[j] < values[i]) discordant++;
    }
  }
  const pairs = (values.length * (values.length - 1)) / 2;
  return pairs ? (concordant - discordant) / pairs : 0;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "850 µs", "12.3 ms", "2.6 s". */
function ms(v: number): string {
  if (v < 1) return `${Math.round(v * 1000)} µs`;
  return v < 1000 ? `${oneDecimal.format(v)} ms` : `${oneDecimal.format(v / 1000)} s`;
}

function senderIssues(facts: RunFacts, targetRate: number): string[] {
  const lag = facts.sendLagP99Ms;
  const lagLimit = Math.max(MIN_LAG_LIMIT_MS, (LAG_LIMIT_GAP_FRACTION * 1000) / targetRate);
  const expected = facts.scheduledRate ?? targetRate;
  const short = facts.achievedRate < RATE_SHORTFALL * expected;
  if (lag === null || !(lag > lagLimit) || !short) return [];
  return [`achieved ${rate(facts.achievedRate)} of ${rate(expected)} req/s`, `load generator fell behind: send lag p99 ${lag.toFixed(1)} ms`];
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const asWritten = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

function count(n: number): string {
  return grouped.format(n);
}

function rate(r: number): string {
  return (r >= 100 ? grouped : oneDecimal).format(r);
}

/** "10.0 s" for measured times (digits fixed), "12 s" / "1.5 s" for configured ones (as written). */
function seconds(ms: number, digits?: number): string {
  return digits === undefined ? `${asWritten.format(ms / 1000)} s` : `${(ms / 1000).toFixed(digits)} s`;
}

function pLabel(percentile: number): string {
  return `p${percentile}`;
}
