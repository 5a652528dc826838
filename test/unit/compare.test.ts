/** Comparing two sweeps: the bootstrap on known distributions, verdicts, the regression gate, matching, invalid runs. */
import { seededUniform } from '../../activities/rng';
import { createHistogram, encodeHistogram, recordMs, summarize } from '../../activities/loadgen/histogram';
import { beta, interval, percentile, percentileReplicates, sampleOf, throughputReplicates } from '../../analysis/compare/bootstrap';
import { compareSweeps, configDiff, gate, type CompareRun, type SideJob, type SideSweep } from '../../analysis/compare/compare';
import { histogramSample } from '../../analysis/compare/load';
import { renderComparisonMarkdown } from '../../analysis/compare/markdown';
import { parseConfidence, parseGate, renderComparisonTable } from '../../cli/commands/compare';
import { renderComparisonSection } from '../../analysis/report/comparison';

/** Exponential latencies (ms) with the given mean, rounded to 0.01 ms as a histogram would bucket them. */
function exponential(n: number, meanMs: number, seed: number): number[] {
  const u = seededUniform(seed);
  return Array.from({ length: n }, () => Math.round(-Math.log(1 - u()) * meanMs * 100) / 100 + 0.5);
}

function normalWindows(n: number, mean: number, sd: number, seed: number): number[] {
  const u = seededUniform(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

function runOf(latencies: number[], windows: number[], extra: Partial<CompareRun> = {}): CompareRun {
  const mean = windows.length ? windows.reduce((a, b) => a + b, 0) / windows.length : 100;
  return {
    repeatIndex: 0, jobError: null, ok: latencies.length, errors: 0, topError: null, valid: true, invalidReasons: [],
    inferencesPerS: mean, windows, latency: sampleOf(latencies), ...extra,
  };
}

function sweep(id: string, jobs: SideJob[], config: unknown = { name: id }): SideSweep {
  return { sweepId: id, name: id, startedAt: null, jobs, config };
}

const job = (params: Record<string, unknown>, ...runs: CompareRun[]): SideJob => ({ params, jobIndex: 0, runs });

describe('bootstrap primitives', () => {
  test('percentile of a histogram sample is what the HDR histogram reports (the stored lat_p*_ms)', () => {
    const h = createHistogram();
    for (const ms of exponential(5000, 3, 7)) recordMs(h, ms);
    const s = histogramSample(encodeHistogram(h));
    const sum = summarize(h);
    expect(percentile(s, 50)).toBe(sum.p50Ms);
    expect(percentile(s, 90)).toBe(sum.p90Ms);
    expect(percentile(s, 99)).toBe(sum.p99Ms);
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  test('Beta draws have the right mean', () => {
    const u = seededUniform(3);
    const draws = Array.from({ length: 4000 }, () => beta(u, 2, 6));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeCloseTo(2 / 8, 2);
    const small = Array.from({ length: 4000 }, () => beta(u, 0.5, 0.5));
    expect(small.reduce((a, b) => a + b, 0) / small.length).toBeCloseTo(0.5, 1);
  });

  test('the quantile bootstrap matches resampling requests one by one', () => {
    const s = sampleOf(exponential(300, 2, 11));
    const fast = interval(percentileReplicates([s], 90, 4000, seededUniform(1)), 0.9);
    // The same bootstrap done the slow way: draw 300 requests with replacement, take the 90th percentile.
    const values = s.values.flatMap((v, i) => Array(s.counts[i]).fill(v) as number[]);
    const u = seededUniform(2);
    const slow = Array.from({ length: 4000 }, () => percentile(sampleOf(values.map(() => values[Math.floor(u() * values.length)])), 90) as number);
    const [lo, hi] = interval(slow, 0.9);
    expect(Math.abs(fast[0] - lo) / lo).toBeLessThan(0.06);
    expect(Math.abs(fast[1] - hi) / hi).toBeLessThan(0.06);
  });

  test('a 90% interval of the median covers the true median in about 90% of samples', () => {
    // Exponential with mean 2 ms (+0.5 offset): true median 0.5 + 2 ln 2.
    const truth = 0.5 + 2 * Math.LN2;
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const [lo, hi] = interval(percentileReplicates([sampleOf(exponential(400, 2, 100 + t))], 50, 500, seededUniform(t)), 0.9);
      if (lo <= truth && truth <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.82);
    expect(covered / trials).toBeLessThan(0.97);
  });

  test('a 90% interval of the throughput covers the true mean in about 90% of runs', () => {
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const windows = normalWindows(30, 1000, 50, 500 + t);
      const value = windows.reduce((a, b) => a + b, 0) / windows.length;
      const [lo, hi] = interval(throughputReplicates([{ value, windows }], 500, seededUniform(t)), 0.9);
      if (lo <= 1000 && 1000 <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.8);
    expect(covered / trials).toBeLessThan(0.97);
  });

  test('repeats are resampled first: two runs with different medians give an interval spanning both', () => {
    const fast = sampleOf(exponential(2000, 1, 21));
    const slow = sampleOf(exponential(2000, 1, 22).map((x) => x + 1));
    const [lo, hi] = interval(percentileReplicates([fast, slow], 50, 2000, seededUniform(5)), 0.95);
    expect(lo).toBeLessThanOrEqual(percentile(fast, 50) as number);
    expect(hi).toBeGreaterThanOrEqual(percentile(slow, 50) as number);
    // One run alone: requests only, a far narrower interval.
    const [l1, h1] = interval(percentileReplicates([fast], 50, 2000, seededUniform(5)), 0.95);
    expect(h1 - l1).toBeLessThan((hi - lo) / 5);
  });

  test('one run with fewer than two windows gives no throughput interval; repeats give one', () => {
    expect(throughputReplicates([{ value: 100, windows: [100] }], 100, seededUniform(1))).toEqual([]);
    const r = throughputReplicates([{ value: 100, windows: [100] }, { value: 120, windows: [] }], 200, seededUniform(1));
    expect(Math.min(...r)).toBe(100);
    expect(Math.max(...r)).toBe(120);
  });
});

describe('compareSweeps', () => {
  const lat = exponential(3000, 2, 1);
  const win = normalWindows(10, 800, 20, 2);

  test('identical samples: no significant change on every metric, and A against itself the same', () => {
    const a = sweep('a', [job({ c: 1 }, runOf(lat, win))]);
    const c = compareSweeps(a, sweep('b', [job({ c: 1 }, runOf(lat, win))]));
    expect(c.matched).toHaveLength(1);
    expect(c.matched[0].verdict).toBe('no significant change');
    for (const m of c.matched[0].metrics) {
      expect(m.judgement).toBe('no significant change');
      expect(m.change.value).toBe(0);
      expect(m.change.lo as number).toBeLessThan(0);
      expect(m.change.hi as number).toBeGreaterThan(0);
    }
    expect(compareSweeps(a, a).matched[0].verdict).toBe('no significant change');
    expect(gate(c, 0).regressions).toEqual([]);
  });

  test('latencies 20% longer: slower, p99 worse, and the gate fails below 20% and passes above', () => {
    const slow = lat.map((x) => x * 1.2);
    const c = compareSweeps(sweep('a', [job({ c: 1 }, runOf(lat, win))]), sweep('b', [job({ c: 1 }, runOf(slow, win))]));
    const j = c.matched[0];
    expect(j.verdict).toBe('slower');
    const p99 = j.metrics.find((m) => m.metric === 'p99')!;
    expect(p99.judgement).toBe('worse');
    expect(p99.change.value as number).toBeGreaterThan(0.15);
    expect(j.metrics.find((m) => m.metric === 'throughput')!.judgement).toBe('no significant change');
    expect(gate(c, 10).regressions.map((r) => r.reason)).toEqual([expect.stringMatching(/^p99 ms \+\d+\.\d%$/)]);
    expect(gate(c, 50).regressions).toEqual([]);
  });

  test('throughput 20% lower is slower, 20% higher is faster', () => {
    const a = sweep('a', [job({ c: 1 }, runOf(lat, win))]);
    const down = compareSweeps(a, sweep('b', [job({ c: 1 }, runOf(lat, win.map((x) => x * 0.8)))]));
    expect(down.matched[0].verdict).toBe('slower');
    expect(down.matched[0].metrics[0]).toMatchObject({ metric: 'throughput', judgement: 'worse' });
    expect(gate(down, 5).regressions[0].reason).toMatch(/^inf\/s −20\.0%$/);
    const up = compareSweeps(a, sweep('b', [job({ c: 1 }, runOf(lat, win.map((x) => x * 1.2)))]));
    expect(up.matched[0].verdict).toBe('faster');
    expect(gate(up, 0).regressions).toEqual([]);
  });

  test('a longer median but a shorter tail is mixed; the gate looks at the metrics it is given', () => {
    // B: every latency below A's median 30% longer, the slowest 5% halved.
    const sorted = [...lat].sort((x, y) => x - y);
    const cut = sorted[Math.floor(sorted.length * 0.95)];
    const b = lat.map((x) => (x >= cut ? x / 2 : x * 1.3));
    const c = compareSweeps(sweep('a', [job({ c: 1 }, runOf(lat, win))]), sweep('b', [job({ c: 1 }, runOf(b, win))]));
    expect(c.matched[0].verdict).toBe('mixed');
    expect(c.matched[0].metrics.map((m) => m.judgement)).toEqual(['no significant change', 'worse', 'worse', 'better']);
    expect(gate(c, 10).regressions).toEqual([]);
    expect(gate(c, 10, ['p50']).regressions.map((r) => r.reason)).toEqual([expect.stringMatching(/^p50 ms \+3\d\.\d%$/)]);
  });

  test('same seed, same intervals; the result is JSON as the CLI prints it', () => {
    const mk = (): [SideSweep, SideSweep] => [sweep('a', [job({ c: 1 }, runOf(lat, win))]), sweep('b', [job({ c: 1 }, runOf(lat.map((x) => x * 1.05), win))])];
    const [a, b] = mk();
    expect(JSON.stringify(compareSweeps(a, b))).toBe(JSON.stringify(compareSweeps(...mk())));
    const other = compareSweeps(a, b, { confidence: 0.95, resamples: 2000, seed: 2 });
    expect(other.matched[0].metrics[3].change.lo).not.toBe(compareSweeps(a, b).matched[0].metrics[3].change.lo);
  });

  test('jobs are matched by parameters whatever their order; repeats pool; the rest is listed apart', () => {
    const a = sweep('a', [job({ x: 1, y: 'p' }, runOf(lat, win)), job({ x: 1, y: 'p' }, { ...runOf(lat, win), repeatIndex: 1 }), job({ x: 2, y: 'p' }, runOf(lat, win))]);
    const b = sweep('b', [job({ y: 'p', x: 1 }, runOf(lat, win)), job({ x: 3, y: 'p' }, runOf(lat, win))]);
    const c = compareSweeps(a, b);
    expect(c.matched).toHaveLength(1);
    expect(c.matched[0]).toMatchObject({ repeatsA: 2, repeatsB: 1 });
    expect(c.onlyInA).toEqual([{ x: 2, y: 'p' }]);
    expect(c.onlyInB).toEqual([{ x: 3, y: 'p' }]);
    expect(renderComparisonTable(c)).toContain('only in A (not compared): x=2, y=p');
  });

  test('B where every request failed is not compared, says why, and fails the gate', () => {
    const failed = runOf([], [], { ok: 0, errors: 50, topError: 'HTTP 500' });
    const c = compareSweeps(sweep('a', [job({ c: 1 }, runOf(lat, win))]), sweep('b', [job({ c: 1 }, failed)]));
    expect(c.matched[0].verdict).toBe('not comparable');
    expect(c.matched[0].metrics).toEqual([]);
    expect(c.matched[0].notes.join('\n')).toMatch(/B: every request failed \(50 errors, most often "HTTP 500"\)[\s\S]*nothing measured in B/);
    expect(gate(c, 50).regressions).toEqual([{ params: { c: 1 }, reason: 'B measured nothing where A did' }]);
    const both = compareSweeps(sweep('a', [job({ c: 1 }, { ...failed, jobError: 'serve: not ready' })]), sweep('b', [job({ c: 1 }, failed)]));
    expect(both.matched[0].notes.join('\n')).toMatch(/A: job failed \(serve: not ready\)[\s\S]*nothing measured in A and B/);
    expect(gate(both, 0).regressions).toEqual([]);
  });

  test('an invalid run is compared but its verdict says it is invalid', () => {
    const invalid = runOf(lat.map((x) => x * 2), win, { valid: false, invalidReasons: ['latency grew through the run'] });
    const c = compareSweeps(sweep('a', [job({ c: 1 }, runOf(lat, win))]), sweep('b', [job({ c: 1 }, invalid)]));
    expect(c.matched[0]).toMatchObject({ verdict: 'slower', invalid: true });
    expect(c.matched[0].notes.join('\n')).toContain('B: invalid run (latency grew through the run)');
    const text = renderComparisonTable(c);
    expect(text).toContain('slower (invalid run)');
    expect(renderComparisonMarkdown(c, gate(c, 5))).toMatch(/\*\*slower \(invalid run\)\*\*[\s\S]*Regression gate failed/);
  });

  test('one run of one window: throughput not judged, latency still is', () => {
    const c = compareSweeps(sweep('a', [job({}, runOf(lat, [800]))]), sweep('b', [job({}, runOf(lat.map((x) => x * 1.5), [800]))]));
    expect(c.matched[0].metrics[0]).toMatchObject({ metric: 'throughput', judgement: 'no interval' });
    expect(c.matched[0].verdict).toBe('slower');
    expect(c.matched[0].notes).toContain('inf/s: too few windows or requests for an interval, not judged');
  });

  test('what differs between the configs, swept paths and the name left out', () => {
    const a = { name: 'a', model: { generate: { hidden: 32, layers: 2 } }, workload: { concurrency: 1 }, sweep: { 'workload.concurrency': [1, 2] } };
    const b = { name: 'b', model: { generate: { hidden: 512, layers: 2 } }, workload: { concurrency: 2 }, sweep: { 'workload.concurrency': [1, 2] } };
    expect(configDiff(a, b, new Set(['workload.concurrency']))).toEqual([{ path: 'model.generate.hidden', a: 32, b: 512 }]);
  });
});

test('names and values from the database are escaped in the HTML section and the Markdown', () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const lat = exponential(500, 2, 9);
  const c = compareSweeps(sweep(hostile, [job({ m: hostile }, runOf(lat, [1, 2]))]), sweep('b', [job({ m: hostile }, runOf(lat, [1, 2]))]));
  const html = renderComparisonSection(c);
  expect(html).not.toContain('<img');
  expect(html).toContain('&#60;img src=x');
  expect(html).toMatch(/<td class="p " rowspan="4">no significant change<\/td>/);
  expect(renderComparisonMarkdown(c)).not.toMatch(/(^|[^\\])<img/);
});

test('--gate takes metric names and refuses the rest', () => {
  expect(parseGate(undefined)).toEqual(['throughput', 'p99']);
  expect(parseGate('p50, p99')).toEqual(['p50', 'p99']);
  expect(() => parseGate('p95')).toThrow(/--gate: expected metrics among throughput, p50, p90, p99 \(comma-separated\), got "p95"/);
});

test('--confidence takes 95 or 0.95 and refuses the rest', () => {
  expect(parseConfidence('95')).toBe(0.95);
  expect(parseConfidence('0.9')).toBe(0.9);
  expect(parseConfidence(undefined)).toBe(0.95);
  expect(() => parseConfidence('100')).toThrow(/--confidence: expected a level such as 95 or 0.95, got "100"/);
  expect(() => parseConfidence('abc')).toThrow(/--confidence/);
});
