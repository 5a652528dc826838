/**
 * The load generator against a small in-process KServe v2 server on 127.0.0.1.
 * Tolerances are loose: the server shares the event loop (and a small CI
 * machine) with the generator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadOptions, type LoadProgress } from '../../activities/loadgen/driver';
import { decodeHistogram, summarize } from '../../activities/loadgen/histogram';
import { buildInferBody, fetchModelMetadata } from '../../activities/loadgen/request';
import { burstArrivals, constantArrivals, poissonSchedule, traceArrivals } from '../../activities/loadgen/schedule';
import { startFake, type Fake } from '../support/fake-kserve';

/** A port that was just free: nothing listens there. */
async function refusedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function bodyFor(url: string): Promise<Buffer> {
  const meta = await fetchModelMetadata(url, 'mlp');
  return Buffer.from(buildInferBody(meta, 2, 1));
}

function base(url: string, body: Buffer): Pick<LoadOptions, 'baseUrl' | 'modelName' | 'body' | 'seed'> {
  return { baseUrl: url, modelName: 'mlp', body, seed: 1 };
}

describe('fetchModelMetadata', () => {
  let fake: Fake;
  beforeAll(async () => (fake = await startFake({ delayMs: 0 })));
  afterAll(() => fake.close());

  it('reads v2 model metadata', async () => {
    const meta = await fetchModelMetadata(fake.url, 'mlp');
    expect(meta.name).toBe('mlp');
    expect(meta.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 3, 4] }]);
    expect(meta.outputs).toHaveLength(1);
  });

  it('names the URL when the connection is refused', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    await expect(fetchModelMetadata(url, 'mlp')).rejects.toThrow(`${url}/v2/models/mlp`);
    await expect(fetchModelMetadata(url, 'mlp')).rejects.toThrow(/connection refused/);
  });

  it('says what was wrong with the answer', async () => {
    await expect(fetchModelMetadata(fake.url, 'nope')).rejects.toThrow(/\/v2\/models\/nope returned HTTP 404: no route GET/);
    await expect(fetchModelMetadata(fake.url, 'html')).rejects.toThrow(/not JSON: <html>/);
    await expect(fetchModelMetadata(fake.url, 'odd')).rejects.toThrow(/not return KServe v2 model metadata: inputs\[0\]\.datatype/);
  });
});

describe('runLoad', () => {
  let fake: Fake;
  let body: Buffer;
  beforeAll(async () => {
    fake = await startFake({ delayMs: 5 });
    body = await bodyFor(fake.url);
  });
  afterAll(() => fake.close());

  it('closed loop: concurrency 4 against a 5 ms server gives ~800 req/s', async () => {
    const progress: LoadProgress[] = [];
    const r = await runLoad({
      ...base(fake.url, body),
      mode: 'concurrency',
      concurrency: 4,
      warmupMs: 300,
      durationMs: 1000,
      onProgress: (p) => progress.push(p),
    });
    expect(r.mode).toBe('concurrency');
    expect(r.concurrency).toBe(4);
    expect(r.targetRate).toBeNull();
    expect(r.errors).toBe(0);
    expect(r.errorSamples).toEqual([]);
    expect(r.requests).toBe(r.ok);
    expect(r.measuredMs).toBe(1000);
    // At most 4 per 5 ms. How much less depends on the machine: speed is for perf/, not for tests.
    expect(r.throughput).toBeLessThanOrEqual(800 * 1.02);
    expect(r.throughput).toBeGreaterThan(0);
    // Little's law: exactly 4 outstanding at all times, whatever the machine's speed. Over every request sent in
    // the window (throughput leaves out the last ones, still in flight at its end: a slow host makes that more).
    expect(r.completedInWindow + r.inflightAtEnd).toBe(r.requests);
    const outstanding = (((r.requests * 1000) / r.measuredMs) * r.latency.meanMs!) / 1000;
    expect(outstanding).toBeGreaterThan(3.6);
    expect(outstanding).toBeLessThan(4.1);
    expect(r.latency.p50Ms).toBeGreaterThanOrEqual(5);
    expect(r.latency.count).toBe(r.ok);
    expect(r.sendLag).toBeNull();
    expect(summarize(decodeHistogram(r.histogram)).count).toBe(r.ok);
    expect(Date.parse(r.startedAt)).not.toBeNaN();
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress) expect(p.phase).toBe(p.elapsedMs < 300 ? 'warmup' : 'measure');
    expect(progress[progress.length - 1].completed).toBeGreaterThan(0);
    // Warm-up requests were sent but are not in the result.
    expect(fake.infers()).toBeGreaterThan(r.requests);
    // Default rules: the window ends at duration; one full 1 s window; a verdict; no early stopping.
    expect(r.windows).toEqual([{ startMs: 0, throughput: expect.any(Number), p50Ms: expect.any(Number), p99Ms: expect.any(Number) }]);
    expect(r.verdict.reasons.filter((x) => !x.startsWith('load generator saturated'))).toEqual([]);
    expect(r.loadgenCpuPct).toBeGreaterThan(0);
    expect(r.earlyStopping).toBeNull();
  });

  it('open loop: Poisson 200 req/s sends its schedule and reports its send lag', async () => {
    const warmupMs = 300;
    const durationMs = 1500;
    const seed = 4;
    // Seed 4 schedules 297 sends in the window (300 expected), so ±10% tests the sender, not the dice.
    const inWindow = poissonSchedule(200, warmupMs + durationMs, seed).filter((t) => t >= warmupMs).length;
    expect(Math.abs(inWindow - 300)).toBeLessThan(10);
    const r = await runLoad({ ...base(fake.url, body), seed, mode: 'server', rate: 200, warmupMs, durationMs });
    expect(r.mode).toBe('server');
    expect(r.targetRate).toBe(200);
    expect(r.concurrency).toBeNull();
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(inWindow);
    // Loose bounds: a late sender stretches the window and lowers the rate; how late is for perf/ to measure.
    expect(Math.abs(r.achievedRate - 200)).toBeLessThan(50);
    expect(Math.abs(r.throughput - 200)).toBeLessThan(50);
    expect(r.sendLag).not.toBeNull();
    expect(r.sendLag!.p50Ms).toBeGreaterThanOrEqual(0);
    expect(r.sendLag!.p50Ms).toBeLessThanOrEqual(r.sendLag!.p99Ms);
    expect(r.sendLag!.p99Ms).toBeLessThanOrEqual(r.sendLag!.maxMs);
    expect(r.latency.p50Ms).toBeGreaterThanOrEqual(5);
  });

  it('closed loop against a refused port: every request is an error', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    const r = await runLoad({ ...base(url, body), mode: 'concurrency', concurrency: 2, warmupMs: 0, durationMs: 300 });
    expect(r.ok).toBe(0);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.errorSamples).toEqual(['connection refused (ECONNREFUSED)']);
    expect(r.latency.count).toBe(0);
    expect(r.latency.p50Ms).toBeNull(); // no latency, not a latency of 0
    expect(r.latency.p99Ms).toBeNull();
    expect(r.throughput).toBe(0);
    expect(r.verdict.reasons).toContain(`all ${r.errors.toLocaleString('en-US')} requests failed: connection refused (ECONNREFUSED)`);
  });

  it('aborting returns what was measured so far', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 700);
    const started = performance.now();
    const r = await runLoad({ ...base(fake.url, body), mode: 'concurrency', concurrency: 2, warmupMs: 200, durationMs: 10_000, signal: ac.signal });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(r.aborted).toBe(true);
    expect(r.measuredMs).toBeGreaterThan(400);
    expect(r.measuredMs).toBeLessThan(800);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.errors).toBe(0); // the requests cut off by the abort are dropped, not errors
  });

  it('a throwing onProgress stops the run with its error', async () => {
    await expect(
      runLoad({
        ...base(fake.url, body),
        mode: 'server',
        rate: 50,
        warmupMs: 0,
        durationMs: 5000,
        onProgress: () => {
          throw new Error('heartbeat failed');
        },
      }),
    ).rejects.toThrow('heartbeat failed');
  });
});

describe('runLoad errors', () => {
  it('counts and samples HTTP errors without putting them in the latency histogram', async () => {
    const fake = await startFake({ delayMs: 1, failEvery: 10 });
    try {
      const r = await runLoad({ ...base(fake.url, await bodyFor(fake.url)), mode: 'concurrency', concurrency: 4, warmupMs: 100, durationMs: 500 });
      expect(r.requests).toBe(r.ok + r.errors);
      expect(r.errors).toBeGreaterThan(0);
      expect(Math.abs(r.errors / r.requests - 0.1)).toBeLessThan(0.03);
      expect(r.errorSamples).toEqual(['HTTP 500: injected failure']);
      expect(r.latency.count).toBe(r.ok);
      expect(r.verdict.valid).toBe(false);
      expect(r.verdict.reasons).toContain(`${r.errors} errors: HTTP 500: injected failure`);
      expect(r.errorCounts).toEqual([{ message: 'HTTP 500: injected failure', count: r.errors }]);
    } finally {
      await fake.close();
    }
  });

  it('times out requests that never answer, in the open loop too', async () => {
    const fake = await startFake({ delayMs: 1, hangEvery: 5 });
    try {
      const started = performance.now();
      const r = await runLoad({
        ...base(fake.url, await bodyFor(fake.url)),
        mode: 'server',
        rate: 100,
        warmupMs: 0,
        durationMs: 500,
        requestTimeoutMs: 200,
      });
      // The schedule ends at 500 ms; stragglers get at most 200 ms more.
      expect(performance.now() - started).toBeLessThan(500 + 200 + 300);
      expect(r.errors).toBeGreaterThan(0);
      expect(r.errorSamples).toEqual(['timed out after 200 ms']);
      expect(r.requests).toBe(r.ok + r.errors);
      expect(r.latency.maxMs).toBeLessThan(200);
    } finally {
      await fake.close();
    }
  });
});

describe('runLoad against replies the raw-socket sender does not take', () => {
  /** A server whose infer replies are framed by `reply`; nothing else is needed for runLoad. */
  async function rawServer(reply: (res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => reply(res));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    return { url, close: () => new Promise((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
  }
  const body = Buffer.from('{"inputs":[]}');

  it('a chunked reply is an error that says why, not a hang or a success', async () => {
    const srv = await rawServer((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // no Content-Length: node sends it chunked
      res.write('{"outputs":');
      res.end('[]}');
    });
    try {
      const r = await runLoad({ ...base(srv.url, body), mode: 'concurrency', concurrency: 2, warmupMs: 0, durationMs: 300 });
      expect(r.ok).toBe(0);
      expect(r.errors).toBeGreaterThan(0);
      expect(r.errorSamples).toEqual([expect.stringMatching(/^HTTP 200 with Transfer-Encoding chunked \(unsupported/)]);
    } finally {
      await srv.close();
    }
  });

  it('replies that arrive in pieces, heads and error bodies split across reads, are read whole', async () => {
    // Raw TCP so the pieces leave as separate segments: the sender reads every connection into one reused
    // buffer, so a head or error body kept across reads must be its own copy, not a view of that buffer.
    const pieces = (n: number): string[] => {
      const errorBody = JSON.stringify({ error: `model says no #${n}` });
      const ok = n % 2 === 0;
      const reply = ok
        ? `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"outputs":[]}`
        : `HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${errorBody.length}\r\n\r\n${errorBody}`;
      return [reply.slice(0, 12), reply.slice(12, 40), reply.slice(40, reply.length - 5), reply.slice(reply.length - 5)];
    };
    let served = 0;
    const srv = net.createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('data', async () => {
        const n = served++;
        for (const p of pieces(n)) {
          if (socket.destroyed) return;
          socket.write(p);
          // Other connections' reads land in the shared buffer between this reply's pieces.
          await new Promise((r) => setTimeout(r, 2));
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const r = await runLoad({ ...base(url, body), mode: 'concurrency', concurrency: 4, warmupMs: 0, durationMs: 400 });
      expect(r.requests).toBeGreaterThan(20);
      expect(r.ok).toBeGreaterThan(0);
      expect(r.errors).toBeGreaterThan(0);
      // Every error is a 500 with its own body described: no head or body bytes of another reply mixed in.
      for (const e of r.errorSamples) expect(e).toMatch(/^HTTP 500: model says no #\d+$/);
      expect(r.errorCounts.reduce((n, c) => n + c.count, 0)).toBe(r.errors);
      expect(r.errorCounts.every((c) => /^HTTP 500: model says no #\d+$/.test(c.message) || c.message === 'other errors')).toBe(true);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('a reply cut short by the server is an error, counted once', async () => {
    const srv = await rawServer((res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"outputs":');
      res.socket?.destroy();
    });
    try {
      const r = await runLoad({ ...base(srv.url, body), mode: 'concurrency', concurrency: 1, warmupMs: 0, durationMs: 300 });
      expect(r.ok).toBe(0);
      expect(r.requests).toBe(r.errors);
      expect(r.errorSamples.length).toBeGreaterThan(0);
      // Depending on whether the head arrived before the reset.
      for (const e of r.errorSamples) expect(e).toMatch(/^(response aborted: |connection reset by server)/);
    } finally {
      await srv.close();
    }
  });
});

describe('runLoad run rules', () => {
  let fake: Fake;
  let body: Buffer;
  beforeAll(async () => {
    fake = await startFake({ delayMs: 20 });
    body = await bodyFor(fake.url);
  });
  afterAll(() => fake.close());
  // Concurrency 1 against a 20 ms server: at most 50 queries/s, whatever the machine.
  const oneAtATime = () => ({ ...base(fake.url, body), mode: 'concurrency' as const, concurrency: 1, warmupMs: 0 });

  it('minQueries extends a run beyond duration', async () => {
    const r = await runLoad({ ...oneAtATime(), durationMs: 200, minQueries: 30 });
    expect(r.requests).toBeGreaterThanOrEqual(30);
    expect(r.measuredMs).toBeGreaterThan(29 * 20); // 30 sequential 20 ms queries cannot fit in 200 ms
    expect(r.verdict).toEqual({ valid: true, reasons: [] });
  });

  it('maxDuration caps it, and the verdict says why', async () => {
    const r = await runLoad({ ...oneAtATime(), durationMs: 200, maxDurationMs: 400, minQueries: 1000 });
    expect(r.measuredMs).toBe(400);
    expect(r.requests).toBeLessThanOrEqual(21); // at most one per 20 ms
    expect(r.verdict.valid).toBe(false);
    expect(r.verdict.reasons).toEqual(['stopped at maxDuration 0.4 s before the rules were met', `${r.requests} queries, minQueries 1,000`]);
  });

  it('stability: runs until the last windows agree (or maxDuration), windows on the grid', async () => {
    const r = await runLoad({
      ...base(fake.url, body),
      mode: 'concurrency',
      concurrency: 4,
      warmupMs: 100,
      durationMs: 300,
      stability: { windows: 3, tolerance: 0.5, windowMs: 200 },
    });
    expect(r.windows.length).toBeGreaterThanOrEqual(3);
    for (const [i, w] of r.windows.entries()) expect(w.startMs).toBe(i * 200);
    expect(r.windows[r.windows.length - 1].startMs + 200).toBeLessThanOrEqual(r.measuredMs);
  });

  it('open loop: a rate the server sustains is valid, and early stopping runs it past duration to its floor', async () => {
    const warmupMs = 200;
    const r = await runLoad({ ...base(fake.url, body), seed: 4, mode: 'server', rate: 100, warmupMs, durationMs: 300, earlyStopping: { percentile: 95 } });
    expect(r.ok).toBeGreaterThanOrEqual(130); // LoadGen's p95 floor; ~30 would fit in 300 ms at 100/s
    expect(r.measuredMs).toBeGreaterThan(300);
    expect(r.earlyStopping).toEqual({ percentile: 95, metric: 'latency', queriesNeeded: 130, estimateMs: expect.any(Number) });
    expect(r.earlyStopping!.estimateMs).toBeGreaterThanOrEqual(20);
    // The window holds exactly the schedule's sends up to where the rules ended it.
    const sent = poissonSchedule(100, warmupMs + 10 * 300, 4).filter((t) => t >= warmupMs && t < warmupMs + r.measuredMs).length;
    expect(r.requests).toBeLessThanOrEqual(sent);
    expect(r.verdict).toEqual({ valid: true, reasons: [] });
    expect(r.loadgenCpuPct).toBeGreaterThan(0);
  });

  it('errors make a run invalid', async () => {
    const failing = await startFake({ delayMs: 1, failEvery: 3 });
    try {
      const r = await runLoad({ ...base(failing.url, await bodyFor(failing.url)), mode: 'server', rate: 50, warmupMs: 0, durationMs: 300 });
      expect(r.errors).toBeGreaterThan(0);
      expect(r.verdict.valid).toBe(false);
      expect(r.verdict.reasons).toContain(`${r.errors} ${r.errors === 1 ? 'error' : 'errors'}: HTTP 500: injected failure`);
    } finally {
      await failing.close();
    }
  });
});

describe('runLoad workload modes', () => {
  let fake: Fake;
  let body: Buffer;
  let dir: string;
  beforeAll(async () => {
    fake = await startFake({ delayMs: 5 });
    body = await bodyFor(fake.url);
    dir = mkdtempSync(join(tmpdir(), 'sb-loadgen-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fake.close();
  });
  /** Offsets a lazy schedule sends in [from, to). */
  const sendsIn = (next: () => number, from: number, to: number): number => {
    let n = 0;
    for (let t = next(); t < to; t = next()) if (t >= from) n++;
    return n;
  };
  const notSaturated = (reasons: string[]): string[] => reasons.filter((x) => !x.startsWith('load generator'));

  it('single-stream: one request at a time, closed loop', async () => {
    const r = await runLoad({ ...base(fake.url, body), mode: 'single-stream', warmupMs: 50, durationMs: 300 });
    expect(r.mode).toBe('single-stream');
    expect(r.concurrency).toBe(1);
    expect(r.targetRate).toBeNull();
    expect(r.sendLag).toBeNull();
    expect(r.errors).toBe(0);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.ok).toBeLessThanOrEqual(300 / 5 + 1); // at most one per 5 ms
    expect((r.throughput * r.latency.meanMs!) / 1000).toBeLessThan(1.05); // never more than one outstanding
  });

  it('constant: sends exactly its evenly spaced schedule in the window', async () => {
    const r = await runLoad({ ...base(fake.url, body), mode: 'constant', rate: 100, warmupMs: 100, durationMs: 500 });
    expect(r.mode).toBe('constant');
    expect(r.targetRate).toBe(100);
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(sendsIn(constantArrivals(100), 100, 600));
    expect(r.requests).toBe(50);
    expect(r.sendLag).not.toBeNull();
  });

  it('burst: size requests every interval, rate derived', async () => {
    const r = await runLoad({ ...base(fake.url, body), mode: 'burst', burst: { size: 5, everyMs: 100 }, warmupMs: 100, durationMs: 500 });
    expect(r.mode).toBe('burst');
    expect(r.targetRate).toBe(50);
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(25); // bursts at 100, 200, 300, 400, 500 ms
    expect(r.requests).toBe(sendsIn(burstArrivals(5, 100), 100, 600));
  });

  it('offline: at least `samples` queries, all outstanding at once, no rate to judge', async () => {
    const r = await runLoad({ ...base(fake.url, body), mode: 'offline', samples: 64, warmupMs: 0, durationMs: 50 });
    expect(r.mode).toBe('offline');
    expect(r.concurrency).toBe(64);
    expect(r.targetRate).toBeNull();
    expect(r.sendLag).toBeNull();
    expect(r.requests).toBeGreaterThanOrEqual(64);
    expect(r.errors).toBe(0);
    expect(r.throughput).toBeGreaterThan(0);
    expect(r.latency.count).toBe(r.ok);
    expect(notSaturated(r.verdict.reasons)).toEqual([]);
    const capped = await runLoad({ ...base(fake.url, body), mode: 'offline', samples: 20, concurrency: 4, warmupMs: 0, durationMs: 20 });
    expect(capped.concurrency).toBe(4);
    expect(capped.requests).toBeGreaterThanOrEqual(20);
  });

  it('trace: replays a file relative to the start, repeating it', async () => {
    const file = join(dir, 'trace.csv');
    writeFileSync(file, 'id,time_ms\na,0\nb,10\nc,30\n'); // period 45 ms
    const r = await runLoad({ ...base(fake.url, body), mode: 'trace', trace: file, warmupMs: 50, durationMs: 300 });
    expect(r.mode).toBe('trace');
    expect(r.targetRate).toBeCloseTo(3000 / 45, 6);
    expect(r.errors).toBe(0);
    expect(r.requests).toBe(sendsIn(traceArrivals([0, 10, 30]), 50, 350));
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '0\n10\nsoon\n');
    await expect(runLoad({ ...base(fake.url, body), mode: 'trace', trace: bad, warmupMs: 0, durationMs: 100 })).rejects.toThrow(
      `${bad}:3: expected a send offset in ms, got "soon"`,
    );
  });

  it('progressive over concurrency: steps with their stats, the result is the knee step', async () => {
    const r = await runLoad({
      ...base(fake.url, body),
      mode: 'progressive',
      progressive: { over: 'concurrency', start: 1, maxSteps: 3, stepDurationMs: 200 },
      warmupMs: 0,
      durationMs: 1000,
    });
    expect(r.mode).toBe('progressive');
    const steps = r.steps!;
    expect(steps.length).toBeGreaterThanOrEqual(1);
    expect(steps.length).toBeLessThanOrEqual(3);
    expect(steps.map((s) => s.level)).toEqual([1, 2, 4].slice(0, steps.length));
    for (const s of steps) {
      expect(Object.keys(s).sort()).toEqual(['level', 'p99Ms', 'reasons', 'stop', 'throughput', 'valid']);
      expect(s.throughput).toBeGreaterThan(0);
    }
    // Only the last step says why stepping stopped.
    expect(steps.map((s) => s.stop === null)).toEqual(steps.map((_, i) => i < steps.length - 1));
    expect(r.measuredMs).toBe(200); // a step's window, not durationMs
    expect(r.concurrency).toBe(steps[r.knee?.index ?? 0].level);
    if (r.knee) expect(r.knee.level).toBe(steps[r.knee.index].level);
  });

  it('progressive over rate: a broken SLO ends the stepping; no knee when the first step breaks it', async () => {
    const r = await runLoad({
      ...base(fake.url, body),
      mode: 'progressive',
      progressive: { over: 'rate', start: 50, factor: 2, maxSteps: 3, stepDurationMs: 200 },
      sloP99Ms: 0.001, // no 5 ms server meets it
      warmupMs: 0,
      durationMs: 200,
    });
    expect(r.steps).toHaveLength(1);
    expect(r.steps![0].stop).toMatch(/exceeds the SLO/);
    expect(r.knee).toBeNull();
    expect(r.targetRate).toBe(50);
    expect(r.requests).toBeGreaterThan(0);
  });
});
