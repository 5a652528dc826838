/**
 * `servebench compare A B`: sweep B against baseline A, job by job (matched by swept parameters), with bootstrap
 * confidence intervals from the stored latency histograms and window throughputs; `--fail-on-regression PCT`
 * makes it a CI gate. Reads the results file only.
 */
import Table from 'cli-table3';
import { isMissingDatabase } from '../../analysis/db';
import { DEFAULT_GATED, DEFAULT_OPTIONS, gate, METRICS, type CompareOptions, type Comparison, type GateResult, type Metric, type MetricComparison } from '../../analysis/compare/compare';
import { loadComparison } from '../../analysis/compare/load';
import { renderComparisonMarkdown } from '../../analysis/compare/markdown';
import { changeWithInterval, comparedKeys, confidenceText, footnotes, headline, jobLabel, metricLabel, valueWithSpread, verdictText, VERDICT_RULE, gatedText, wrap } from '../../analysis/compare/text';
import { UnknownSweepError } from '../../analysis/sweeps';
import { ConfigError } from '../../configs/errors';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';

export interface CompareCommandOptions {
  db?: string;
  /** The results file A is read from; default the same as B's. */
  baselineDb?: string;
  json?: boolean;
  markdown?: boolean;
  confidence?: string;
  failOnRegression?: string;
  /** Metrics the gate looks at, comma-separated. */
  gate?: string;
  resamples?: string;
  seed?: string;
}

/** 95 or 0.95 → 0.95; anything outside (0, 1) is bad input. */
export function parseConfidence(text: string | undefined): number {
  if (text === undefined) return DEFAULT_OPTIONS.confidence;
  const n = Number(text);
  const level = n >= 1 ? n / 100 : n;
  if (!Number.isFinite(n) || !(level > 0 && level < 1)) throw new CliError(`--confidence: expected a level such as 95 or 0.95, got "${text}"`, EXIT.invalid);
  return level;
}

function parseNumber(flag: string, text: string | undefined, fallback: number, ok: (n: number) => boolean, expected: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new CliError(`${flag}: expected ${expected}, got "${text}"`, EXIT.invalid);
  return n;
}

/** Short words for the table's narrow columns (the JSON and Markdown keep the full ones). */
const SHORT: Record<string, string> = { 'no significant change': 'no change', 'no interval': 'no CI' };
const short = (text: string): string => SHORT[text] ?? text;

/** Width of the text around the table: a terminal's, within reason. */
const WIDTH = Math.max(60, Math.min(process.stdout.columns || 100, 120));

/** "throughput,p50" → the metrics --fail-on-regression looks at (default throughput and p99). */
export function parseGate(text: string | undefined): Metric[] {
  if (text === undefined) return [...DEFAULT_GATED];
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(METRICS as readonly string[]).includes(n));
  if (!names.length || bad.length) throw new CliError(`--gate: expected metrics among ${METRICS.join(', ')} (comma-separated), got "${text}"`, EXIT.invalid);
  return names as Metric[];
}

export function renderComparisonTable(c: Comparison): string {
  const keys = comparedKeys(c);
  const conf = confidenceText(c);
  // One row per job, its metrics as lines within the cells: rules separate jobs, not metrics.
  const table = new Table({ head: ['configuration', 'metric', 'A', 'B', `change [${conf} CI]`, 'judged'], style: { head: [], border: [] } });
  for (const j of c.matched) {
    const label = `${jobLabel(j.params, keys)}\n→ ${verdictText(j, short)}`;
    const lines = (f: (m: MetricComparison) => string): string => (j.metrics.length ? j.metrics.map(f).join('\n') : '–');
    table.push([
      label,
      lines(metricLabel),
      lines((m) => valueWithSpread(m.a)),
      lines((m) => valueWithSpread(m.b)),
      lines((m) => changeWithInterval(m.change)),
      lines((m) => short(m.judgement)),
    ]);
  }
  const out = [wrap(headline(c), WIDTH)];
  if (c.matched.length) out.push(table.toString());
  else out.push('No job of B has the parameters of a job of A: nothing to compare.');
  out.push(...footnotes(c).map((f) => wrap(f, WIDTH, '  ')));
  if (c.matched.some((j) => j.metrics.length)) out.push(wrap(`A, B: value ±half-width of its ${conf} interval. ${VERDICT_RULE}`, WIDTH));
  return out.join('\n');
}

function gateText(g: GateResult, keys: string[]): string {
  if (!g.regressions.length) return `regression gate passed: no job significantly worse by more than ${g.thresholdPct}% on ${gatedText(g)}`;
  return [`regression gate failed: worse by more than ${g.thresholdPct}% on ${gatedText(g)}:`, ...g.regressions.map((r) => `  ${jobLabel(r.params, keys)}: ${r.reason}`)].join('\n');
}

export async function compareCommand(a: string, b: string, opts: CompareCommandOptions): Promise<number> {
  const options: CompareOptions = {
    confidence: parseConfidence(opts.confidence),
    resamples: parseNumber('--resamples', opts.resamples, DEFAULT_OPTIONS.resamples, (n) => Number.isInteger(n) && n >= 100 && n <= 100_000, 'a whole number from 100 to 100000'),
    seed: parseNumber('--seed', opts.seed, DEFAULT_OPTIONS.seed, Number.isInteger, 'a whole number'),
  };
  const threshold = opts.failOnRegression === undefined ? null : parseNumber('--fail-on-regression', opts.failOnRegression, 0, (n) => n >= 0, 'a percentage >= 0, e.g. 5');
  const gatedMetrics = parseGate(opts.gate);
  if (opts.gate !== undefined && threshold === null) throw new CliError('--gate: only with --fail-on-regression PCT', EXIT.invalid);
  if (opts.json && opts.markdown) throw new CliError('--json and --markdown: choose one', EXIT.invalid);
  const file = opts.db ?? resultsFile();
  let c: Comparison;
  try {
    c = await loadComparison(file, a, b, options, opts.baselineDb);
  } catch (err) {
    const msg = (err as Error).message;
    if (err instanceof UnknownSweepError || err instanceof ConfigError || isMissingDatabase(err)) throw new CliError(msg, EXIT.invalid);
    throw new CliError(`compare failed on ${[opts.baselineDb, file].filter(Boolean).join(' and ')}: ${msg.split('\n')[0]}`, EXIT.failed);
  }
  const g = threshold === null ? undefined : gate(c, threshold, gatedMetrics);
  if (opts.json) process.stdout.write(JSON.stringify(g ? { ...c, gate: g } : c, null, 2) + '\n');
  else if (opts.markdown) process.stdout.write(renderComparisonMarkdown(c, g));
  else process.stdout.write(renderComparisonTable(c) + '\n' + (g ? gateText(g, comparedKeys(c)) + '\n' : ''));
  if (g?.regressions.length) {
    if (opts.json || opts.markdown) process.stderr.write(gateText(g, comparedKeys(c)) + '\n');
    return EXIT.regression;
  }
  return EXIT.ok;
}
