/**
 * The report's plots as Vega-Lite specs built from report data (pure; render.ts turns them into SVG).
 * Data rows use plain field names (x, y, config, ...): swept keys contain dots, which Vega-Lite would read
 * as nested field access, so keys only ever appear in titles.
 */
import type { TopLevelSpec } from 'vega-lite';
import { systemsOf, type ReportData, type RunInfo } from './data';
import { compareValues, formatNumber, formatSi, formatValue } from './format';
import { CONFIG, configs, HEIGHT, invalidKey, layeredSpec, p99Points, paretoLayers, runLines, SLO_COLOR, verdictFill, verdictOf, type Plot } from './plot-kit';
import { latencyPercentilePlot } from './plot-percentiles';
import { batchSizePlot, serverTimePlot } from './plot-server';
import { latencyAxis, logAxis } from './scales';

export type { Plot } from './plot-kit';

/**
 * The SLO as a dashed vertical line on a latency axis, when it falls near the data: an SLO far beyond every
 * latency would stretch the axis until the runs merge, so it is then named in the caption instead.
 */
export function sloMarks(slo: number | null, latencies: number[], at: 'top' | 'bottom', reading: string, name = 'p99') {
  if (slo === null) return { layers: [], caption: '' };
  if (slo > 3 * Math.max(...latencies)) return { layers: [], caption: ` The ${name} SLO (${formatNumber(slo)} ms) is far beyond every latency shown.` };
  const layers = [
    { data: { values: [{}] }, mark: { type: 'rule', color: SLO_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x: { datum: slo } } },
    {
      data: { values: [{}] },
      mark: { type: 'text', color: SLO_COLOR, align: 'left', baseline: at, dx: 4, dy: at === 'top' ? 4 : -4, fontSize: 11 },
      encoding: { x: { datum: slo }, y: { value: at === 'top' ? 0 : HEIGHT }, text: { value: `SLO ${name} ≤ ${formatNumber(slo)} ms` } },
    },
  ];
  return { layers, caption: ` ${reading}`, slo };
}

/**
 * One point per run at (x, y), coloured by configuration, filled when valid and hollow when invalid; `x` and `y`
 * add titles and axes; `shape` the serving system.
 */
function runPoints(values: { x: number; y: number; config: string; verdict: string; system?: string }[], color: object, x: object, y: object, shape?: object) {
  return {
    data: { values },
    mark: { type: 'point', filled: true, size: 80, strokeWidth: 1.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', ...x },
      y: { field: 'y', type: 'quantitative', ...y },
      color,
      stroke: { ...color, legend: null },
      fillOpacity: verdictFill,
      ...(shape ? { shape } : {}),
    },
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
  const values = p99Points(data, label);
  if (!values.length) return { ...base, caption: '', note: 'No run of this sweep recorded a p99 latency.' };
  const invalid = values.some((v) => v.verdict === 'invalid');
  const slo = sloMarks(data.sweep.sloP99Ms, values.map((v) => v.x), 'top', 'Runs right of the dashed line miss the sweep’s p99 SLO.');
  const shape = systemShape(data);
  const spec = layeredSpec([
    runPoints(values, color, { title: 'p99 latency (ms)', ...latencyAxis([...values.map((v) => v.x), ...(slo.slo ? [slo.slo] : [])]) }, { title: 'inferences/s', axis: { format: ',~r' } }, shape),
    ...slo.layers,
    ...invalidKey(invalid),
  ]);
  return {
    ...base,
    spec,
    caption:
      'One point per run' +
      (shape ? ', its shape the serving system' : '') +
      '. Up and to the left is better: more inferences per second at a lower tail latency.' +
      (invalid ? ' Hollow points are invalid runs (see the verdicts below): their numbers describe something else than the served model.' : '') +
      slo.caption,
  };
}

export function latencyCdfPlot(data: ReportData): Plot {
  const base = { id: 'latency-cdf', title: 'Latency CDFs' } as const;
  const { label, color } = configs(data);
  const byRun = new Map(data.runs.map((r) => [r.runId, r]));
  const values = data.cdf
    .filter((p) => byRun.has(p.runId) && p.leMs > 0)
    .map((p) => ({ x: p.leMs, y: p.fraction, run: p.runId, config: label(byRun.get(p.runId) as RunInfo), verdict: verdictOf(byRun.get(p.runId) as RunInfo) }));
  if (!values.length) return { ...base, caption: '', note: 'No latency distribution was recorded for this sweep.' };
  const coarse = data.cdfFromPercentiles.length;
  const invalid = values.some((v) => v.verdict === 'invalid');
  const slo = sloMarks(data.sweep.sloP99Ms, values.map((v) => v.x), 'bottom', 'A line that reaches 99% right of the dashed line misses the p99 SLO.');
  const spec = layeredSpec([
    runLines(
      values,
      color,
      { field: 'x', type: 'quantitative', title: 'latency (ms, log scale)', ...logAxis([...values.map((v) => v.x), ...(slo.slo ? [slo.slo] : [])], '~g') },
      { field: 'y', type: 'quantitative', title: 'fraction of requests ≤ latency', scale: { domain: [0, 1] }, axis: { format: '%' } },
      invalid,
    ),
    ...slo.layers,
  ]);
  return {
    ...base,
    spec,
    caption:
      'One line per run: the fraction of requests that completed within each latency. A line further left is faster; a long flat tail near 100% is the slow requests that p99 hides.' +
      (invalid ? ' Dashed: invalid runs.' : '') +
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
  const cells = new Map<string, { a: string; b: string; sum: number; n: number; invalid: boolean }>();
  for (const r of data.runs) {
    const a = formatValue(r.params[kx]);
    const b = formatValue(r.params[ky]);
    const cell = cells.get(JSON.stringify([a, b])) ?? { a, b, sum: 0, n: 0, invalid: false };
    cell.sum += r.inferencesPerS;
    cell.n += 1;
    cell.invalid ||= r.valid === false;
    cells.set(JSON.stringify([a, b]), cell);
  }
  if (!cells.size) return { ...base, caption: '', note: 'No completed runs to aggregate.' };
  // A cell averaging an invalid run is starred: its number is not only the served model's.
  const values = [...cells.values()].map((c) => ({ a: c.a, b: c.b, y: c.sum / c.n, label: formatNumber(c.sum / c.n) + (c.invalid ? ' *' : '') }));
  const starred = values.some((v) => v.label.endsWith(' *'));
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
  return { ...base, spec, caption: `Mean inferences/s for each combination of ${kx} and ${ky}.${others}${starred ? ' *: the cell includes an invalid run.' : ''}` };
}

export function paretoPlot(data: ReportData): Plot {
  const base = { id: 'pareto', title: 'Pareto front: throughput vs p99 latency' } as const;
  const { label, color } = configs(data);
  const runs = p99Points(data, label);
  if (!runs.length) return { ...base, caption: '', note: 'No run of this sweep recorded a p99 latency.' };
  const shape = systemShape(data);
  const front = data.pareto.map((p, i) => ({
    x: p.p99Ms,
    y: p.inferencesPerS,
    order: i,
    group: `${p.modelName ?? 'model'} on ${p.device}`,
    ours: p.sweepId === data.sweep.sweepId,
    // A front point from another sweep gets its own legend entry: which sweep and job it is.
    config: `sweep '${p.sweepName}', job ${p.jobIndex}`,
    front: 'on the front',
  }));
  const groups = [...new Set(front.map((f) => f.group))];
  const others = front.filter((f) => !f.ours);
  // Colour: this sweep's configurations, then the other sweeps' front points, all named in one legend.
  const domain = [...(color.sort as string[]), ...others.map((o) => o.config)];
  const colour = { ...color, sort: domain, scale: { scheme: domain.length <= 10 ? 'tableau10' : 'tableau20' } };
  const invalid = runs.some((r) => r.verdict === 'invalid');
  const spec = layeredSpec(
    [
      ...paretoLayers({
        line: front,
        lineEncoding: {
          detail: { field: 'group' },
          order: { field: 'order' },
          ...(groups.length > 1 ? { strokeDash: { field: 'group', type: 'nominal', title: 'front of model and device' } } : {}),
        },
        runs,
        color: colour,
        shape,
        between: others.length ? [{ data: { values: others }, mark: { type: 'point', filled: true, size: 90, shape: 'diamond', opacity: 0.9 }, encoding: { color: colour } }] : [],
        ring: front,
      }),
      ...invalidKey(invalid),
    ],
    {
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'p99 latency (ms)', ...latencyAxis([...runs, ...front].map((v) => v.x)) },
        y: { field: 'y', type: 'quantitative', title: 'inferences/s', axis: { format: ',~r' } },
      },
      // The runs' shapes (serving system) and the front's ring are two legends, not one merged scale.
      resolve: { scale: { shape: 'independent' }, legend: { shape: 'independent' } },
    },
  );
  return {
    ...base,
    spec,
    caption:
      'Every run of this sweep, coloured by configuration' +
      (shape ? ', its shape the serving system' : '') +
      '. Ringed and connected: the valid runs without errors that no other such run beats on both throughput and p99 latency, for the same model and device' +
      (others.length ? ` (${others.length} of them from other sweeps, drawn as diamonds and named in the legend).` : '.') +
      (front.length ? '' : ' No valid run without errors is on a front.') +
      (invalid ? ' Hollow points are invalid runs: they are never on the front.' : ''),
  };
}

/** The measured compute peaks of the hosts that ran these runs (jobs.host.peakGflops), one per distinct value. */
function measuredPeaks(data: ReportData, runIds: Set<string>): { gflops: number; who: string; method: string | null }[] {
  const peaks = new Map<number, { gflops: number; who: string; method: string | null }>();
  for (const h of data.hosts) {
    if (h.peakGflops === null || !h.runIds.some((id) => runIds.has(id))) continue;
    if (!peaks.has(h.peakGflops)) peaks.set(h.peakGflops, { gflops: h.peakGflops, who: h.node ?? h.hostname ?? 'host', method: h.peakMethod });
  }
  return [...peaks.values()];
}

/** The runs a roofline can place (a FLOPs estimate and some throughput). */
const rooflineRuns = (data: ReportData): RunInfo[] => data.runs.filter((r) => r.modelFlops !== null && r.modelFlops > 0 && r.inferencesPerS > 0);

/**
 * The roofline's two ceilings: the best FLOP/s a valid run reached (an invalid one, a saturated server say,
 * measured something else) and the measured peaks of the devices that ran them; also for the Markdown summary.
 */
export function computeCeilings(data: ReportData): { bestFlops: number | null; peaks: { gflops: number; who: string; method: string | null }[] } {
  const runs = rooflineRuns(data);
  const valid = runs.filter((r) => r.valid !== false).map((r) => (r.modelFlops as number) * r.inferencesPerS);
  return { bestFlops: valid.length ? Math.max(...valid) : null, peaks: measuredPeaks(data, new Set(runs.map((r) => r.runId))) };
}

export function rooflinePlot(data: ReportData): Plot {
  const base = { id: 'roofline', title: 'Roofline view: work per model run vs achieved FLOP/s' } as const;
  const { label, color } = configs(data);
  const values = rooflineRuns(data).map((r) => {
    const flops = r.modelFlops as number;
    return { x: flops * (r.rowsPerModelRun ?? r.batchSize), y: flops * r.inferencesPerS, config: label(r), verdict: verdictOf(r) };
  });
  if (!values.length) {
    return { ...base, caption: '', note: 'No FLOPs estimate for this sweep’s model (e.g. a model file whose shapes are not fixed), so there is nothing to place on a roofline.' };
  }
  const { bestFlops: best, peaks } = computeCeilings(data);
  const several = peaks.length > 1;
  const lines = [
    ...peaks.map((p) => ({
      y: p.gflops * 1e9,
      color: '#1f2328',
      dash: [] as number[],
      text: `measured peak${several ? ` (${p.who})` : ''}: ${formatSi(p.gflops * 1e9)}FLOP/s`,
    })),
    ...(best === null
      ? []
      : [
          {
            y: best,
            color: '#6e7781',
            dash: [6, 4],
            text: `best observed: ${formatSi(best)}FLOP/s` + (peaks.length === 1 ? ` (${Math.round((100 * best) / (peaks[0].gflops * 1e9))}% of peak)` : ''),
          },
        ]),
  ];
  const invalid = values.some((v) => v.verdict === 'invalid');
  const spec = layeredSpec([
    runPoints(
      values,
      color,
      { title: 'FLOPs per model run (log scale)', ...logAxis(values.map((v) => v.x), '~s') },
      { title: 'achieved FLOP/s (log scale)', ...logAxis([...values.map((v) => v.y), ...lines.map((l) => l.y)], '~s') },
    ),
    ...lines.flatMap((l) => [
      { data: { values: [{}] }, mark: { type: 'rule', color: l.color, strokeDash: l.dash, strokeWidth: 1.25 }, encoding: { y: { datum: l.y } } },
      {
        data: { values: [{}] },
        mark: { type: 'text', color: l.color, align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11 },
        encoding: { y: { datum: l.y }, x: { value: 0 }, text: { value: l.text } },
      },
    ]),
    ...invalidKey(invalid, 'bottom'),
  ]);
  const method = peaks.length ? ` The solid line is the device’s compute peak as measured on it before its runs (${peaks.map((p) => p.method ?? 'method not recorded').join('; ')}).` : ' No compute peak was measured for these runs’ devices (a GPU device, or runs recorded before the probe existed), so only the observed best is drawn.';
  return {
    ...base,
    spec,
    caption:
      'x: model FLOPs per sample × mean rows per model run (from the server’s batching statistics where it gives them, else the request batch size). ' +
      'y: model FLOPs × inferences/s.' +
      method +
      ' The dashed line is the best FLOP/s any valid run reached: runs far below the ceiling at the same x lose their time to queueing and overhead rather than compute; bigger batches move right.' +
      (invalid ? ' Hollow points are invalid runs.' : ''),
  };
}

export function buildPlots(data: ReportData): Plot[] {
  const plots = [
    throughputLatencyPlot(data),
    paretoPlot(data),
    latencyCdfPlot(data),
    latencyPercentilePlot(data),
    heatmapPlot(data),
    rooflinePlot(data),
    serverTimePlot(data),
    batchSizePlot(data),
  ];
  // Without a single run each plot's own reason would be a guess; say what happened once, the same everywhere.
  if (!data.runs.length) return plots.map(({ id, title }) => ({ id, title, caption: '', note: 'No completed runs in this sweep: see the failed jobs below.' }));
  return plots;
}
