/** What the report's plots share: the Plot type, sizes and styling, colour by configuration, how a run's verdict is drawn, the layers several plots draw alike. */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData, RunInfo } from './data';
import { compareValues, configTitle, configValues, formatValue } from './format';

/** The LLM serving section's plots. */
export type LlmPlotId = 'llm-pareto' | 'llm-ttft-percentiles' | 'llm-itl-percentiles';

export interface Plot {
  id: 'throughput-latency' | 'latency-cdf' | 'latency-percentiles' | 'heatmap' | 'pareto' | 'roofline' | 'server-time' | 'batch-sizes' | LlmPlotId;
  title: string;
  caption: string;
  /** Absent when the data cannot support the plot; `note` then says why. */
  spec?: TopLevelSpec;
  note?: string;
}

export const WIDTH = 480;
export const HEIGHT = 300;

export const CONFIG = {
  font: 'system-ui, Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#d0d4da' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#eceef1', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 200, titleLimit: 420, orient: 'bottom', direction: 'horizontal', columns: 4, columnPadding: 14 },
} as const;

export const SLO_COLOR = '#d62728';

/**
 * Colour by configuration: legend entries sorted by parameter values, one row per value of the first keys and
 * one column per value of the last, so the legend reads like the sweep's grid.
 */
export function configs(data: ReportData) {
  const keys = data.paramKeys;
  const label = (r: RunInfo): string => configValues(r.params, keys);
  const sorted = [...data.runs].sort((a, b) => keys.reduce((c, k) => c || compareValues(a.params[k], b.params[k]), 0));
  const order = [...new Set(sorted.map(label))];
  const lastLevels = keys.length ? new Set(data.runs.map((r) => formatValue(r.params[keys[keys.length - 1]]))).size : 1;
  const legend = { columns: keys.length > 1 && lastLevels <= 6 ? lastLevels : Math.min(order.length, 4) };
  const scheme = order.length <= 10 ? 'tableau10' : 'tableau20';
  return { label, color: { field: 'config', type: 'nominal', title: configTitle(keys), sort: order, scale: { scheme }, legend } };
}

/** "valid" or "invalid": a run without a verdict (recorded before run rules existed) is not held against it. */
export const verdictOf = (r: RunInfo): 'valid' | 'invalid' => (r.valid === false ? 'invalid' : 'valid');

/** A run named in a plot: "job 3 · 4 · 8", "job 3 r1 · 4 · 8" for a repeat, "(invalid)" after an invalid run. */
export function runLabel(r: RunInfo, keys: string[]): string {
  const job = `job ${r.jobIndex}${r.repeatIndex ? ` r${r.repeatIndex}` : ''}`;
  return `${job}${keys.length ? ` · ${configValues(r.params, keys)}` : ''}${r.valid === false ? ' (invalid)' : ''}`;
}

/** Invalid runs as dashed lines, with a legend; one dash pattern for all when every run is valid. */
export function verdictDash(anyInvalid: boolean): object {
  return {
    field: 'verdict',
    type: 'nominal',
    title: 'run verdict',
    scale: { domain: ['valid', 'invalid'], range: [[1, 0], [5, 3]] },
    legend: anyInvalid ? {} : null,
  };
}

/**
 * Vega-Lite draws no legend for fill opacity, so the key to hollow (invalid) points is written into the plot's
 * corner: a point plot's legend for the verdict. Nothing when every run is valid.
 */
export function invalidKey(anyInvalid: boolean, at: 'top' | 'bottom' = 'top'): object[] {
  if (!anyInvalid) return [];
  return [
    {
      data: { values: [{}] },
      mark: { type: 'text', align: 'right', baseline: at, dx: -6, dy: at === 'top' ? 6 : -6, fontSize: 11, color: '#59636e' },
      encoding: { x: { value: WIDTH }, y: { value: at === 'top' ? 0 : HEIGHT }, text: { value: '○ hollow: invalid run' } },
    },
  ];
}

/** Fill for a point layer: solid for valid runs, none for invalid ones (the outline keeps the configuration's colour). */
export const verdictFill = { field: 'verdict', type: 'ordinal', sort: ['valid', 'invalid'], scale: { domain: ['valid', 'invalid'], range: [0.85, 0] }, legend: null };

/** A layered plot in the report's size and styling; `shared` (a common encoding, a resolve) goes before the layers. */
export function layeredSpec(layer: object[], shared: object = {}): TopLevelSpec {
  return { width: WIDTH, height: HEIGHT, config: CONFIG, ...shared, layer } as TopLevelSpec;
}

/** The runs with a p99 latency as points at (p99, inferences/s), with their configuration, verdict and serving system. */
export function p99Points(data: ReportData, label: (r: RunInfo) => string) {
  return data.runs
    .filter((r) => r.p99Ms !== null && r.p99Ms > 0)
    .map((r) => ({ x: r.p99Ms as number, y: r.inferencesPerS, config: label(r), verdict: verdictOf(r), system: r.system ?? 'unknown' }));
}

/** One line per run (rows carry `run`), coloured by configuration and dashed when invalid; `clip` keeps it inside a fixed domain. */
export function runLines(values: object[], color: object, x: object, y: object, anyInvalid: boolean, clip = false): object {
  return {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.75, interpolate: 'monotone', ...(clip ? { clip: true } : {}) },
    encoding: { x, y, color, strokeDash: verdictDash(anyInvalid), detail: { field: 'run', type: 'nominal' } },
  };
}

/**
 * The layers both Pareto plots draw: the front connected (`line`: its points in order, `lineEncoding` how they
 * join), every run coloured by configuration and hollow when invalid, `between` (other sweeps' front points),
 * then the front's points (`ring`) ringed and named in a legend. `xy` is the x and y encoding when the spec has
 * no shared one.
 */
export function paretoLayers(p: {
  line: object[];
  lineEncoding: object;
  runs: object[];
  color: object;
  shape?: object;
  between?: object[];
  ring: object[];
  xy?: object;
}): object[] {
  const xy = p.xy ?? {};
  return [
    ...(p.line.length ? [{ data: { values: p.line }, mark: { type: 'line', strokeWidth: 1.5, color: '#444' }, encoding: { ...xy, ...p.lineEncoding } }] : []),
    {
      data: { values: p.runs },
      mark: { type: 'point', filled: true, size: 70, strokeWidth: 1.75 },
      encoding: { ...xy, color: p.color, stroke: { ...p.color, legend: null }, fillOpacity: verdictFill, ...(p.shape ? { shape: p.shape } : {}) },
    },
    ...(p.between ?? []),
    ...(p.ring.length
      ? [
          {
            data: { values: p.ring },
            mark: { type: 'point', filled: false, size: 260, strokeWidth: 1.5, color: '#222' },
            encoding: { ...xy, shape: { field: 'front', type: 'nominal', title: 'Pareto front', scale: { domain: ['on the front'], range: ['circle'] } } },
          },
        ]
      : []),
  ];
}
