/**
 * The load generator sends its pre-built bodies in turn, with the headers each format needs (JSON, or
 * Triton's binary tensors with Inference-Header-Content-Length), honours workload.requestTimeout, and
 * reports mean request and response bytes. Real runLoad over real HTTP against a small recording server.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRequest } from '../../activities/inputs/body';
import { runLoad } from '../../activities/loadgen/driver';

interface Seen {
  type: string | undefined;
  headerLength: string | undefined;
  body: Buffer;
}

async function recordingServer(reply: (n: number) => { body: string; delayMs?: number }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ type: req.headers['content-type'], headerLength: req.headers['inference-header-content-length'] as string | undefined, body: Buffer.concat(chunks) });
      const r = reply(seen.length);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) });
        res.end(r.body);
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const tensor = (v: number) => [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([v, v]) }];

test('bodies are sent in turn, binary ones with their header length, and their bytes are counted', async () => {
  const srv = await recordingServer(() => ({ body: '{"outputs":[]}' }));
  try {
    const bodies = [encodeRequest(tensor(1), 'binary'), encodeRequest(tensor(2), 'binary'), encodeRequest(tensor(3), 'json')];
    const r = await runLoad({ baseUrl: srv.url, modelName: 'm', bodies, mode: 'single-stream', warmupMs: 0, durationMs: 300, seed: 1 });
    expect(r.errors).toBe(0);
    expect(srv.seen.length).toBeGreaterThanOrEqual(6);
    srv.seen.forEach((s, i) => {
      const want = bodies[i % 3];
      expect(s.body.equals(want.body)).toBe(true);
      expect(s.type).toBe(want.headerLength === undefined ? 'application/json' : 'application/octet-stream');
      expect(s.headerLength).toBe(want.headerLength === undefined ? undefined : String(want.headerLength));
    });
    const sent = srv.seen.reduce((n, s) => n + s.body.length, 0) / srv.seen.length;
    expect(r.requestBytes).toBeCloseTo(sent, 6);
    expect(r.responseBytes).toBe('{"outputs":[]}'.length);
  } finally {
    await srv.close();
  }
});

test('the request timeout is the configured one: a 1.5 s reply fails at 1 s, passes at 3 s', async () => {
  const srv = await recordingServer(() => ({ body: '{}', delayMs: 1500 }));
  try {
    const opts = { baseUrl: srv.url, modelName: 'm', bodies: [encodeRequest(tensor(1), 'json')], mode: 'single-stream' as const, warmupMs: 0, durationMs: 100, seed: 1 };
    const short = await runLoad({ ...opts, requestTimeoutMs: 1000 });
    expect(short.ok).toBe(0);
    expect(short.errorSamples).toEqual(['timed out after 1 s']);
    const long = await runLoad({ ...opts, requestTimeoutMs: 3000 });
    expect(long.errors).toBe(0);
    expect(long.ok).toBe(1);
  } finally {
    await srv.close();
  }
});
