/** The server's side of each run: where a request's time went (queue, compute, transport) and the batch sizes it ran. */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from './data';
import { CONFIG, runLabel, WIDTH, type Plot } from './plot-kit';
import { timeSplit } from './server-side';

const PARTS = ['queue', 'compute', 'other in server', 'in server (not split)', 'transport'] as const;
const PART_COLORS = ['#f28e2b', '#4e79a7', '#76b7b2', '#9c755f', '#bab0ac'];
const ROW = 24;

/** One bar segment per part and run, ms; a negative transport (the server's mean above the client's) is drawn as 0. */
export function serverTimeSegments(data: ReportData) {
  const out: { run: string; part: string; order: number; ms: number; invalid: boolean }[] = [];
  const negative: string[] = [];
  for (const r of data.runs) {
    const s = timeSplit(r);
    if (!s) continue;
    const run = runLabel(r, data.paramKeys);
    if (s.transportUs < 0) negative.push(run);
    const parts: (number | null)[] = [s.queueUs, s.computeUs, s.otherServerUs, s.unsplitServerUs, Math.max(0, s.transportUs)];
    parts.forEach((us, order) => {
      if (us !== null) out.push({ run, part: PARTS[order], order, ms: us / 1000, invalid: r.valid === false });
    });
  }
  return { segments: out, negative };
}

export function serverTimePlot(data: ReportData): Plot {
  const base = { id: 'server-time', title: 'Where a request’s time went: queue, compute, transport' } as const;
  const { segments, negative } = serverTimeSegments(data);
  if (!segments.length) {
    return { ...base, caption: '', note: 'No server statistics with queue, compute or request times were recorded for this sweep’s runs (an external endpoint reports none).' };
  }
  const runs = [...new Set(segments.map((s) => s.run))];
  const used = PARTS.filter((p) => segments.some((s) => s.part === p));
  const spec = {
    width: WIDTH,
    height: Math.max(runs.length * ROW, 100),
    config: CONFIG,
    data: { values: segments },
    mark: { type: 'bar', height: ROW - 6 },
    encoding: {
      y: { field: 'run', type: 'nominal', title: null, sort: runs, axis: { labelLimit: 220 } },
      x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'mean time per request (ms)' },
      color: { field: 'part', type: 'nominal', title: 'part', scale: { domain: used, range: used.map((p) => PART_COLORS[PARTS.indexOf(p)]) }, sort: used },
      order: { field: 'order', type: 'quantitative' },
      opacity: { condition: { test: 'datum.invalid', value: 0.4 }, value: 1 },
    },
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'Per run, the client’s mean latency split by the server’s own statistics for the measured window: queue (waiting for a model run, batching included), compute (the model’s run), ' +
      'other time the server counts (Triton’s tensor copies and request handling), and transport: the client’s mean latency less the server’s time — network, HTTP and (de)serialisation. ' +
      'The built-in server reports no request time, so its transport also holds its own HTTP handling; MLServer gives its request time only (“not split”).' +
      (segments.some((s) => s.invalid) ? ' Faded: invalid runs.' : '') +
      (negative.length ? ` For ${negative.join(', ')} the server’s mean exceeded the client’s, so transport is drawn as 0.` : ''),
  };
}

/** Per run with batch sizes: the share of its model runs at each size. */
export function batchSizeCells(data: ReportData) {
  const labels = new Map(data.runs.map((r) => [r.runId, runLabel(r, data.paramKeys)]));
  const totals = new Map<string, number>();
  for (const b of data.batchSizes) if (labels.has(b.runId)) totals.set(b.runId, (totals.get(b.runId) ?? 0) + b.count);
  return data.batchSizes
    .filter((b) => labels.has(b.runId) && (totals.get(b.runId) ?? 0) > 0)
    .map((b) => {
      const share = b.count / (totals.get(b.runId) as number);
      return { run: labels.get(b.runId) as string, size: b.batchSize, count: b.count, share, label: share >= 0.995 ? '100%' : `${(share * 100).toPrecision(2)}%` };
    });
}

export function batchSizePlot(data: ReportData): Plot {
  const base = { id: 'batch-sizes', title: 'Batch sizes the server ran' } as const;
  const cells = batchSizeCells(data);
  if (!cells.length) return { ...base, caption: '', note: 'No run of this sweep recorded the server’s batch sizes (MLServer and external endpoints do not report them).' };
  const runs = data.runs.map((r) => runLabel(r, data.paramKeys)).filter((l) => cells.some((c) => c.run === l));
  const sizes = [...new Set(cells.map((c) => c.size))].sort((a, b) => a - b);
  const spec = {
    width: Math.min(Math.max(sizes.length * 44, 200), WIDTH),
    height: Math.max(runs.length * ROW, 100),
    config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'right', direction: 'vertical', columns: 1 } },
    data: { values: cells },
    encoding: {
      x: { field: 'size', type: 'ordinal', title: 'rows per model run', sort: sizes, axis: { labelAngle: 0 } },
      y: { field: 'run', type: 'nominal', title: null, sort: runs, axis: { labelLimit: 220 } },
    },
    layer: [
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 }, encoding: { color: { field: 'share', type: 'quantitative', title: 'share of model runs', scale: { scheme: 'blues', domain: [0, 1] }, legend: { format: '%' } } } },
      {
        mark: { type: 'text', fontSize: 10.5 },
        encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.share > 0.55', value: 'white' }, value: '#1f2328' } },
      },
    ],
  } as TopLevelSpec;
  return {
    ...base,
    spec,
    caption:
      'Per run, the share of the server’s model runs that held each number of rows (server_batch_sizes): dynamic batching at work shows as weight right of the request batch size. ' +
      'A run with everything at one size never merged requests.',
  };
}
