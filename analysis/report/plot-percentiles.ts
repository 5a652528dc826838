/**
 * Latency by percentile on a log "1 in N" axis, as HDR histogram plots draw it: x = 1 / (1 − percentile), so
 * 50%, 90%, 99%, 99.9% … are equally spaced and the tail that a CDF squeezes against 100% gets most of the room.
 */
import type { CdfPoint, ReportData, RunInfo } from './data';
import { formatNumber } from './format';
import { configs, layeredSpec, runLines, SLO_COLOR, verdictOf, type Plot } from './plot-kit';
import { latencyAxis } from './scales';

/** "1 in N": the x of a percentile given as a fraction (0.99 → 100). */
export const oneInN = (fraction: number): number => 1 / (1 - fraction);

/** Axis ticks: 50%, 90%, 99%, 99.9% … up to the first "nine" at or beyond the data (at least 99%). */
export function percentileTicks(maxX: number): number[] {
  const ticks = [2, 10];
  while (ticks[ticks.length - 1] < Math.max(maxX, 100) * (1 - 1e-9)) ticks.push(ticks[ticks.length - 1] * 10);
  return ticks;
}

/** Each run's curve: one point per recorded bucket below 100% (100% is the maximum, at x = ∞ on this axis). */
export function percentilePoints(data: ReportData, label: (r: RunInfo) => string, cdf: CdfPoint[] = data.cdf) {
  const byRun = new Map(data.runs.map((r) => [r.runId, r]));
  return cdf
    .filter((p) => byRun.has(p.runId) && p.leMs > 0 && p.fraction > 0 && p.fraction < 1)
    .map((p) => {
      const run = byRun.get(p.runId) as RunInfo;
      return { x: oneInN(p.fraction), y: p.leMs, run: p.runId, config: label(run), verdict: verdictOf(run) };
    });
}

/** A latency objective drawn on the plot: a dashed line at `ms`, a dotted one at its percentile. */
export interface PercentileSlo {
  ms: number;
  /** 99 for p99. */
  percentile: number;
  /** "SLO p99 ≤ 2 ms". */
  label: string;
}

export interface PercentilePlotOptions {
  id: 'latency-percentiles' | 'llm-ttft-percentiles' | 'llm-itl-percentiles';
  title: string;
  /** The distributions, per run (CDF points). */
  cdf: CdfPoint[];
  yTitle: string;
  slo: PercentileSlo | null;
  /** What a point of the curve is ("requests", "gaps between tokens") and the sentences that explain the plot. */
  caption: string;
  empty: string;
}

/** Percentile curves of any per-run distribution on the log "1 in N" axis. */
export function percentilePlot(data: ReportData, o: PercentilePlotOptions): Plot {
  const base = { id: o.id, title: o.title };
  const { label, color } = configs(data);
  const values = percentilePoints(data, label, o.cdf);
  if (!values.length) return { ...base, caption: '', note: o.empty };
  const sloX = o.slo ? oneInN(o.slo.percentile / 100) : 0;
  const maxX = Math.max(...values.map((v) => v.x), sloX);
  const ticks = percentileTicks(maxX);
  const slo = o.slo;
  const latencies = values.map((v) => v.y);
  const showSlo = slo !== null && slo.ms <= 3 * Math.max(...latencies);
  const invalid = values.some((v) => v.verdict === 'invalid');
  const x = {
    field: 'x',
    type: 'quantitative',
    title: 'percentile (log “1 in N” scale)',
    scale: { type: 'log', domain: [1, ticks[ticks.length - 1]], nice: false },
    // 1 − 1/x as a percentage: 2 → 50%, 1000 → 99.9%.
    axis: { values: ticks, labelExpr: "format(100 - 100 / datum.value, '.6~r') + '%'", grid: true },
  };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, ...latencyAxis([...latencies, ...(showSlo ? [slo.ms] : [])]) };
  const spec = layeredSpec([
    runLines(values, color, x, y, invalid, true),
    ...(showSlo
      ? [
          { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { datum: slo.ms } } },
          { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { x: { datum: sloX } } },
          {
            data: { values: [{}] },
            mark: { type: 'text', color: SLO_COLOR, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11 },
            encoding: { y: { datum: slo.ms }, x: { value: 0 }, text: { value: slo.label } },
          },
        ]
      : []),
  ]);
  return {
    ...base,
    spec,
    caption:
      o.caption +
      (showSlo ? ` A line above the dashed SLO line where it crosses ${formatNumber(slo.percentile)}% misses the SLO.` : '') +
      (invalid ? ' Dashed: invalid runs.' : ''),
  };
}

export function latencyPercentilePlot(data: ReportData): Plot {
  const slo = data.sweep.sloP99Ms;
  return percentilePlot(data, {
    id: 'latency-percentiles',
    title: 'Latency by percentile (tail detail)',
    cdf: data.cdf,
    yTitle: 'latency (ms)',
    slo: slo === null ? null : { ms: slo, percentile: 99, label: `SLO p99 ≤ ${formatNumber(slo)} ms` },
    caption:
      'One line per run: the latency below which each share of requests completed, on an axis where every “nine” (90%, 99%, 99.9%) gets the same width, so the p99–p99.9 tail is as visible as the median. ' +
      'A line that rises steeply at the right has a tail that the median and even p99 hide; a line ends where its run had too few requests to say more.',
    empty: 'No latency distribution was recorded for this sweep.',
  });
}
