/** The report's pure parts: value formatting, axes, plot specs from rows, SVG rendering, HTML escaping, Markdown. */
import type { ParetoPoint, ReportData, RunInfo } from '../../analysis/report/data';
import { hostsOf, paramKeysOf, percentileCdf } from '../../analysis/report/data';
import { hostFacts, hostName } from '../../analysis/report/host-text';
import { oneInN, percentilePoints, percentileTicks } from '../../analysis/report/plot-percentiles';
import { batchSizeCells, serverTimeSegments } from '../../analysis/report/plot-server';
import { timeSplit } from '../../analysis/report/server-side';
import { errorSummary, errorText, invalidRuns, runsWithoutSuccess } from '../../analysis/report/verdicts';
import { matmulGflops } from '../../activities/probe/peak-matmul';
import { compareValues, configLabel, formatNumber, formatSi, formatTime, shortKeys } from '../../analysis/report/format';
import { escapeHtml, renderHtml } from '../../analysis/report/html';
import { escapeMarkdown, renderMarkdown } from '../../analysis/report/markdown';
import { buildPlots, heatmapPlot, paretoPlot, rooflinePlot, throughputLatencyPlot } from '../../analysis/report/plots';
import { renderSvg } from '../../analysis/report/render';
import { latencyAxis, logAxis, logTicks, roundLog } from '../../analysis/report/scales';
import { defaultReportName } from '../../cli/commands/report';

const C = 'workload.concurrency';
const B = 'serving.batching.maxBatchSize';

function run(i: number, params: Record<string, unknown>, ips: number, p99: number, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    runId: `r${i}`, jobIndex: i, repeatIndex: 0, params, modelName: 'mlp', modelParameters: 1000, modelFlops: 2e6, device: 'cpu',
    mode: 'concurrency', batchSize: 1, throughput: ips, inferencesPerS: ips, requests: 100, errors: 0,
    p50Ms: p99 / 3, p90Ms: p99 / 2, p95Ms: p99 / 1.5, p99Ms: p99, p999Ms: p99 * 1.5, maxMs: p99 * 2,
    meetsSlo: p99 <= 2, valid: true, invalidReasons: [], meanMs: p99 / 2.5, ok: 100, errorCounts: [], errorSamples: [], node: 'n1', provider: 'cpu',
    costPerMillion: null, joulesPerInference: null, rowsPerModelRun: null, system: 'builtin', server: null, ...extra,
  };
}

/** A run of sweep s1 on the Pareto front. */
const front = (r: RunInfo): ParetoPoint => ({
  runId: r.runId, sweepId: 's1', sweepName: 'grid', jobIndex: r.jobIndex, params: r.params, modelName: 'mlp', device: 'cpu', p99Ms: r.p99Ms as number, inferencesPerS: r.inferencesPerS,
});

function data(over: Partial<ReportData> = {}): ReportData {
  const runs = [
    run(0, { [C]: 1, [B]: 1 }, 2400, 1.2),
    run(1, { [C]: 1, [B]: 8 }, 600, 4.3),
    run(2, { [C]: 4, [B]: 1 }, 5500, 1.6, { rowsPerModelRun: 1 }),
    run(3, { [C]: 4, [B]: 8 }, 5100, 2.5, { rowsPerModelRun: 3.5 }),
  ];
  return {
    sweep: { sweepId: 's1', name: 'grid', status: 'completed', jobsTotal: 4, jobsDone: 4, jobsFailed: 0, sloP99Ms: 2, startedAt: '2025-01-02T10:00:00.000Z', finishedAt: null },
    paramKeys: [C, B],
    runs,
    failedJobs: [],
    cdf: runs.flatMap(percentileCdf),
    cdfFromPercentiles: runs.map((r) => r.runId),
    pareto: [runs[0], runs[2]].map((r) => front(r)),
    best: { runId: 'r2', jobIndex: 2, params: runs[2].params, meanInferencesPerS: 5500, worstP99Ms: 1.6, repeats: 1 },
    batchSizes: [],
    hosts: [],
    ...over,
  };
}

/** The values of one data set in a (possibly layered) Vega-Lite spec. */
function layerData(spec: unknown, i: number): Record<string, unknown>[] {
  const s = spec as { data?: { values: Record<string, unknown>[] }; layer: { data?: { values: Record<string, unknown>[] } }[] };
  return (s.layer[i].data ?? s.data)?.values ?? [];
}

describe('format', () => {
  test('numbers, keys, labels, order, times', () => {
    expect([2424.7, 12.345, 0.372, 0.4, 3, null].map(formatNumber)).toEqual(['2424.7', '12.35', '0.372', '0.400', '3', '–']);
    expect([...shortKeys(['workload.batchSize', 'serving.batching.maxBatchSize', 'a.rate', 'b.rate']).values()]).toEqual(['batchSize', 'maxBatchSize', 'a.rate', 'b.rate']);
    expect(configLabel({ [C]: 4, [B]: 'x' }, [C, B])).toBe('concurrency=4, maxBatchSize=x');
    expect([10, 2, 'b', 'a10', 'a9'].sort(compareValues)).toEqual([2, 10, 'a9', 'a10', 'b']);
    expect(formatTime('2025-01-02T10:00:00.000Z')).toBe('2025-01-02 10:00:00 UTC');
    expect(formatSi(2.34e10)).toBe('23.4 G');
    expect(paramKeysOf([{ b: 1, a: 2 }, { c: 3, a: 1 }])).toEqual(['b', 'a', 'c']);
    expect(defaultReportName('my sweep/2025-01-02T10:00Z')).toBe('report-my_sweep_2025-01-02T10_00Z.html');
  });
});

describe('scales', () => {
  test('log ticks at round numbers, log only over a decade of latency', () => {
    expect(logTicks(0.05, 100)).toEqual([0.1, 1, 10, 100]);
    expect(logTicks(2e9, 30e9)).toEqual([2e9, 5e9, 10e9, 20e9]);
    expect([roundLog(2.4, false), roundLog(2.4, true), roundLog(0.07, true)]).toEqual([2, 3, 0.07]);
    expect(latencyAxis([1, 2, 4]).scale).toEqual({ type: 'linear', zero: false });
    expect(latencyAxis([1, 50]).scale).toMatchObject({ type: 'log' });
    // All values equal: the domain is widened around them instead of collapsing.
    const scale = logAxis([5e6, 5e6], '~s').scale as { domain: [number, number] };
    expect(scale.domain[0]).toBeLessThan(5e6);
    expect(scale.domain[1]).toBeGreaterThan(5e6);
  });
});

describe('plot specs from rows', () => {
  test('throughput vs latency: one point per run with a p99, and the SLO line', () => {
    const d = data();
    d.runs[1].p99Ms = null;
    const plot = throughputLatencyPlot(d);
    expect(layerData(plot.spec, 0).map((v) => v.x)).toEqual([1.2, 1.6, 2.5]);
    expect(layerData(plot.spec, 0)[0]).toEqual({ x: 1.2, y: 2400, config: '1 · 1', verdict: 'valid', system: 'builtin' });
    expect(JSON.stringify(plot.spec)).not.toContain('serving system'); // one system: no shapes
    expect(JSON.stringify(plot.spec)).toContain('SLO p99 ≤ 2 ms');
    expect(JSON.stringify(throughputLatencyPlot(data({ sweep: { ...d.sweep, sloP99Ms: null } })).spec)).not.toContain('SLO');
  });

  test('heatmap: mean per cell over repeats, levels in numeric order; a note below two parameters', () => {
    const d = data();
    d.runs.push(run(4, { [C]: 4, [B]: 8 }, 4900, 2.6));
    const spec = heatmapPlot(d).spec as unknown as { data: { values: Record<string, unknown>[] }; encoding: { x: { sort: string[] }; y: { sort: string[] } } };
    expect(spec.data.values).toContainEqual({ a: '4', b: '8', y: 5000, label: '5000' });
    expect(spec.data.values).toHaveLength(4);
    expect(spec.encoding.x.sort).toEqual(['1', '4']);
    expect(spec.encoding.y.sort).toEqual(['8', '1']);
    const one = heatmapPlot(data({ paramKeys: [C] }));
    expect(one.spec).toBeUndefined();
    expect(one.note).toContain('one parameter (workload.concurrency)');
    expect(heatmapPlot(data({ paramKeys: [] })).note).toContain('no parameters');
  });

  test('pareto: a legend for every point: runs by configuration, other sweeps’ front points by sweep and job, a ring for the front', async () => {
    const d = data();
    d.pareto.push({ runId: 'old', sweepId: 'other', sweepName: 'earlier', jobIndex: 3, params: {}, modelName: 'mlp', device: 'cpu', p99Ms: 9, inferencesPerS: 9000 });
    d.runs[1].valid = false;
    const plot = paretoPlot(d);
    // Layers: the front's line, this sweep's runs, the other sweeps' front points, the rings, the hollow-point key.
    expect(layerData(plot.spec, 1).map((v) => [v.config, v.verdict])).toEqual([['1 · 1', 'valid'], ['1 · 8', 'invalid'], ['4 · 1', 'valid'], ['4 · 8', 'valid']]);
    expect(layerData(plot.spec, 2)).toEqual([expect.objectContaining({ config: "sweep 'earlier', job 3", ours: false })]);
    expect(layerData(plot.spec, 3).map((v) => v.x)).toEqual([1.2, 1.6, 9]);
    expect(plot.caption).toContain('1 of them from other sweeps');
    const { svg, warnings } = await renderSvg(plot.spec!);
    expect(warnings).toEqual([]);
    for (const entry of ['1 · 1', '1 · 8', '4 · 1', '4 · 8', "sweep 'earlier', job 3", 'on the front', '○ hollow: invalid run']) expect(svg).toContain(`>${entry}<`);
  });

  test('roofline: FLOPs per model run from server batching, else batch size; ceiling at the best FLOP/s; a note without FLOPs', () => {
    const plot = rooflinePlot(data());
    const values = layerData(plot.spec, 0);
    expect(values.map((v) => v.x)).toEqual([2e6, 2e6, 2e6, 7e6]);
    expect(values.map((v) => v.y)).toEqual([4.8e9, 1.2e9, 1.1e10, 1.02e10]);
    expect(JSON.stringify(plot.spec)).toContain('best observed: 11 GFLOP/s');
    const none = data();
    for (const r of none.runs) r.modelFlops = null;
    expect(rooflinePlot(none).spec).toBeUndefined();
    expect(rooflinePlot(none).note).toContain('No FLOPs estimate');
  });

  test('every spec renders to SVG with marks and without Vega warnings; data text in the SVG is escaped', async () => {
    const d = data();
    d.runs[0].params[C] = '</text><script>alert(1)</script>';
    // Every plot drawn: server numbers and batch sizes for each run, one invalid run (hollow, dashed, faded).
    for (const r of d.runs) r.server = { requests: 100, inferences: 100, batches: 60, queueMeanUs: 300, computeMeanUs: 150, requestMeanUs: null, computeInputMeanUs: null, computeOutputMeanUs: null };
    d.batchSizes = d.runs.flatMap((r) => [{ runId: r.runId, batchSize: 1, count: 40 }, { runId: r.runId, batchSize: 3, count: 20 }]);
    d.runs[3].valid = false;
    const plots = buildPlots(d);
    expect(plots.filter((p) => !p.spec).map((p) => p.id)).toEqual([]);
    for (const plot of plots) {
      const { svg, warnings } = await renderSvg(plot.spec!);
      expect(warnings).toEqual([]);
      expect(svg).toMatch(/^<svg /);
      expect(svg).toMatch(/<(path|circle|rect)\b/);
      expect(svg).not.toMatch(/<script|xmlns/);
    }
    const { svg } = await renderSvg(throughputLatencyPlot(d).spec!);
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;');
  });
});

describe('a sweep over serving systems', () => {
  const S = 'serving.system';
  const server = (over: Partial<NonNullable<RunInfo['server']>>) => ({
    requests: 900, inferences: 900, batches: 450, queueMeanUs: 1100, computeMeanUs: 70, requestMeanUs: null, computeInputMeanUs: null, computeOutputMeanUs: null, ...over,
  });
  function systems(): ReportData {
    const runs = [
      run(0, { [S]: 'builtin' }, 1500, 1.2, { system: 'builtin', server: server({}), rowsPerModelRun: 2, meanMs: 1.5 }),
      run(1, { [S]: 'triton' }, 940, 1.9, { system: 'triton', server: server({ computeMeanUs: 1700, requestMeanUs: 2900 }), rowsPerModelRun: 1.8, meanMs: 3.2 }),
      run(2, { [S]: 'mlserver' }, 980, 1.7, { system: 'mlserver', server: server({ inferences: null, batches: null, queueMeanUs: null, computeMeanUs: null, requestMeanUs: 1712.4 }), meanMs: 2 }),
    ];
    return data({ paramKeys: [S], runs, cdf: runs.flatMap(percentileCdf), cdfFromPercentiles: runs.map((r) => r.runId), best: null, pareto: [front(runs[0])] });
  }

  test('throughput vs latency and the Pareto plot give each system its own shape, named in a legend', async () => {
    const d = systems();
    for (const [plot, runsLayer] of [[throughputLatencyPlot(d), 0], [paretoPlot(d), 1]] as const) {
      const shape = (plot.spec as unknown as { layer: { encoding?: { shape?: { field: string; scale: { domain: string[] } } } }[] }).layer[runsLayer].encoding!.shape!;
      expect(shape.field).toBe('system');
      expect(shape.scale.domain).toEqual(['builtin', 'triton', 'mlserver']);
      expect(layerData(plot.spec, runsLayer).map((v) => v.system)).toEqual(['builtin', 'triton', 'mlserver']);
      expect(plot.caption).toContain('its shape the serving system');
      const { svg, warnings } = await renderSvg(plot.spec!);
      expect(warnings).toEqual([]);
      expect(svg).toContain('serving system'); // the legend's title
      for (const s of ['builtin', 'triton', 'mlserver']) expect(svg).toContain(`>${s}<`);
    }
  });

  test('the server-side table lists each system with its numbers, and – where the system gives none', () => {
    const html = renderHtml(systems(), [], '2025-01-02T10:00:00.000Z');
    const section = html.slice(html.indexOf('<section class="server-side">'));
    expect(section).toContain('Server-side, per system');
    const rows = [...section.matchAll(/<tr><td class="p">([^<]+)<\/td><td class="p">(\d+)<\/td>((?:<td>[^<]*<\/td>)+)<\/tr>/g)].map((m) => [m[1], m[2], ...[...m[3].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1])]);
    expect(rows).toEqual([
      ['builtin', '0', '900', '2', '1100', '70', '–', '1500', '330'],
      ['triton', '1', '900', '1.80', '1100', '1700', '2900', '3200', '300'],
      ['mlserver', '2', '900', '–', '–', '–', '1712.4', '2000', '287.6'],
    ]);
    const md = renderMarkdown(systems());
    expect(md).toContain('| mlserver | 2 | 900 | – | – | – | 1712.4 | 2000 | 287.6 |');
  });

  test('a system column in the runs table when runs of several systems do not sweep serving.system; none for one system', () => {
    const d = systems();
    d.paramKeys = [];
    for (const r of d.runs) r.params = {};
    const html = renderHtml(d, [], '2025-01-02T10:00:00.000Z');
    expect(html).toContain('<th class="p">job</th><th class="p">system</th>');
    expect(html).toContain('<td class="p">0</td><td class="p">builtin</td>');
    expect(renderMarkdown(d)).toContain('| job | system | inf/s |');
    const swept = renderHtml(systems(), [], '2025-01-02T10:00:00.000Z');
    expect(swept).not.toContain('<th class="p">job</th><th class="p">system</th>'); // serving.system is a column already
    const one = renderHtml(data(), [], '2025-01-02T10:00:00.000Z');
    expect(one).not.toContain('<th class="p">system</th>');
    expect(one).not.toContain('<section class="server-side">'); // no server statistics in these runs
  });
});

describe('html', () => {
  test('escapeHtml covers markup and attribute quotes', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;');
    expect(escapeHtml(null)).toBe('');
  });

  test('a page with a hostile name, keys and values has no markup from them', () => {
    const d = data({ sweep: { ...data().sweep, name: '<img src=x onerror=alert(1)>', sweepId: '"><script>' }, paramKeys: ['<b>k</b>'] });
    d.runs[0].params['<b>k</b>'] = '<i>v</i>';
    d.failedJobs.push({ jobIndex: 9, repeatIndex: 0, params: {}, error: '<marquee>boom' });
    // Reasons, errors and host facts come from the database too.
    d.runs[1] = { ...d.runs[1], valid: false, ok: 0, invalidReasons: ['"><b>reason</b>'], errorCounts: [{ message: '<i>HTTP 500</i>', count: 2 }] };
    d.hosts = hostsOf([{ runId: 'r0', node: '<u>n</u>', host: { cpuModel: '<b>cpu</b>', hostname: '<i>h</i>', peakMethod: '<u>m</u>' }, provider: '<b>p</b>' }]);
    const html = renderHtml(d, [{ plot: { id: 'heatmap', title: 'H', caption: '', note: '<u>note</u>' } }], '2025-01-01T00:00:00.000Z');
    expect(html).not.toMatch(/<(img|script|b|i|marquee|u)\b/);
    expect(html).toContain('<title>servebench report: &#60;img src=x onerror=alert(1)&#62;</title>');
    expect(html).toContain('&#60;i&#62;v&#60;/i&#62;');
    expect(html).toContain('<dd>&#60;b&#62;cpu&#60;/b&#62;</dd>');
    expect(html).toContain('title="&#34;&#62;&#60;b&#62;reason&#60;/b&#62;"');
    expect(html).toContain('<li>&#60;i&#62;HTTP 500&#60;/i&#62; <small>(2×)</small></li>');
  });

  test('plots come before notes; the best row is marked; cost and energy columns only when known', () => {
    const d = data();
    const plots = buildPlots(data({ paramKeys: [C] })).map((plot) => ({ plot, svg: plot.spec ? '<svg><rect/></svg>' : undefined }));
    const html = renderHtml(d, plots, 'now');
    const order = [...html.matchAll(/id="plot-([a-z-]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['throughput-latency', 'pareto', 'latency-cdf', 'latency-percentiles', 'roofline', 'heatmap', 'server-time', 'batch-sizes']);
    expect(html).toContain('<tr class="best">');
    expect(html).not.toContain('$ / 1M');
    d.runs[0].costPerMillion = 0.12;
    expect(renderHtml(d, plots, 'now')).toContain('$ / 1M');
    expect(renderHtml(data({ best: null }), [], 'now')).toContain('No configuration met the SLO');
    expect(buildPlots(data({ runs: [] })).map((p) => p.note)).toEqual(Array(8).fill('No completed runs in this sweep: see the failed jobs below.'));
  });
});

describe('markdown', () => {
  test('summary: sweep line, best under SLO, one table row per run, failures', () => {
    const d = data();
    d.failedJobs.push({ jobIndex: 4, repeatIndex: 1, params: { [C]: 8, [B]: 8 }, error: 'timed out' });
    const md = renderMarkdown(d);
    expect(md).toContain('# servebench report: grid');
    expect(md).toContain('Sweep s1 · completed · 4/4 jobs done, 0 failed · 4 runs · p99 SLO 2 ms');
    expect(md).toContain('**Best under SLO:** job 2, concurrency=4, maxBatchSize=1: 5500 inferences/s at p99 1.60 ms');
    expect(md).toContain('| job | concurrency | maxBatchSize | inf/s | p50 ms | p99 ms | p99.9 ms | errors | SLO | verdict |');
    expect(md).toContain('| 1 | 1 | 8 | 600 | 1.43 | 4.30 | 6.45 | 0 | missed | valid |');
    // The roofline's numbers in words: no host recorded a peak here.
    expect(md).toContain('Compute: best observed 11 GFLOP/s; no measured peak');
    expect(md).toContain('- failed: job 4 r1 (concurrency=8, maxBatchSize=8): timed out');
    expect(renderMarkdown(data({ best: null, sweep: { ...d.sweep, sloP99Ms: null } }))).toContain('**Best under SLO:** none (no SLO set)');
  });

  test('escapes what would change the rendering', () => {
    expect(escapeMarkdown('a|b <img> *x* `c` [l](u)\nnext my_sweep')).toBe('a\\|b \\<img\\> \\*x\\* \\`c\\` \\[l\\](u) next my_sweep');
  });
});

describe('what the run recorded', () => {
  const stats = (over: Partial<NonNullable<RunInfo['server']>>): NonNullable<RunInfo['server']> => ({
    requests: 100, inferences: 100, batches: 50, queueMeanUs: null, computeMeanUs: null, requestMeanUs: null, computeInputMeanUs: null, computeOutputMeanUs: null, ...over,
  });

  test('time split: request time where the server gives it, else queue + compute; transport is the rest of the client’s mean', () => {
    // Built-in: no request time, so the server's time is queue + compute.
    expect(timeSplit(run(0, {}, 1, 1, { meanMs: 2, server: stats({ queueMeanUs: 300, computeMeanUs: 1200 }) }))).toEqual({
      queueUs: 300, computeUs: 1200, otherServerUs: null, unsplitServerUs: null, serverUs: 1500, transportUs: 500, clientUs: 2000, basis: 'queue + compute',
    });
    // Triton: request time beyond queue and compute is the server's other time.
    expect(timeSplit(run(0, {}, 1, 1, { meanMs: 3, server: stats({ queueMeanUs: 300, computeMeanUs: 1200, requestMeanUs: 2000 }) }))).toMatchObject({
      otherServerUs: 500, unsplitServerUs: null, serverUs: 2000, transportUs: 1000, basis: 'request time',
    });
    // MLServer: request time only, not split.
    expect(timeSplit(run(0, {}, 1, 1, { meanMs: 2, server: stats({ requestMeanUs: 1500 }) }))).toMatchObject({ queueUs: null, otherServerUs: null, unsplitServerUs: 1500, transportUs: 500 });
    // Nothing to split: no server numbers, no latency, or no time at all.
    expect(timeSplit(run(0, {}, 1, 1, { server: null }))).toBeNull();
    expect(timeSplit(run(0, {}, 1, 1, { meanMs: null, server: stats({ queueMeanUs: 1, computeMeanUs: 1 }) }))).toBeNull();
    expect(timeSplit(run(0, {}, 1, 1, { meanMs: 1, server: stats({ queueMeanUs: 1 }) }))).toBeNull();
  });

  test('server-time segments in part order per run; a negative transport drawn as 0 and named', () => {
    const d = data();
    d.runs[0].server = stats({ queueMeanUs: 200, computeMeanUs: 300 });
    d.runs[0].meanMs = 1;
    d.runs[1].server = stats({ queueMeanUs: 900, computeMeanUs: 900 });
    d.runs[1].meanMs = 1.5;
    d.runs[1].valid = false;
    const { segments, negative } = serverTimeSegments(d);
    expect(segments.map((s) => [s.run, s.part, s.ms])).toEqual([
      ['job 0 · 1 · 1', 'queue', 0.2], ['job 0 · 1 · 1', 'compute', 0.3], ['job 0 · 1 · 1', 'transport', 0.5],
      ['job 1 · 1 · 8 (invalid)', 'queue', 0.9], ['job 1 · 1 · 8 (invalid)', 'compute', 0.9], ['job 1 · 1 · 8 (invalid)', 'transport', 0],
    ]);
    expect(segments.filter((s) => s.invalid).map((s) => s.run)).toEqual(Array(3).fill('job 1 · 1 · 8 (invalid)'));
    expect(negative).toEqual(['job 1 · 1 · 8 (invalid)']);
  });

  test('batch sizes: each run’s share of model runs per size; runs outside the sweep ignored', () => {
    const d = data();
    d.batchSizes = [
      { runId: 'r0', batchSize: 1, count: 30 }, { runId: 'r0', batchSize: 4, count: 10 },
      { runId: 'r3', batchSize: 8, count: 5 }, { runId: 'elsewhere', batchSize: 2, count: 9 },
    ];
    expect(batchSizeCells(d).map((c) => [c.run, c.size, c.share, c.label])).toEqual([
      ['job 0 · 1 · 1', 1, 0.75, '75%'], ['job 0 · 1 · 1', 4, 0.25, '25%'], ['job 3 · 4 · 8', 8, 1, '100%'],
    ]);
  });

  test('percentiles on a 1-in-N axis: 99% at 100, ticks up to the first nine past the data, 100% left out', () => {
    expect([0.5, 0.9, 0.99, 0.999].map(oneInN).map((x) => Math.round(x))).toEqual([2, 10, 100, 1000]);
    expect(percentileTicks(40)).toEqual([2, 10, 100]);
    expect(percentileTicks(100)).toEqual([2, 10, 100]);
    expect(percentileTicks(2500)).toEqual([2, 10, 100, 1000, 10000]);
    const d = data();
    d.runs[1].valid = false;
    const points = percentilePoints(d, (r) => r.runId);
    // percentileCdf gives p50 … p99.9 and max; max (fraction 1) has no place on the axis.
    expect(points.filter((p) => p.run === 'r1').map((p) => [Math.round(p.x), p.y, p.verdict])).toEqual([
      [2, 4.3 / 3, 'invalid'], [10, 2.15, 'invalid'], [20, 4.3 / 1.5, 'invalid'], [100, 4.3, 'invalid'], [1000, 4.3 * 1.5, 'invalid'],
    ]);
  });

  test('verdicts: invalid runs, runs with no successful request and their errors in words', () => {
    const d = data();
    d.runs[1].valid = false;
    d.runs[1].invalidReasons = ['server saturated'];
    d.runs[3] = run(3, { [C]: 4, [B]: 8 }, 0, 0, { p99Ms: null, ok: 0, errors: 7, valid: false, errorCounts: [{ message: 'HTTP 500: boom', count: 5 }, { message: 'timed out after 1 s', count: 2 }] });
    expect(invalidRuns(d).map((r) => r.runId)).toEqual(['r1', 'r3']);
    expect(runsWithoutSuccess(d).map((r) => r.runId)).toEqual(['r3']);
    expect(errorText(d.runs[3])).toBe('HTTP 500: boom (5×); timed out after 1 s (2×)');
    // Older rows: samples without counts, or nothing but the count.
    expect(errorSummary(run(0, {}, 0, 0, { ok: 0, errors: 3, errorSamples: ['ECONNREFUSED'] }))).toEqual([{ message: 'ECONNREFUSED', count: null }]);
    expect(errorText(run(0, {}, 0, 0, { ok: 0, errors: 3 }))).toBe('3 failed requests (no message recorded)');
    expect(errorText(run(0, {}, 0, 0, { ok: 0, errors: 0, requests: 0 }))).toBe('no request completed in the measured window');
  });

  test('hosts: one entry per node and record, runs gathered, providers used; missing fields are null, not guessed', () => {
    const host = { hostname: 'box', cpuModel: 'EPYC', cores: 4, memoryBytes: 8 * 1024 ** 3, gpus: [{ index: 0, name: 'A100', memoryMiB: 40960 }], providers: ['cpu', 'cuda'], onnxruntime: '1.20.1', node: 'v20', peakGflops: 120.5, peakMethod: 'MatMul' };
    const hosts = hostsOf([
      { runId: 'a', node: 'n1', device: 'cpu', host: JSON.stringify(host), provider: 'cpu' },
      { runId: 'b', node: 'n1', device: 'gpu0', host: JSON.stringify(host), provider: 'cuda' },
      { runId: 'c', node: 'n2', host: JSON.stringify({ cpuModel: 'old' }), provider: 'cpu' },
      { runId: 'd', node: 'n3', host: null, provider: 'cpu' },
      { runId: 'e', node: 'n3', host: 'not json', provider: 'cpu' },
    ]);
    expect(hosts.map((h) => [h.node, h.runIds, h.usedProviders])).toEqual([['n1', ['a', 'b'], ['cpu', 'cuda']], ['n2', ['c'], ['cpu']]]);
    expect(hosts[1]).toMatchObject({ cores: null, memoryBytes: null, gpus: [], peakGflops: null, onnxruntime: null });
    expect(hostName(hosts[0])).toBe('n1 (box), devices cpu, gpu0');
    expect(hostName(hosts[1])).toBe('n2');
    expect(hostFacts(hosts[0])).toEqual([
      ['CPU', 'EPYC'], ['cores', '4'], ['memory', '8 GiB'], ['GPU', '0: A100 (40 GiB)'], ['onnxruntime', '1.20.1'], ['provider', 'cpu, cuda'],
      ['providers available', 'cpu, cuda'], ['measured peak', '120.5 GFLOP/s'], ['Node.js', 'v20'],
    ]);
    expect(hostFacts(hosts[1])).toEqual([['CPU', 'old'], ['GPU', 'none'], ['provider', 'cpu']]);
  });

  test('roofline: the measured peak as the ceiling with the observed best beside it; without one, the best alone', () => {
    const d = data();
    d.hosts = hostsOf(d.runs.map((r) => ({ runId: r.runId, node: 'n1', host: { cpuModel: 'x', peakGflops: 44, peakMethod: 'MatMul 512' }, provider: 'cpu' })));
    const spec = JSON.stringify(rooflinePlot(d).spec);
    expect(spec).toContain('measured peak: 44 GFLOP/s');
    expect(spec).toContain('best observed: 11 GFLOP/s (25% of peak)');
    expect(rooflinePlot(d).caption).toContain('(MatMul 512)');
    expect(rooflinePlot(data()).caption).toContain('No compute peak was measured');
    expect(renderMarkdown(d)).toContain('Compute: best observed 11 GFLOP/s (25% of peak); measured peak 44 GFLOP/s');
    d.batchSizes = [{ runId: 'r0', batchSize: 1, count: 3 }, { runId: 'r0', batchSize: 2, count: 1 }];
    expect(renderMarkdown(d)).toContain('- job 0 · 1 · 1: 1 (75%), 2 (25%)');
    expect(matmulGflops(512, 0.01)).toBeCloseTo(26.8435456, 6);
  });

  test('an invalid run: hollow in point plots, dashed in line plots, starred in the heatmap, marked in the table and listed with its reasons', () => {
    const d = data();
    d.runs[1].valid = false;
    d.runs[1].invalidReasons = ['server saturated: 80 of 100 req/s completed'];
    expect(layerData(throughputLatencyPlot(d).spec, 0).map((v) => v.verdict)).toEqual(['valid', 'invalid', 'valid', 'valid']);
    expect(JSON.stringify(throughputLatencyPlot(d).spec)).toContain('○ hollow: invalid run');
    expect(JSON.stringify(throughputLatencyPlot(data()).spec)).not.toContain('hollow');
    expect(JSON.stringify(buildPlots(d).find((p) => p.id === 'latency-cdf')!.spec)).toContain('"run verdict"');
    expect(JSON.stringify(heatmapPlot(d).spec)).toContain('"600 *"');
    expect(heatmapPlot(d).caption).toContain('*: the cell includes an invalid run');
    const html = renderHtml(d, [], 'now');
    expect(html).toContain('<tr class="invalid">');
    expect(html).toContain('<span class="verdict-invalid" title="server saturated: 80 of 100 req/s completed">invalid</span>');
    expect(html).toContain('<li>server saturated: 80 of 100 req/s completed</li>');
    expect(html).toContain('1 of 4 runs are <strong>invalid</strong>');
    expect(renderHtml(data(), [], 'now')).not.toContain('Check the verdicts');
    expect(renderMarkdown(d)).toContain('- invalid: job 1 (concurrency=1, maxBatchSize=8): server saturated: 80 of 100 req/s completed');
    expect(renderMarkdown(d)).toContain('| 1 | 1 | 8 | 600 | 1.43 | 4.30 | 6.45 | 0 | missed | **invalid** |');
  });
});
