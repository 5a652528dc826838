/**
 * The report's "LLM serving" section (HTML and Markdown), present when the sweep has LLM runs: the best
 * configuration, one table row per run (TTFT / ITL / TPOT percentiles, tokens/s, goodput, truncated streams, the
 * LLM SLO and the verdict), why a figure is empty, and the section's plots.
 */
import type { ReportData, RunInfo } from './data';
import { configLabel, formatNumber, formatValue, shortKeys } from './format';
import type { LlmRunInfo } from './llm-data';
import { verdictWord } from './verdicts';

interface LlmRow {
  run: RunInfo;
  llm: LlmRunInfo;
}

/** The sweep's LLM runs with their ordinary run (verdict, E2E, params), in the runs' order. */
export function llmRows(data: ReportData): LlmRow[] {
  const byRun = new Map((data.llm?.runs ?? []).map((l) => [l.runId, l]));
  return data.runs.filter((r) => byRun.has(r.runId)).map((run) => ({ run, llm: byRun.get(run.runId) as LlmRunInfo }));
}

const hasGoodput = (rows: LlmRow[]): boolean => rows.some((r) => r.llm.goodput !== null);

/** Column heads after the job and parameter columns, and each row's cells as text. */
export function llmTableColumns(rows: LlmRow[]): string[] {
  return [
    'TTFT p50 ms', 'TTFT p90 ms', 'TTFT p99 ms', 'ITL p50 ms', 'ITL p99 ms', 'TPOT p50 ms', 'TPOT p99 ms', 'E2E p99 ms',
    'in tok/s', 'out tok/s', 'req/s', ...(hasGoodput(rows) ? ['goodput req/s'] : []), 'truncated', 'LLM SLO',
  ];
}

export function llmTableCells(rows: LlmRow[], r: LlmRow): string[] {
  const { llm, run } = r;
  return [
    ...[llm.ttft.p50Ms, llm.ttft.p90Ms, llm.ttft.p99Ms, llm.itl.p50Ms, llm.itl.p99Ms, llm.tpot.p50Ms, llm.tpot.p99Ms, run.p99Ms].map(formatNumber),
    ...[llm.inputTokensPerS, llm.outputTokensPerS, llm.requestsPerS].map(formatNumber),
    ...(hasGoodput(rows) ? [formatNumber(llm.goodput)] : []),
    String(llm.truncated),
    llm.meetsLlmSlo === null ? '–' : llm.meetsLlmSlo ? 'met' : 'missed',
  ];
}

/** The best LLM configuration in words (llm_best_under_slo), or why there is none. */
export function llmBestText(data: ReportData): { found: boolean; text: string } {
  const b = data.llm?.best;
  if (!b) {
    const slo = data.llm?.runs.some((r) => r.slo !== null);
    return { found: false, text: slo ? 'no configuration met the SLO on every repeat as a valid run without errors.' : 'no valid run without errors.' };
  }
  const repeats = b.repeats > 1 ? `, mean of ${b.repeats} repeats` : '';
  const rate = b.rankedBy === 'goodput' ? `goodput ${formatNumber(b.meanGoodput)} req/s, ${formatNumber(b.meanOutputTokensPerS)} output tokens/s` : `${formatNumber(b.meanOutputTokensPerS)} output tokens/s`;
  return { found: true, text: `job ${b.jobIndex} (${configLabel(b.params, data.paramKeys)}): ${rate} at TTFT p99 ${formatNumber(b.worstTtftP99Ms)} ms${repeats}` };
}

/** Notes under the table: why figures are empty, which streams were truncated, the objective. */
export function llmNotes(data: ReportData, rows: LlmRow[]): string[] {
  const job = (r: RunInfo) => `job ${r.jobIndex}${r.repeatIndex ? ` r${r.repeatIndex}` : ''}`;
  const slos = [...new Set(rows.map((r) => r.llm.slo).filter((s): s is string => s !== null))];
  return [
    ...(slos.length ? [`LLM SLO: ${slos.join('; ')} (goodput: requests per second meeting every objective given).`] : []),
    ...rows.filter((r) => r.llm.reason).map((r) => `${job(r.run)}: ${r.llm.reason}.`),
    ...rows.filter((r) => r.llm.truncated > 0).map((r) => `${job(r.run)}: ${r.llm.truncated} truncated stream${r.llm.truncated === 1 ? '' : 's'}${r.llm.truncatedSample ? `, e.g. ${r.llm.truncatedSample}` : ''}.`),
  ];
}

export function llmMarkdown(data: ReportData, escape: (text: string) => string): string[] {
  const rows = llmRows(data);
  if (!rows.length) return [];
  const short = shortKeys(data.paramKeys);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const head = ['job', ...data.paramKeys.map((k) => escape(short.get(k) ?? k)), ...llmTableColumns(rows), 'verdict'];
  const best = llmBestText(data);
  return [
    '## LLM serving',
    '',
    `**Best LLM configuration:** ${best.found ? escape(best.text) : `none (${best.text})`}`,
    '',
    line(head),
    line(head.map(() => '---')),
    ...rows.map((r) =>
      line([
        r.run.repeatIndex ? `${r.run.jobIndex} r${r.run.repeatIndex}` : String(r.run.jobIndex),
        ...data.paramKeys.map((k) => escape(formatValue(r.run.params[k]))),
        ...llmTableCells(rows, r),
        r.run.valid === false ? '**invalid**' : verdictWord(r.run),
      ]),
    ),
    '',
    ...llmNotes(data, rows).map((n) => `- ${escape(n)}`),
    '',
  ];
}
