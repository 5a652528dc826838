/** Words and cells for a comparison, shared by the terminal table, Markdown and the HTML report. */
import { configLabel, formatNumber, formatValue } from '../report/format';
import { METRIC_LABEL, signedPct, type Comparison, type Estimate, type GateResult, type JobComparison, type MetricComparison } from './compare';

/** Swept keys in first-seen order over both sweeps' matched and unmatched jobs. */
export function comparedKeys(c: Comparison): string[] {
  const keys = new Set<string>();
  for (const p of [...c.matched.map((j) => j.params), ...c.onlyInA, ...c.onlyInB]) for (const k of Object.keys(p)) keys.add(k);
  return [...keys];
}

export const jobLabel = (params: Record<string, unknown>, keys: string[]): string => configLabel(params, keys.filter((k) => k in params));

/** "812 ±1.2%": the value and the half-width of its interval relative to it. */
export function valueWithSpread(e: Estimate): string {
  if (e.value === null) return '–';
  if (e.lo === null || e.hi === null || e.value === 0) return formatNumber(e.value);
  const half = Math.max(e.hi - e.value, e.value - e.lo) / Math.abs(e.value);
  return `${formatNumber(e.value)} ±${(half * 100).toFixed(half < 0.1 ? 1 : 0)}%`;
}

/** "812 [805, 820]": the value and its interval. */
export function valueWithInterval(e: Estimate): string {
  if (e.value === null) return '–';
  if (e.lo === null || e.hi === null) return formatNumber(e.value);
  return `${formatNumber(e.value)} [${formatNumber(e.lo)}, ${formatNumber(e.hi)}]`;
}

/** "−50.5% [−52.1, −48.9]": the relative change and its interval, in percent. */
export function changeWithInterval(e: Estimate): string {
  if (e.value === null) return '–';
  if (e.lo === null || e.hi === null) return `${signedPct(e.value)} (no interval)`;
  return `${signedPct(e.value)} [${signedPct(e.lo).replace('%', '')}, ${signedPct(e.hi).replace('%', '')}]`;
}

export const metricLabel = (m: MetricComparison): string => METRIC_LABEL[m.metric];

/** The job's verdict in a few words, with the invalid-run caveat where it applies. */
export function verdictText(j: JobComparison, word: (verdict: string) => string = (v) => v): string {
  return j.invalid && j.verdict !== 'not comparable' ? `${word(j.verdict)} (invalid run)` : word(j.verdict);
}

/** What a verdict means, said once under every rendering. */
export const VERDICT_RULE =
  'A job is slower when a metric is significantly worse (its interval of the change excludes 0) and none better, faster the other way round, mixed when both.';

/** The gated metrics in words: "throughput or p99". */
export const gatedText = (g: GateResult): string => g.metrics.join(' or ');

export const confidenceText = (c: Comparison): string => `${Math.round(c.options.confidence * 1000) / 10}%`;

export function headline(c: Comparison): string {
  const count = (v: string): number => c.matched.filter((j) => j.verdict === v).length;
  return [
    `B ${c.b.name} (${c.b.sweepId}) against baseline A ${c.a.name} (${c.a.sweepId}),`,
    `at ${confidenceText(c)} confidence (bootstrap, ${c.options.resamples} resamples, seed ${c.options.seed}):`,
    `${c.matched.length} matched job${c.matched.length === 1 ? '' : 's'}: ${count('slower')} slower, ${count('faster')} faster, ${count('mixed')} mixed,`,
    `${count('no significant change')} no significant change, ${count('not comparable')} not comparable.`,
  ].join(' ');
}

/** Text broken at spaces into lines of at most `width` characters (a longer word keeps its own line). */
export function wrap(text: string, width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** Lines below the table: config differences, notes per job, unmatched jobs. */
export function footnotes(c: Comparison): string[] {
  const keys = comparedKeys(c);
  const out: string[] = [];
  if (c.configDiff.length) {
    const value = (v: unknown): string => (v === null ? 'unset' : formatValue(v));
    const shown = c.configDiff.slice(0, 8).map((d) => `${d.path}: ${value(d.a)} → ${value(d.b)}`);
    out.push(`B differs from A in: ${shown.join('; ')}${c.configDiff.length > 8 ? `; and ${c.configDiff.length - 8} more` : ''}`);
  }
  for (const j of c.matched) for (const n of j.notes) out.push(`${jobLabel(j.params, keys)}: ${n}`);
  for (const p of c.onlyInA) out.push(`only in A (not compared): ${jobLabel(p, keys)}`);
  for (const p of c.onlyInB) out.push(`only in B (not compared): ${jobLabel(p, keys)}`);
  return out;
}
