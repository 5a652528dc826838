import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace, percentile, simulateSingleTier, simulateTwoTier, type JobOutcome, type Trace, type TraceJob, type TraceNode } from '../../perf/scheduler-sim';
import { formatTrace, generateTrace } from '../../perf/scheduler-trace-gen';

const S = 1000;
const job = (id: string, over: Partial<TraceJob> = {}): TraceJob => ({
  id,
  sweep: 'sw',
  arrivalMs: 0,
  model: 'm',
  compileMs: 10 * S,
  measureMs: 100 * S,
  device: 'gpu',
  ...over,
});
const node = (name: string, compileSlots: number, devices: TraceNode['devices'] = [{ name: 'gpu0', type: 'gpu' }]): TraceNode => ({ node: name, compileSlots, devices });
const trace = (jobs: TraceJob[], nodes: TraceNode[] = [node('n1', 1)]): Trace => ({ cluster: { nodes }, jobs });
const by = (r: { jobs: JobOutcome[] }): Record<string, JobOutcome> => Object.fromEntries(r.jobs.map((j) => [j.id, j]));

describe('single tier (baseline)', () => {
  test('FIFO, and the device is held from compile start to measurement end; every job compiles', () => {
    // a: compile 10 s + measure 100 s; b: same model, 10 + 20 s. One GPU.
    const r = simulateSingleTier(trace([job('a'), job('b', { measureMs: 20 * S })]));
    const j = by(r);
    expect([j.a.deviceStartMs, j.a.finishMs, j.a.jctMs]).toEqual([0, 110 * S, 110 * S]);
    expect([j.b.deviceStartMs, j.b.finishMs, j.b.jctMs]).toEqual([110 * S, 140 * S, 140 * S]);
    expect(r.meanJctMs).toBe(125 * S);
    expect(r.p95JctMs).toBe(140 * S);
    expect(r.makespanMs).toBe(140 * S);
    expect(r.compiles).toBe(2);
    expect(r.deviceBusyMs).toBe(140 * S);
  });

  test('arrival order, not length: a later short job waits behind an earlier long one', () => {
    const r = simulateSingleTier(trace([job('long', { arrivalMs: 0, measureMs: 300 * S }), job('short', { arrivalMs: 1 * S, measureMs: 5 * S })]));
    // long: 0 → 310 (compile 10 + measure 300); short: 310 → 325 (compile 10 + measure 5).
    expect(by(r).short.deviceStartMs).toBe(310 * S);
    expect(by(r).short.jctMs).toBe(324 * S);
  });
});

describe('two tier (servebench)', () => {
  test('one compile for a shared model, then shortest-expected-first on the device', () => {
    // Compile of m: 0 → 10 s (b waits for it). Both ready at 10 s; b (20 s) first: 10 → 30; a: 30 → 130.
    const r = simulateTwoTier(trace([job('a'), job('b', { measureMs: 20 * S })]));
    const j = by(r);
    expect([j.a.readyMs, j.a.deviceStartMs, j.a.finishMs, j.a.compiled]).toEqual([10 * S, 30 * S, 130 * S, true]);
    expect([j.b.readyMs, j.b.deviceStartMs, j.b.finishMs, j.b.compiled]).toEqual([10 * S, 10 * S, 30 * S, false]);
    expect(r.meanJctMs).toBe(80 * S); // (130 + 30) / 2, vs 125 s for the baseline
    expect(r.p95JctMs).toBe(130 * S);
    expect(r.compiles).toBe(1);
    expect(r.deviceBusyMs).toBe(120 * S);
  });

  test('FIFO measure queue (ablation): ties in arrival go by id', () => {
    // Both ready at 10 s; a first: 10 → 110, b: 110 → 130.
    const r = simulateTwoTier(trace([job('a'), job('b', { measureMs: 20 * S })]), { order: 'fifo' });
    expect([by(r).a.finishMs, by(r).b.finishMs]).toEqual([110 * S, 130 * S]);
    expect(r.meanJctMs).toBe(120 * S);
  });

  test('without the cache (ablation) every job compiles, in the compile slots', () => {
    // One slot: a compiles 0 → 10, b 10 → 20. a measures 10 → 110 (b was not ready at 10); b 110 → 130.
    const r = simulateTwoTier(trace([job('a'), job('b', { measureMs: 20 * S })]), { cache: false });
    const j = by(r);
    expect([j.a.readyMs, j.a.finishMs, j.b.readyMs, j.b.deviceStartMs, j.b.finishMs]).toEqual([10 * S, 110 * S, 20 * S, 110 * S, 130 * S]);
    expect(r.compiles).toBe(2);
    expect(r.meanJctMs).toBe(120 * S);
  });

  test('a cached model skips the compile; a job arriving during the compile waits for it', () => {
    const r = simulateTwoTier(
      trace([job('a'), job('b', { arrivalMs: 4 * S, measureMs: 10 * S }), job('c', { arrivalMs: 200 * S, measureMs: 10 * S })], [node('n1', 1, [{ name: 'gpu0', type: 'gpu' }, { name: 'gpu1', type: 'gpu' }])]),
    );
    const j = by(r);
    // b arrives while m compiles (0 → 10 s): ready at 10 s with a. c arrives after: ready at once.
    expect([j.b.readyMs, j.b.finishMs, j.b.jctMs, j.b.compiled]).toEqual([10 * S, 20 * S, 16 * S, false]);
    expect([j.c.readyMs, j.c.deviceStartMs, j.c.jctMs, j.c.compiled]).toEqual([200 * S, 200 * S, 10 * S, false]);
    expect(r.compiles).toBe(1);
  });

  test('compile overlaps other jobs measurements; the device is held for measurements only', () => {
    // Two models, compile 50 s each, measure 100 s each, one GPU, two compile slots.
    const jobs = [job('x', { model: 'm1', compileMs: 50 * S }), job('y', { model: 'm2', compileMs: 50 * S })];
    const base = simulateSingleTier(trace(jobs, [node('n1', 2)]));
    expect(by(base).y.finishMs).toBe(300 * S); // x 0 → 150, y 150 → 300
    expect(base.meanJctMs).toBe(225 * S);
    const two = simulateTwoTier(trace(jobs, [node('n1', 2)]));
    expect([by(two).x.finishMs, by(two).y.finishMs]).toEqual([150 * S, 250 * S]); // both compiled by 50 s
    expect(two.meanJctMs).toBe(200 * S);
    expect(two.deviceBusyMs).toBe(200 * S);
  });

  test('compile slots limit the cluster tier (FIFO)', () => {
    // Three models, one slot: compiles 0 → 10, 10 → 20, 20 → 30. Three GPUs, so no device wait.
    const jobs = ['p', 'q', 'r'].map((id) => job(id, { model: `m-${id}`, measureMs: 5 * S }));
    const r = simulateTwoTier(trace(jobs, [node('n1', 1, ['gpu0', 'gpu1', 'gpu2'].map((name) => ({ name, type: 'gpu' as const })))]));
    expect(['p', 'q', 'r'].map((id) => by(r)[id].readyMs)).toEqual([10 * S, 20 * S, 30 * S]);
  });

  test('the measure is placed on the node that compiled the model (preferNodes)', () => {
    // Node order puts the compile on nb (first node with the most free slots); key order alone would pick na/gpu0.
    const r = simulateTwoTier(trace([job('a')], [node('nb', 1), node('na', 1)]));
    expect(by(r).a.deviceKey).toBe('nb/gpu0');
  });

  test('device types: a CPU job takes the CPU device while GPUs are busy', () => {
    const nodes = [node('n1', 2, [{ name: 'gpu0', type: 'gpu' }, { name: 'cpu0', type: 'cpu' }])];
    const r = simulateTwoTier(trace([job('g1', { model: 'a' }), job('g2', { model: 'a' }), job('c', { model: 'b', device: 'cpu' })], nodes));
    expect(by(r).c.deviceKey).toBe('n1/cpu0');
    expect(by(r).c.finishMs).toBe(110 * S);
    expect(by(r).g2.deviceStartMs).toBe(110 * S);
  });

  test('SEF with aging: a long job is not overtaken forever', () => {
    // One GPU; a 600 s job ready at 10 s; a 30 s job arrives every 20 s (compile cached after the first).
    const jobs = [job('long', { model: 'L', measureMs: 600 * S })];
    for (let i = 0; i < 200; i++) jobs.push(job(`s${String(i).padStart(3, '0')}`, { model: 'S', arrivalMs: i * 20 * S, measureMs: 30 * S }));
    const aged = by(simulateTwoTier(trace(jobs, [node('n1', 2)])));
    const pure = by(simulateTwoTier(trace(jobs, [node('n1', 2)]), { agingWeight: 0 }));
    expect(aged.long.deviceStartMs).toBeLessThan(1200 * S);
    expect(pure.long.deviceStartMs).toBeGreaterThan(aged.long.deviceStartMs);
  });

  test('a job no device can serve is an error, not a hang', () => {
    expect(() => simulateTwoTier(trace([job('a', { device: 'gpu' })], [node('n1', 1, [{ name: 'cpu0', type: 'cpu' }])]))).toThrow(/no device/);
    expect(() => simulateSingleTier(trace([job('a', { device: 'gpu' })], [node('n1', 1, [{ name: 'cpu0', type: 'cpu' }])]))).toThrow(/no device/);
  });
});

describe('percentile', () => {
  test('nearest rank', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBe(19);
    expect(percentile(xs, 50)).toBe(10);
    expect(percentile([3], 95)).toBe(3);
  });
});

describe('the committed trace', () => {
  const file = join(__dirname, '..', '..', 'perf', 'scheduler-trace.json');
  const text = readFileSync(file, 'utf8');
  const t = parseTrace(JSON.parse(text));

  test('is exactly the generator output (fixed seed)', () => {
    expect(formatTrace(generateTrace())).toBe(text);
  });

  test('has the shape the benchmark expects', () => {
    expect(t.jobs.length).toBeGreaterThanOrEqual(150);
    expect(t.jobs.length).toBeLessThanOrEqual(250);
    expect(new Set(t.jobs.map((j) => j.sweep)).size).toBe(40);
    for (const j of t.jobs) {
      expect(j.compileMs).toBeGreaterThanOrEqual(2 * S);
      expect(j.compileMs).toBeLessThanOrEqual(300 * S);
      expect(j.measureMs).toBeGreaterThanOrEqual(10 * S);
      expect(j.measureMs).toBeLessThanOrEqual(600 * S);
    }
    // The jobs of a sweep share one model and arrive together; some models come back in later sweeps.
    const sweeps = new Map<string, TraceJob[]>();
    for (const j of t.jobs) sweeps.set(j.sweep, [...(sweeps.get(j.sweep) ?? []), j]);
    for (const js of sweeps.values()) {
      expect(new Set(js.map((j) => j.model)).size).toBe(1);
      expect(new Set(js.map((j) => j.arrivalMs)).size).toBe(1);
    }
    expect(new Set(t.jobs.map((j) => j.model)).size).toBeLessThan(sweeps.size);
  });

  test('the two-tier scheduler beats the baseline on it, deterministically', () => {
    const base = simulateSingleTier(t);
    const two = simulateTwoTier(t);
    expect(base.meanJctMs / two.meanJctMs).toBeGreaterThanOrEqual(1.5);
    expect(simulateTwoTier(t)).toEqual(two);
    expect(two.jobs).toHaveLength(t.jobs.length);
    for (const j of two.jobs) expect(j.finishMs).toBeGreaterThanOrEqual(j.arrivalMs);
  });
});
