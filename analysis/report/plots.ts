/**
 * The report's plots as Vega-Lite specs built from report data (pure; render.ts turns them into SVG).
 * Data rows use plain field names (x, y, config, ...): swept keys contain dots, which Vega-Lite would read
 * as nested field access, so keys only ever appear in titles.
 */
import type { TopLevelSpec } from 'vega-lite';
import { systemsOf, type ReportData, type RunInfo } from './data';
import { compareValues, configTitle, configValues, formatNumber, formatSi, formatValue } from './format';
import { latencyAxis, logAxis } from './scales';

export interface Plot {
  id: 'throughput-latency' | 'latency-cdf' | 'heatmap' | 'pareto' | 'roofline';
  title: string;
  caption: string;
  /** Absent when the data cannot support the plot; `note` then says why. */
  spec?: TopLevelSpec;
  note?: string;
}

const WIDTH = 480;
const HEIGHT = 300;

const CONFIG = {
  font: 'system-ui, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#d0d4da' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#eceef1', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 200, titleLimit: 420, orient: 'bottom', direction: 'horizontal', columns: 4, columnPadding: 14 },
} as const;

const SLO_COLOR = '#d62728';

/**
 * Colour by configuration: legend entries sorted by parameter values, one row per value of the first keys and
 * one column per value of the last, so the legend reads like the sweep's grid.
 */
function configs(data: ReportData) {
  const keys = data.paramKeys;
  const label = (r: RunInfo): string => configValues(r.params, keys);
  const sorted = [...data.runs].sort((a, b) => keys.reduce((c, k) => c || compareValues(a.params[k], b.params[k]), 0));
  const order = [...new Set(sorted.map(label))];
  const lastLevels = keys.length ? new Set(data.runs.map((r) => formatValue(r.params[keys[keys.length - 1]]))).size : 1;
  const legend = { columns: keys.length > 1 && lastLevels <= 6 ? lastLevels : Math.min(order.length, 4) };
  const scheme = order.length <= 10 ? 'tableau10' : 'tableau20';
  return { label, color: { field: 'config', type: 'nominal', title: configTitle(keys), sort: order, scale: { scheme }, legend } };
}

/**
 * The SLO as a dashed vertical line on a latency axis, when it falls near the data: an SLO far beyond every
 * latency would stretch the axis until the runs merge, so it is then named in the caption instead.
 */
function sloMarks(slo: number | null, latencies: number[], at: 'top' | 'bottom', reading: string) {
  if (slo === null) return { layers: [], caption: '' };
  if (slo > 3 * Math.max(...latencies)) return { layers: [], caption: ` The p99 SLO (${formatNumber(slo)} ms) is far beyond every latency shown.` };
  const layers = [
    { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x: { datum: slo } } },
    {
      data: { values: [{}] },
      mark: { type: 'text', color: SLO_COLOR, align: 'left', baseline: at, dx: 4, dy: at === 'top' ? 4 : -4, fontSize: 11 },
      encoding: { x: { datum: slo }, y: { value: at === 'top' ? 0 : HEIGHT }, text: { value: `SLO p99 ≤ ${formatNumber(slo)} ms` } },
    },
  ];
  return { layers, caption: ` ${reading}`, slo };
}

/** One filled point per run at (x, y), coloured by configuration; `x` and `y` add titles and axes; `shape` the serving system. */
function runPoints(values: { x: number; y: number; config: string; system?: string }[], color: unknown, x: object, y: object, shape?: object) {
  return {
    data: { values },
    mark: { type: 'point', filled: true, size: 80, opacity: 0.85 },
    encoding: { x: { field: 'x', type: 'quantitative', ...x }, y: { field: 'y', type: 'quantitative', ...y }, color, ...(shape ? { shape } : {}) },
  };
}

/** A sweep over more than one serving system: one point shape per system, named in the legend; else none. */
function systemShape(data: ReportData): object | undefined {
  const systems = systemsOf(data.runs);
  if (systems.length < 2) return undefined;
  return { field: 'system', type: 'nominal', title: 'serving system', scale: { domain: systems, range: ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down'] } };
}

export function throughputLatencyPlot(data: ReportData): Plot {
  const base = { id: 'throughput-latency', title: 'Throughput vs p99 latency' } as const;
  const { label, color } = configs(data);
  const values = data.runs
    .filter((r) => r.p99Ms !== null && r.p99Ms > 0)
    .map((r) => ({ x: r.p99Ms as number, y: r.inferencesPerS, config: label(r), system: r.system ?? 'unknown' }));
  if (!values.length) return { ...base, caption: '', note: 'No run of this sweep recorded a p99 latency.' };
  const slo = sloMarks(data.sweep.sloP99Ms, values.map((v) => v.x), 'top', 'Runs right of the dashed line miss the sweep’s p99 SLO.');
  const shape = systemShape(data);
  const spec = {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      runPoints(values, color, { title: 'p99 latency (ms)', ...latencyAxis([...values.map((v) => v.x), ...(slo.slo ? [slo.slo] : [])]) }, { title: 'inferences/s', axis: { format: ',~r' } }, shape),
      ...slo.layers,
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'One point per run' + (shape ? ', its shape the serving system' : '') + '. Up and to the left is better: more inferences per second at a lower tail latency.' + slo.caption,
  };
}

export function latencyCdfPlot(data: ReportData): Plot {
  const base = { id: 'latency-cdf', title: 'Latency CDFs' } as const;
  const { label, color } = configs(data);
  const byRun = new Map(data.runs.map((r) => [r.runId, r]));
  const values = data.cdf
    .filter((p) => byRun.has(p.runId) && p.leMs > 0)
    .map((p) => ({ x: p.leMs, y: p.fraction, run: p.runId, config: label(byRun.get(p.runId) as RunInfo) }));
  if (!values.length) return { ...base, caption: '', note: 'No latency distribution was recorded for this sweep.' };
  const coarse = data.cdfFromPercentiles.length;
  const slo = sloMarks(data.sweep.sloP99Ms, values.map((v) => v.x), 'bottom', 'A line that reaches 99% right of the dashed line misses the p99 SLO.');
  const spec = {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.75, interpolate: 'monotone' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'latency (ms, log scale)', ...logAxis([...values.map((v) => v.x), ...(slo.slo ? [slo.slo] : [])], '~g') },
          y: { field: 'y', type: 'quantitative', title: 'fraction of requests ≤ latency', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color,
          detail: { field: 'run', type: 'nominal' },
        },
      },
      ...slo.layers,
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'One line per run: the fraction of requests that completed within each latency. A line further left is faster; a long flat tail near 100% is the slow requests that p99 hides.' +
      slo.caption +
      (coarse ? ` ${coarse} run(s) have no latency histogram recorded; their lines join their percentiles (p50 … max) only.` : ''),
  };
}

/** Distinct values of one key in ascending order. */
function levels(runs: RunInfo[], key: string): string[] {
  const distinct = [...new Map(runs.map((r) => [formatValue(r.params[key]), r.params[key]])).entries()];
  return distinct.sort((a, b) => compareValues(a[1], b[1])).map(([text]) => text);
}

export function heatmapPlot(data: ReportData): Plot {
  const base = { id: 'heatmap', title: 'Throughput over two swept parameters' } as const;
  const keys = data.paramKeys;
  if (keys.length < 2) {
    const what = keys.length ? `one parameter (${keys[0]})` : 'no parameters';
    return { ...base, caption: '', note: `This sweep varies ${what}; a heatmap needs two. Sweep two config paths to see how they interact.` };
  }
  const [kx, ky] = keys;
  const cells = new Map<string, { a: string; b: string; sum: number; n: number }>();
  for (const r of data.runs) {
    const a = formatValue(r.params[kx]);
    const b = formatValue(r.params[ky]);
    const cell = cells.get(JSON.stringify([a, b])) ?? { a, b, sum: 0, n: 0 };
    cell.sum += r.inferencesPerS;
    cell.n += 1;
    cells.set(JSON.stringify([a, b]), cell);
  }
  if (!cells.size) return { ...base, caption: '', note: 'No completed runs to aggregate.' };
  const values = [...cells.values()].map((c) => ({ a: c.a, b: c.b, y: c.sum / c.n, label: formatNumber(c.sum / c.n) }));
  const xs = levels(data.runs, kx);
  const ys = levels(data.runs, ky);
  const lo = Math.min(...values.map((v) => v.y));
  const hi = Math.max(...values.map((v) => v.y));
  const height = Math.min(Math.max(ys.length * 70, 140), 320);
  const spec = {
    width: Math.min(Math.max(xs.length * 110, 300), 480),
    height,
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'right', direction: 'vertical', columns: 1 } },
    data: { values },
    encoding: {
      x: { field: 'a', type: 'ordinal', title: kx, sort: xs, axis: { labelAngle: 0 } },
      // Largest value at the top, as on a numeric axis.
      y: { field: 'b', type: 'ordinal', title: ky, sort: [...ys].reverse() },
    },
    layer: [
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 2 }, encoding: { color: { field: 'y', type: 'quantitative', title: 'inferences/s', scale: { scheme: 'viridis' }, legend: { format: ',~r', gradientLength: height - 16 } } } },
      {
        mark: { type: 'text', fontSize: 12, fontWeight: 600 },
        encoding: {
          text: { field: 'label' },
          // viridis is dark at the low end: white text there, black on the light high end.
          color: { condition: { test: `datum.y < ${(lo + hi) / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  } as TopLevelSpec;
  const others = keys.length > 2 ? ` Each cell averages over the other swept parameters (${keys.slice(2).join(', ')}) and repeats.` : ' Each cell averages over repeats.';
  return { ...base, spec, caption: `Mean inferences/s for each combination of ${kx} and ${ky}.${others}` };
}

export function paretoPlot(data: ReportData): Plot {
  const base = { id: 'pareto', title: 'Pareto front: throughput vs p99 latency' } as const;
  const runs = data.runs.filter((r) => r.p99Ms !== null && r.p99Ms > 0).map((r) => ({ x: r.p99Ms as number, y: r.inferencesPerS, system: r.system ?? 'unknown' }));
  if (!runs.length) return { ...base, caption: '', note: 'No run of this sweep recorded a p99 latency.' };
  const shape = systemShape(data);
  const front = data.pareto.map((p, i) => ({
    x: p.p99Ms,
    y: p.inferencesPerS,
    order: i,
    group: `${p.modelName ?? 'model'} on ${p.device}`,
    source: p.sweepId === data.sweep.sweepId ? 'this sweep' : 'another sweep',
  }));
  const groups = new Set(front.map((f) => f.group)).size;
  const fromOthers = front.filter((f) => f.source !== 'this sweep').length;
  const color = groups > 1 ? { field: 'group', type: 'nominal', title: 'model and device' } : { value: '#e8590c' };
  const spec = {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'p99 latency (ms)', ...latencyAxis([...runs, ...front].map((v) => v.x)) },
      y: { field: 'y', type: 'quantitative', title: 'inferences/s', axis: { format: ',~r' } },
    },
    // The runs' shapes (serving system) and the front's (which sweep) are two legends, not one merged scale.
    ...(shape ? { resolve: { scale: { shape: 'independent' }, legend: { shape: 'independent' } } } : {}),
    layer: [
      { data: { values: runs }, mark: { type: 'point', filled: true, size: 60, color: '#a9afb7', opacity: 0.8 }, ...(shape ? { encoding: { shape } } : {}) },
      ...(front.length
        ? [
            { data: { values: front }, mark: { type: 'line', strokeWidth: 2 }, encoding: { color, detail: { field: 'group' }, order: { field: 'order' } } },
            {
              data: { values: front },
              mark: { type: 'point', filled: true, size: 110, stroke: 'white', strokeWidth: 1 },
              encoding: {
                color,
                shape: { field: 'source', type: 'nominal', title: 'front point from', scale: { domain: ['this sweep', 'another sweep'], range: ['circle', 'diamond'] }, legend: fromOthers ? {} : null },
              },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'Grey: every run of this sweep' + (shape ? ', its shape the serving system' : '') + '. Highlighted and connected: the runs no other run beats on both throughput and p99 latency, for the same model and device' +
      (fromOthers ? ` (${fromOthers} of them from other sweeps).` : '.') +
      (front.length ? '' : ' No run without errors is on a front.'),
  };
}

export function rooflinePlot(data: ReportData): Plot {
  const base = { id: 'roofline', title: 'Roofline view: work per model run vs achieved FLOP/s' } as const;
  const { label, color } = configs(data);
  const values = data.runs
    .filter((r) => r.modelFlops !== null && r.modelFlops > 0 && r.inferencesPerS > 0)
    .map((r) => {
      const flops = r.modelFlops as number;
      return { x: flops * (r.rowsPerModelRun ?? r.batchSize), y: flops * r.inferencesPerS, config: label(r), valid: r.valid !== false };
    });
  if (!values.length) {
    return { ...base, caption: '', note: 'No FLOPs estimate for this sweep’s model (e.g. a model file whose shapes are not fixed), so there is nothing to place on a roofline.' };
  }
  // An invalid run (a saturated server, say) measured something else: it does not set the ceiling.
  const valid = values.filter((v) => v.valid);
  const ceiling = valid.length ? Math.max(...valid.map((v) => v.y)) : null;
  const spec = {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    layer: [
      runPoints(values, color, { title: 'FLOPs per model run (log scale)', ...logAxis(values.map((v) => v.x), '~s') }, { title: 'achieved FLOP/s (log scale)', ...logAxis(values.map((v) => v.y), '~s') }),
      ...(ceiling === null
        ? []
        : [
            { data: { values: [{}] }, mark: { type: 'rule', color: '#444', strokeDash: [6, 4] }, encoding: { y: { datum: ceiling } } },
            {
              data: { values: [{}] },
              mark: { type: 'text', color: '#444', align: 'left', baseline: 'bottom', dx: 4, dy: -4, fontSize: 11 },
              encoding: { y: { datum: ceiling }, x: { value: 0 }, text: { value: `best observed: ${formatSi(ceiling)}FLOP/s` } },
            },
          ]),
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'x: model FLOPs per sample × mean rows per model run (from the server’s batching statistics where it gives them, else the request batch size). ' +
      'y: model FLOPs × inferences/s. The dashed line is the best FLOP/s any valid run reached, an empirical ceiling on this device: ' +
      'runs far below it at the same x lose their time to queueing and overhead rather than compute; bigger batches move right.',
  };
}

export function buildPlots(data: ReportData): Plot[] {
  const plots = [throughputLatencyPlot(data), latencyCdfPlot(data), heatmapPlot(data), paretoPlot(data), rooflinePlot(data)];
  // Without a single run each plot's own reason would be a guess; say what happened once, the same everywhere.
  if (!data.runs.length) return plots.map(({ id, title }) => ({ id, title, caption: '', note: 'No completed runs in this sweep: see the failed jobs below.' }));
  return plots;
}
