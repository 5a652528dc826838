/**
 * Latency by percentile on a log "1 in N" axis, as HDR histogram plots draw it: x = 1 / (1 − percentile), so
 * 50%, 90%, 99%, 99.9% … are equally spaced and the tail that a CDF squeezes against 100% gets most of the room.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData, RunInfo } from './data';
import { formatNumber } from './format';
import { CONFIG, configs, HEIGHT, SLO_COLOR, verdictDash, verdictOf, WIDTH, type Plot } from './plot-kit';
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
export function percentilePoints(data: ReportData, label: (r: RunInfo) => string) {
  const byRun = new Map(data.runs.map((r) => [r.runId, r]));
  return data.cdf
    .filter((p) => byRun.has(p.runId) && p.leMs > 0 && p.fraction > 0 && p.fraction < 1)
    .map((p) => {
      const run = byRun.get(p.runId) as RunInfo;
      return { x: oneInN(p.fraction), y: p.leMs, run: p.runId, config: label(run), verdict: verdictOf(run) };
    });
}

export function latencyPercentilePlot(data: ReportData): Plot {
  const base = { id: 'latency-percentiles', title: 'Latency by percentile (tail detail)' } as const;
  const { label, color } = configs(data);
  const values = percentilePoints(data, label);
  if (!values.length) return { ...base, caption: '', note: 'No latency distribution was recorded for this sweep.' };
  const maxX = Math.max(...values.map((v) => v.x));
  const ticks = percentileTicks(maxX);
  const slo = data.sweep.sloP99Ms;
  const latencies = values.map((v) => v.y);
  const showSlo = slo !== null && slo <= 3 * Math.max(...latencies);
  const invalid = values.some((v) => v.verdict === 'invalid');
  const spec = {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.75, interpolate: 'monotone', clip: true },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: 'percentile (log “1 in N” scale)',
            scale: { type: 'log', domain: [1, ticks[ticks.length - 1]], nice: false },
            // 1 − 1/x as a percentage: 2 → 50%, 1000 → 99.9%.
            axis: { values: ticks, labelExpr: "format(100 - 100 / datum.value, '.6~r') + '%'", grid: true },
          },
          y: { field: 'y', type: 'quantitative', title: 'latency (ms)', ...latencyAxis([...latencies, ...(showSlo ? [slo as number] : [])]) },
          color,
          strokeDash: verdictDash(invalid),
          detail: { field: 'run', type: 'nominal' },
        },
      },
      ...(showSlo
        ? [
            { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { datum: slo } } },
            { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { x: { datum: 100 } } },
            {
              data: { values: [{}] },
              mark: { type: 'text', color: SLO_COLOR, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11 },
              encoding: { y: { datum: slo }, x: { value: 0 }, text: { value: `SLO p99 ≤ ${formatNumber(slo)} ms` } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'One line per run: the latency below which each share of requests completed, on an axis where every “nine” (90%, 99%, 99.9%) gets the same width, so the p99–p99.9 tail is as visible as the median. ' +
      'A line that rises steeply at the right has a tail that the median and even p99 hide; a line ends where its run had too few requests to say more.' +
      (showSlo ? ' A line above the dashed SLO line where it crosses 99% misses the p99 SLO.' : '') +
      (invalid ? ' Dashed: invalid runs.' : ''),
  };
}
