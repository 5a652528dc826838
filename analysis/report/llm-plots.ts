/**
 * The LLM serving section's plots (Vega-Lite, pure): output tokens/s against TTFT p99 with this sweep's front,
 * and TTFT and ITL by percentile from the stored histograms, in the styles of the report's other plots.
 */
import type { ReportData, RunInfo } from './data';
import { formatNumber } from './format';
import type { LlmRunInfo } from './llm-data';
import { configs, invalidKey, layeredSpec, paretoLayers, verdictOf, type Plot } from './plot-kit';
import { sloMarks } from './plots';
import { percentilePlot, type PercentileSlo } from './plot-percentiles';
import { latencyAxis } from './scales';

/** The TTFT objective the sweep's LLM runs share, when they share one. */
function ttftSlo(runs: LlmRunInfo[]): PercentileSlo | null {
  const slos = new Set(runs.map((r) => (r.sloTtftMs === null ? null : `${r.sloTtftMs}@${r.sloPercentile ?? 99}`)));
  const r = runs[0];
  if (slos.size !== 1 || !r || r.sloTtftMs === null) return null;
  const p = r.sloPercentile ?? 99;
  return { ms: r.sloTtftMs, percentile: p, label: `SLO TTFT p${p} ≤ ${formatNumber(r.sloTtftMs)} ms` };
}

export function llmParetoPlot(data: ReportData): Plot {
  const base = { id: 'llm-pareto', title: 'LLM: output tokens/s vs TTFT p99' } as const;
  const llm = data.llm?.runs ?? [];
  const byRun = new Map(data.runs.map((r) => [r.runId, r]));
  const { label, color } = configs(data);
  const front = new Set(data.llm?.front ?? []);
  const points = llm
    .filter((l) => byRun.has(l.runId) && l.ttft.p99Ms !== null && l.ttft.p99Ms > 0)
    .map((l) => {
      const run = byRun.get(l.runId) as RunInfo;
      return { x: l.ttft.p99Ms as number, y: l.outputTokensPerS, config: label(run), verdict: verdictOf(run), front: front.has(l.runId) ? 'on the front' : 'off' };
    });
  if (!points.length) return { ...base, caption: '', note: 'No LLM run of this sweep measured a TTFT (a run measures one only when it streams: workload.stream).' };
  const ring = points.filter((p) => p.front === 'on the front').sort((a, b) => a.x - b.x);
  const invalid = points.some((p) => p.verdict === 'invalid');
  // The TTFT objective is drawn where it is judged at p99, the plotted percentile.
  const objective = ttftSlo(llm);
  const slo = sloMarks(objective?.percentile === 99 ? objective.ms : null, points.map((p) => p.x), 'top', 'Runs right of the dashed line miss the TTFT SLO.', 'TTFT p99');
  const x = { field: 'x', type: 'quantitative', title: 'TTFT p99 (ms)', ...latencyAxis([...points.map((p) => p.x), ...(slo.slo ? [slo.slo] : [])]) };
  const y = { field: 'y', type: 'quantitative', title: 'output tokens/s', axis: { format: ',~r' } };
  const spec = layeredSpec([
    ...paretoLayers({ line: ring.map((p, order) => ({ ...p, order })), lineEncoding: { order: { field: 'order' } }, runs: points, color, ring, xy: { x, y } }),
    ...slo.layers,
    ...invalidKey(invalid),
  ]);
  return {
    ...base,
    spec,
    caption:
      'Every LLM run of this sweep, coloured by configuration. Up and to the left is better: more output tokens per second at a shorter wait for the first token. ' +
      'Ringed and connected: the valid runs without errors that no other such run of this sweep beats on both (llm_pareto).' +
      (ring.length ? '' : ' No valid run without errors is on the front.') +
      (invalid ? ' Hollow points are invalid runs: they are never on the front.' : '') +
      slo.caption,
  };
}

export function ttftPercentilePlot(data: ReportData): Plot {
  return percentilePlot(data, {
    id: 'llm-ttft-percentiles',
    title: 'LLM: time to first token by percentile',
    cdf: data.llm?.ttftCdf ?? [],
    yTitle: 'TTFT (ms)',
    slo: ttftSlo(data.llm?.runs ?? []),
    caption:
      'One line per run: the time to first token within which each share of requests had their first token (from the scheduled send in open loop, the send in closed loop), on the log “1 in N” axis. ' +
      'A steep rise at the right is requests queued behind others before the server began them.',
    empty: 'No TTFT distribution was recorded for this sweep’s LLM runs (they did not stream: workload.stream).',
  });
}

export function itlPercentilePlot(data: ReportData): Plot {
  return percentilePlot(data, {
    id: 'llm-itl-percentiles',
    title: 'LLM: inter-token latency by percentile',
    cdf: data.llm?.itlCdf ?? [],
    yTitle: 'gap between tokens (ms)',
    slo: null,
    caption:
      'One line per run: every gap between consecutive streamed chunks of every request, pooled (vLLM’s ITL), by percentile. ' +
      'A flat line is steady decoding; a tail that rises is decoding stalled by other requests’ prefill or by batching.',
    empty: 'No inter-token gaps were recorded for this sweep’s LLM runs (they did not stream, or produced one token each).',
  });
}

/** The LLM section's plots; none when the sweep has no LLM run. */
export function buildLlmPlots(data: ReportData): Plot[] {
  if (!data.llm?.runs.length) return [];
  return [llmParetoPlot(data), ttftPercentilePlot(data), itlPercentilePlot(data)];
}
