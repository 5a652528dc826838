/**
 * `servebench suggest SWEEP`: fit throughput and p99 over a finished sweep's parameters, say how well the model
 * predicts runs it was not fitted on, and propose the next configurations to measure. Reads the results file only.
 */
import { isMissingDatabase, withDatabase } from '../../analysis/db';
import { evaluateModel, type ErrorStats, type HeldOutError } from '../../analysis/model/evaluate';
import { loadSweepRuns, type SweepRuns } from '../../analysis/model/load';
import { describeExtrapolations } from '../../analysis/model/extrapolation';
import { DEFAULT_COVERAGE } from '../../analysis/model/intervals';
import { suggestNext, type Interval, type SuggestResult } from '../../analysis/model/suggest';
import { UnknownSweepError } from '../../analysis/sweeps';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { cell, renderTable } from '../format';
import { terminalWidth } from '../table-fit';

export interface SuggestCommandOptions {
  db?: string;
  json?: boolean;
  /** Rank the predicted best by prediction alone, extrapolations included. */
  allowExtrapolation?: boolean;
  /** The prediction intervals' coverage, a fraction (default 0.9). */
  coverage?: number;
}

const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;
const num = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : String(Number(x.toPrecision(3))));
const range = (i: Interval): string => `${num(i.value)} (${num(i.low)}–${num(i.high)})`;
/** A parameter value outside the measured range gets a star, explained under the table. */
const STAR = '*';
const paramText = (params: Record<string, unknown>): string => Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');

/** The line the issue asks for: one figure per outcome, over runs the model did not see. */
export function heldOutLine(e: HeldOutError): string {
  return `held-out error (${e.folds}-fold by configuration, ${e.runs} runs): throughput MAPE ${percent(e.inferencesPerS.mape)}, p99 MAPE ${percent(e.p99Ms.mape)}`;
}

function detailLine(e: HeldOutError): string {
  const base = (s: ErrorStats) => percent(s.mape);
  return (
    `  worst run: throughput ${percent(e.inferencesPerS.maxApe)}, p99 ${percent(e.p99Ms.maxApe)}; ` +
    `predicting the training mean instead: throughput MAPE ${base(e.baseline.inferencesPerS)}, p99 MAPE ${base(e.baseline.p99Ms)}`
  );
}

async function load(file: string, sweep: string): Promise<SweepRuns> {
  try {
    return await withDatabase(file, 'read-only', (conn) => loadSweepRuns(conn, sweep));
  } catch (err) {
    const msg = (err as Error).message;
    if (err instanceof UnknownSweepError || isMissingDatabase(err)) throw new CliError(msg, EXIT.invalid);
    throw new CliError(`could not read sweep "${sweep}" from ${file}: ${msg}`, EXIT.failed);
  }
}

function renderText(data: SweepRuns, error: HeldOutError, result: SuggestResult): string {
  const keys = Object.keys(data.runs[0].params);
  const out = [heldOutLine(error), detailLine(error)];
  const state = data.status === 'completed' ? '' : `, ${data.status}: fitted on the runs so far`;
  const lambda = result.lambda ? ` (ridge λ ${result.lambda.inferencesPerS} throughput, ${result.lambda.p99Ms} p99)` : '';
  out.push(`sweep ${data.name} (${data.sweepId}${state}): ${error.configurations} configurations of ${keys.join(', ')}; ${result.features.length} features${lambda}`);
  if (data.skipped) out.push(`  ${data.skipped} run${data.skipped === 1 ? '' : 's'} left out: no positive throughput or p99`);
  const best = result.bestMeasured;
  const measured = best ? `best measured ${num(best.inferencesPerS)} inferences/s at ${paramText(best.params)} (p99 ${num(best.p99Ms)} ms)` : 'no measured configuration met it';
  out.push(data.sloP99Ms === null ? `no p99 SLO: the best is the highest throughput; ${measured}` : `SLO p99 ≤ ${data.sloP99Ms} ms; ${measured}`);
  for (const note of result.notes) out.push(note);
  if (!result.suggestions.length) return out.join('\n') + '\n';
  const cal = result.intervals!;
  out.push(
    `\nsuggestions from ${result.candidates} unmeasured candidates: predicted value (${Math.round(cal.coverage * 100)}% prediction interval for one run, ` +
      `conformal, calibrated on ${cal.runs} held-out runs):`,
  );
  // The why of each is in its sweep block's comment below: in a column it would crowd a narrow terminal.
  const columns = ['#', 'kind', ...keys, 'inferences/s', 'p99 ms'];
  const rows = result.suggestions.map((s, i) => {
    const params = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, s.extrapolated.some((e) => e.key === k) ? `${cell(v)} ${STAR}` : v]));
    return { '#': i + 1, kind: s.kind === 'best' ? 'best' : 'explore', ...params, 'inferences/s': range(s.inferencesPerS), 'p99 ms': range(s.p99Ms) };
  });
  out.push(renderTable(columns, rows, { width: terminalWidth() }));
  const beyond = new Map(result.suggestions.flatMap((s) => s.extrapolated).map((e) => [e.key, e.measured]));
  if (beyond.size) {
    const ranges = [...beyond].map(([k, [lo, hi]]) => `${k} measured ${lo}–${hi}`).join('; ');
    out.push(`${STAR} outside the measured range (an extrapolation): ${ranges}`);
  }
  out.push("\nwhy each, and how to measure it: use its block as the config's sweep");
  result.suggestions.forEach((s, i) => {
    const beyondNote = s.extrapolated.length ? `; extrapolation: ${describeExtrapolations(s.extrapolated)}` : '';
    out.push(`# ${i + 1}. ${s.reason}${beyondNote}\n${s.yaml}`);
  });
  return out.join('\n') + '\n';
}

export async function suggestCommand(sweep: string, opts: SuggestCommandOptions): Promise<number> {
  const coverage = opts.coverage ?? DEFAULT_COVERAGE;
  if (!(coverage > 0 && coverage < 1)) throw new CliError(`--coverage must be a fraction between 0 and 1 (e.g. 0.9), got ${opts.coverage}`, EXIT.invalid);
  const file = opts.db ?? resultsFile();
  const data = await load(file, sweep);
  const head = { sweep: { id: data.sweepId, name: data.name, status: data.status }, sloP99Ms: data.sloP99Ms, runs: data.runs.length, skippedRuns: data.skipped };
  const evaluation = evaluateModel(data.runs);
  if (!evaluation.fitted) {
    // Not an error: the sweep is valid, just too small to say anything; the user should sweep more.
    if (opts.json) process.stdout.write(JSON.stringify({ ...head, configurations: evaluation.configurations, tooSmall: evaluation.reason }, null, 2) + '\n');
    else process.stdout.write(`${evaluation.reason}\n`);
    return EXIT.ok;
  }
  const result = suggestNext(data.runs, { sloP99Ms: data.sloP99Ms, scores: evaluation.scores, coverage, allowExtrapolation: opts.allowExtrapolation });
  if (opts.json) {
    const { error } = evaluation;
    const { features, lambda, ...rest } = result;
    process.stdout.write(JSON.stringify({ ...head, configurations: error.configurations, heldOutError: error, model: { features, lambda }, ...rest }, null, 2) + '\n');
  } else process.stdout.write(renderText(data, evaluation.error, result));
  return EXIT.ok;
}
