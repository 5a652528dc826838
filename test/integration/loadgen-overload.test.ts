/**
 * Every workload mode driven into overload on purpose, against an in-process server that answers one request at
 * a time, 10 ms each (100 req/s at most). Open-loop modes offered 150 req/s must be invalid with the saturation in
 * words and report the server's capacity, not the offered rate; closed-loop modes cannot overload a server (they
 * wait for it), so they stay valid at its capacity; a run whose every request failed has no latency at all.
 */
import { runLoad, type LoadOptions, type LoadResult } from '../../activities/loadgen/driver';
import { buildInferBody, fetchModelMetadata } from '../../activities/loadgen/request';
import { startFake, type Fake } from '../support/fake-kserve';

const SERVICE_MS = 10;
const CAPACITY = 1000 / SERVICE_MS;
const OFFERED = 150;

let fake: Fake;
let common: Pick<LoadOptions, 'baseUrl' | 'modelName' | 'body' | 'seed' | 'warmupMs' | 'durationMs'>;

beforeAll(async () => {
  fake = await startFake({ delayMs: 0, serialMs: SERVICE_MS });
  const body = Buffer.from(buildInferBody(await fetchModelMetadata(fake.url, 'mlp'), 1, 1));
  common = { baseUrl: fake.url, modelName: 'mlp', body, seed: 1, warmupMs: 300, durationMs: 3000 };
});
afterAll(() => fake.close());

/** The server's own pace bounds what any honest client reports (timers can only make it slower). */
function atMostCapacity(r: LoadResult): void {
  expect(r.throughput).toBeLessThanOrEqual(CAPACITY * 1.05);
  expect(r.throughput).toBeGreaterThan(0);
}

function saturated(r: LoadResult): void {
  expect(r.verdict.valid).toBe(false);
  const reason = r.verdict.reasons.find((x) => x.startsWith('server saturated: '));
  expect(reason).toMatch(/^server saturated: \d+(\.\d)? of 1\d\d(\.\d)? req\/s completed/);
  expect(r.inflightAtEnd).toBeGreaterThan(10); // the backlog at the end is counted apart, not as throughput
  expect(r.completedInWindow).toBeLessThan(r.requests);
  atMostCapacity(r);
}

describe('open loop past capacity: invalid, throughput = capacity, backlog counted apart', () => {
  test('server (Poisson): completions fall behind and latency grows through the run', async () => {
    const r = await runLoad({ ...common, mode: 'server', rate: OFFERED });
    saturated(r);
    expect(r.verdict.reasons.join(' ')).toMatch(/latency grew through the run \(p50 [\d.]+ m?s → [\d.]+ m?s/);
    // Offered 150/s but the window holds ~100/s of completions: the old accounting reported ~150.
    expect(r.achievedRate).toBeGreaterThan(OFFERED * 0.8);
  });

  test('constant', async () => {
    saturated(await runLoad({ ...common, mode: 'constant', rate: OFFERED }));
  });

  test('burst', async () => {
    saturated(await runLoad({ ...common, mode: 'burst', burst: { size: 15, everyMs: 100 } }));
  });

  test('trace', async () => {
    const offsets = Array.from({ length: 150 }, (_, i) => (i * 1000) / OFFERED);
    saturated(await runLoad({ ...common, mode: 'trace', trace: offsets }));
  });

  test('progressive over rate: stepping ends at the saturated step; the knee is the last valid one below it', async () => {
    const r = await runLoad({ ...common, mode: 'progressive', durationMs: 1500, progressive: { over: 'rate', start: 30, factor: 2.5, maxSteps: 4 } });
    const steps = r.steps!;
    expect(steps.map((s) => s.level)).toEqual([30, 75, 187.5].slice(0, steps.length));
    const last = steps[steps.length - 1];
    expect(last.valid).toBe(false);
    expect(last.stop).toMatch(/^step invalid: .*server saturated/);
    expect(r.knee).not.toBeNull();
    expect(steps[r.knee!.index].valid).toBe(true);
    expect(r.knee!.level).toBeLessThan(CAPACITY);
    expect(r.verdict.valid).toBe(true); // the row is the knee step's
  });
});

describe('closed loop past capacity: the client waits, so the run is valid at the server’s capacity', () => {
  test('concurrency far beyond what the server runs at once', async () => {
    const r = await runLoad({ ...common, mode: 'concurrency', concurrency: 20 });
    expect(r.verdict.reasons.filter((x) => !x.startsWith('load generator saturated'))).toEqual([]);
    atMostCapacity(r);
    expect(r.latency.p50Ms!).toBeGreaterThanOrEqual(20 * SERVICE_MS * 0.9); // the queue is in the latency
  });

  test('single-stream', async () => {
    const r = await runLoad({ ...common, mode: 'single-stream' });
    expect(r.verdict.valid).toBe(true);
    atMostCapacity(r);
  });

  test('offline: every sample counts, over the time to answer them all', async () => {
    // 300 samples take 3 s at the server's pace, more on a starved host: maxDuration (10 × 500 ms by default)
    // must not be what ends the run.
    const r = await runLoad({ ...common, mode: 'offline', samples: 300, durationMs: 500, maxDurationMs: 60_000 });
    expect(r.verdict.reasons).toEqual([]);
    expect(r.verdict.valid).toBe(true);
    expect(r.requests).toBeGreaterThanOrEqual(300);
    expect(r.inflightAtEnd).toBe(0);
    expect(r.measuredMs).toBeGreaterThanOrEqual(((300 - 1) * SERVICE_MS) * 0.9);
    atMostCapacity(r);
  });
});

test('a run whose every request timed out: null latencies, the dominant error in words, invalid', async () => {
  // One request at a time: each waits its 5 ms out, so the client (and the fake server in this process) idles between
  // them; at 4 the timed-out requests' reconnects kept this process ~98% busy, and the saturation check rightly said so.
  const r = await runLoad({ ...common, mode: 'concurrency', concurrency: 1, durationMs: 500, requestTimeoutMs: SERVICE_MS / 2 });
  expect(r.loadgenCpuPct!).toBeLessThan(90);
  expect(r.ok).toBe(0);
  expect(r.throughput).toBe(0);
  expect(r.latency).toMatchObject({ count: 0, p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null });
  expect(r.verdict.valid).toBe(false);
  expect(r.verdict.reasons).toEqual([`all ${r.errors.toLocaleString('en-US')} requests timed out after 5 ms`]);
  expect(r.errorCounts).toEqual([{ message: 'timed out after 5 ms', count: r.errors }]);
});
