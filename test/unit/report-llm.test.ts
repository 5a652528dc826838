/** The report's LLM section, pure parts: the SLO in words, histograms as CDFs, the plots' specs, the table and Markdown. */
import type { ReportData, RunInfo } from '../../analysis/report/data';
import { histogramCdf, llmSloText, type LlmRunInfo } from '../../analysis/report/llm-data';
import { buildLlmPlots, llmParetoPlot, ttftPercentilePlot } from '../../analysis/report/llm-plots';
import { llmBestText, llmMarkdown, llmNotes, llmRows, llmTableCells, llmTableColumns } from '../../analysis/report/llm-section';
import { escapeMarkdown } from '../../analysis/report/markdown';
import { renderSvg } from '../../analysis/report/render';
import { createHistogram, encodeHistogram, recordMs } from '../../activities/loadgen/histogram';

const C = 'workload.concurrency';
const pct = (p50: number | null) => ({ p50Ms: p50, p90Ms: p50 && p50 * 1.5, p95Ms: p50 && p50 * 1.8, p99Ms: p50 && p50 * 2.5, meanMs: p50, maxMs: p50 && p50 * 3 });

function run(i: number, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    runId: `r${i}`, jobIndex: i, repeatIndex: 0, params: { [C]: 2 ** i }, modelName: null, modelParameters: null, modelFlops: null, device: 'cpu',
    mode: 'concurrency', batchSize: 1, throughput: 3 * (i + 1), inferencesPerS: 3 * (i + 1), requests: 100, errors: 0,
    p50Ms: 900, p90Ms: 1100, p95Ms: 1200, p99Ms: 1500, p999Ms: 1600, maxMs: 1700, meetsSlo: null, valid: true, invalidReasons: [], meanMs: 950,
    ok: 100, errorCounts: [], errorSamples: [], node: 'n1', provider: 'cpu', costPerMillion: null, joulesPerInference: null, rowsPerModelRun: null,
    system: 'external', server: null, ...extra,
  };
}

function llm(i: number, extra: Partial<LlmRunInfo> = {}): LlmRunInfo {
  return {
    runId: `r${i}`, api: 'openai-chat', stream: true, ttft: pct(80 * (i + 1)), itl: pct(20 + i), tpot: pct(21 + i), itlMean: pct(20 + i),
    inputTokensPerS: 384 * (i + 1), outputTokensPerS: 96 * (i + 1), requestsPerS: 3 * (i + 1), meanOutputTokens: 32, tokenSource: 'usage',
    goodput: 3 * (i + 1) - i, truncated: 0, truncatedSample: null, slo: 'TTFT p90 ≤ 300 ms', sloTtftMs: 300, sloPercentile: 90, meetsLlmSlo: i < 2, reason: null, ...extra,
  };
}

function data(llmRuns: LlmRunInfo[], runs = [run(0), run(1), run(2, { valid: false, invalidReasons: ['truncated streams'] })]): ReportData {
  return {
    sweep: { sweepId: 's1', name: 'llm', status: 'completed', jobsTotal: 3, jobsDone: 3, jobsFailed: 0, sloP99Ms: null, startedAt: null, finishedAt: null },
    paramKeys: [C], runs, failedJobs: [], cdf: [], cdfFromPercentiles: [], pareto: [], best: null, batchSizes: [], hosts: [],
    llm: {
      runs: llmRuns,
      front: ['r0', 'r1'],
      best: { runId: 'r1', jobIndex: 1, params: { [C]: 2 }, rankedBy: 'goodput', meanGoodput: 5, meanOutputTokensPerS: 192, worstTtftP99Ms: 400, repeats: 1 },
      ttftCdf: [0, 1, 2].flatMap((i) => [0.5, 0.9, 0.99].map((fraction, k) => ({ runId: `r${i}`, leMs: 80 * (i + 1) * (k + 1), fraction }))),
      itlCdf: [],
    },
  };
}

test('the LLM SLO in words, at its percentile', () => {
  expect(llmSloText({ slo_ttft_ms: 500, slo_tpot_ms: 50, slo_e2e_ms: null, slo_percentile: 95 })).toBe('TTFT p95 ≤ 500 ms, TPOT p95 ≤ 50 ms');
  expect(llmSloText({ slo_e2e_ms: 2000 })).toBe('E2E p99 ≤ 2000 ms');
  expect(llmSloText({ slo_ttft_ms: null })).toBeNull();
});

test('a stored histogram becomes CDF points; an empty or unreadable one none', () => {
  const h = createHistogram();
  for (let i = 1; i <= 100; i++) recordMs(h, i);
  const cdf = histogramCdf('r0', encodeHistogram(h));
  expect(cdf.length).toBeGreaterThan(5);
  expect(cdf[cdf.length - 1]).toMatchObject({ runId: 'r0', fraction: 1 });
  expect(cdf.every((p, i) => i === 0 || p.fraction >= cdf[i - 1].fraction)).toBe(true);
  expect(histogramCdf('r0', null)).toEqual([]);
  expect(histogramCdf('r0', 'not a histogram')).toEqual([]);
});

test('no LLM runs: no LLM plots, no Markdown section', () => {
  const d = { ...data([]), llm: null };
  expect(buildLlmPlots(d)).toEqual([]);
  expect(llmMarkdown(d, escapeMarkdown)).toEqual([]);
});

test('the Pareto plot: one point per run, the front ringed, invalid runs hollow, the TTFT SLO only when judged at p99', async () => {
  const d = data([llm(0), llm(1), llm(2)]);
  const p = llmParetoPlot(d);
  const layers = (p.spec as { layer: { data?: { values: Record<string, unknown>[] }; mark: { type: string; filled?: boolean } }[] }).layer;
  const points = layers.find((l) => l.mark.type === 'point' && l.mark.filled)!.data!.values;
  expect(points.map((v) => [v.x, v.y, v.verdict, v.front])).toEqual([
    [200, 96, 'valid', 'on the front'],
    [400, 192, 'valid', 'on the front'],
    [600, 288, 'invalid', 'off'],
  ]);
  expect(layers.find((l) => l.mark.type === 'point' && l.mark.filled === false)!.data!.values).toHaveLength(2);
  // The SLO is judged at p90 here, not at the plotted p99: no line.
  expect(layers.some((l) => l.mark.type === 'rule')).toBe(false);
  const at99 = llmParetoPlot(data([0, 1, 2].map((i) => llm(i, { sloPercentile: 99 }))));
  expect((at99.spec as { layer: { mark: { type: string } }[] }).layer.some((l) => l.mark.type === 'rule')).toBe(true);
  const { svg, warnings } = await renderSvg(p.spec!);
  expect(warnings).toEqual([]);
  expect(svg).toContain('○ hollow: invalid run');
});

test('runs that did not stream have no TTFT: the Pareto plot says so instead of drawing', () => {
  const d = data([0, 1, 2].map((i) => llm(i, { stream: false, ttft: pct(null) })));
  expect(llmParetoPlot(d)).toMatchObject({ id: 'llm-pareto', note: expect.stringContaining('workload.stream') });
});

test('the TTFT percentile plot marks the SLO at its own percentile', async () => {
  const p = ttftPercentilePlot(data([llm(0), llm(1), llm(2)]));
  const rules = (p.spec as { layer: { mark: { type: string }; encoding: { x?: { datum?: number }; y?: { datum?: number } } }[] }).layer.filter((l) => l.mark.type === 'rule');
  // p90: x = 1 / (1 − 0.9) = 10 on the "1 in N" axis; the bound at 300 ms.
  expect(rules.map((r) => r.encoding.x?.datum ?? r.encoding.y?.datum).map((v) => Math.round(v as number))).toEqual([300, 10]);
  expect(p.caption).toContain('crosses 90% misses the SLO');
  expect((await renderSvg(p.spec!)).warnings).toEqual([]);
});

test('the table: per-token figures, tokens/s, goodput, truncated, the LLM SLO; notes say why and what', () => {
  const d = data([llm(0), llm(1, { truncated: 3, truncatedSample: 'no finish_reason' }), llm(2, { reason: 'no TPOT: no request produced 2 or more output tokens' })]);
  const rows = llmRows(d);
  expect(llmTableColumns(rows)).toContain('goodput req/s');
  expect(llmTableCells(rows, rows[1])).toEqual(['160', '240', '400', '21', '52.50', '22', '55', '1500', '768', '192', '6', '5', '3', 'met']);
  expect(llmNotes(d, rows)).toEqual([
    'LLM SLO: TTFT p90 ≤ 300 ms (goodput: requests per second meeting every objective given).',
    'job 2: no TPOT: no request produced 2 or more output tokens.',
    'job 1: 3 truncated streams, e.g. no finish_reason.',
  ]);
  expect(llmBestText(d)).toEqual({ found: true, text: 'job 1 (concurrency=2): goodput 5 req/s, 192 output tokens/s at TTFT p99 400 ms' });
  const md = llmMarkdown(d, escapeMarkdown).join('\n');
  expect(md).toContain('| 2 | 4 | 240 | 360 | 600 |');
  expect(md).toContain('| **invalid** |');
  // Without goodput anywhere, no goodput column.
  expect(llmTableColumns(llmRows(data([0, 1, 2].map((i) => llm(i, { goodput: null })))))).not.toContain('goodput req/s');
});
