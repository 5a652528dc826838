/**
 * The built-in KServe v2 server over real HTTP on 127.0.0.1 with real onnxruntime.
 *
 * Model instances run in worker threads and spawnServer runs a child process;
 * both need compiled JS, which ts-jest does not produce. So beforeAll compiles
 * activities/serve with the project's tsconfig into dist/ (as `npm test`'s
 * `tsc` would) and the code under test finds it there (activities/serve/compiled.ts).
 */
import { spawn } from 'node:child_process';
import { buildServeJs } from '../support/serve-js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { Worker } from 'node:worker_threads';
import { buildMlpModel } from '../../activities/compile/mlp';
import { startServer, type RunningServer } from '../../activities/serve/server';
import { spawnServer } from '../../activities/serve/server-process';

const ROOT = path.resolve(__dirname, '..', '..');
const IN = 4;
const OUT = 3;
let dir: string;
let mlpPath: string;
let dtypesPath: string;
let reference: Worker;


/** Identity per datatype, all [batch, n]: checks every datatype survives JSON → tensor → JSON. */
const DTYPES: [string, number][] = [
  ['FP32', 1], ['UINT8', 2], ['INT8', 3], ['INT32', 6], ['INT64', 7], ['BOOL', 9], ['FP16', 10], ['FP64', 11],
];
function dtypesModel(): Uint8Array {
  const vi = (name: string, elemType: number) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'n' }] } } },
  });
  const graph = {
    name: 'dtypes',
    node: DTYPES.map(([dt]) => ({ opType: 'Identity', input: [dt.toLowerCase()], output: [`${dt.toLowerCase()}_out`] })),
    input: DTYPES.map(([dt, t]) => vi(dt.toLowerCase(), t)),
    output: DTYPES.map(([dt, t]) => vi(`${dt.toLowerCase()}_out`, t)),
  };
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }),
  ).finish();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'serve-test-'));
  buildServeJs();
  mlpPath = path.join(dir, 'mlp.onnx');
  const mlp = buildMlpModel({ family: 'mlp', layers: 2, hidden: 32, inputShape: [IN], outputSize: OUT, dtype: 'float32', seed: 7 });
  writeFileSync(mlpPath, mlp.bytes);
  dtypesPath = path.join(dir, 'dtypes.onnx');
  writeFileSync(dtypesPath, dtypesModel());
  reference = startReference(mlpPath);
  reference.on('message', (m: { id: number; data: number[] }) => {
    pendingReference.get(m.id)?.(m.data);
    pendingReference.delete(m.id);
  });
});

afterAll(async () => {
  await reference?.terminate();
  rmSync(dir, { recursive: true, force: true });
});

const base = { modelName: 'mlp', instances: 1, intraOpThreads: 1, interOpThreads: 1 };

async function call(url: string, method = 'GET', body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const rowsOf = (n: number, seed = 0): number[][] =>
  Array.from({ length: n }, (_, r) => Array.from({ length: IN }, (_, c) => Math.sin(seed * 13 + r * IN + c)));
const inferBody = (rows: number[][], id?: string) => ({ id, inputs: [{ name: 'input', shape: [rows.length, IN], datatype: 'FP32', data: rows }] });

/**
 * Unbatched onnxruntime results computed in a plain worker thread: jest's sandbox
 * has its own Float32Array, which onnxruntime-node's native side rejects.
 */
function startReference(modelPath: string): Worker {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const ort = require(workerData.ort);
    const session = ort.InferenceSession.create(workerData.modelPath);
    parentPort.on('message', async ({ id, rows }) => {
      const s = await session;
      const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length]);
      const out = await s.run({ input: x });
      parentPort.postMessage({ id, data: Array.from(out.output.data) });
    });`;
  return new Worker(code, { eval: true, workerData: { ort: require.resolve('onnxruntime-node'), modelPath } });
}

const pendingReference = new Map<number, (data: number[]) => void>();
let referenceCalls = 0;
function expected(rows: number[][]): Promise<number[]> {
  const id = referenceCalls++;
  return new Promise((resolve) => {
    pendingReference.set(id, resolve);
    reference.postMessage({ id, rows });
  });
}

function expectClose(actual: number[], want: number[]): void {
  expect(actual).toHaveLength(want.length);
  let worst = 0;
  actual.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]))));
  expect(worst).toBeLessThan(1e-5);
}

describe('startServer', () => {
  let server: RunningServer;
  let model: string;
  beforeAll(async () => {
    server = await startServer({ ...base, modelPath: mlpPath, instances: 2 });
    model = `${server.url}/v2/models/mlp`;
  });
  afterAll(() => server?.close());

  it('answers health, server and model metadata', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await call(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await call(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect((await call(`${model}/ready`)).status).toBe(200);
    const meta = await call(`${server.url}/v2`);
    expect(meta.json).toEqual({ name: 'servebench', version: expect.any(String), extensions: ['binary_tensor_data', 'statistics', 'model_configuration'] });
    expect((await call(model)).json).toEqual({
      name: 'mlp',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, IN] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, OUT] }],
    });
  });

  it('infers batch 1 and batch 3 with the right shapes and values', async () => {
    const one = await call(`${model}/infer`, 'POST', inferBody(rowsOf(1), 'req-1'));
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'req-1' });
    expect(one.json.outputs[0]).toMatchObject({ name: 'output', datatype: 'FP32', shape: [1, OUT] });
    expectClose(one.json.outputs[0].data, await expected(rowsOf(1)));

    const three = await call(`${model}/versions/1/infer`, 'POST', inferBody(rowsOf(3, 1)));
    expect(three.status).toBe(200);
    expect(three.json.outputs[0].shape).toEqual([3, OUT]);
    expectClose(three.json.outputs[0].data, await expected(rowsOf(3, 1)));
  });

  it('moves large tensors to and from the instance intact (transferred, not copied)', async () => {
    const rows = rowsOf(6000, 2); // 96 KB in, 72 KB out: both over the transfer threshold
    const res = await call(`${model}/infer`, 'POST', inferBody(rows));
    expect(res.status).toBe(200);
    expect(res.json.outputs[0].shape).toEqual([6000, OUT]);
    expectClose(res.json.outputs[0].data, await expected(rows));
  });

  it('rejects bad requests with 400 and a reason', async () => {
    const badName = await call(`${model}/infer`, 'POST', { inputs: [{ name: 'pixels', shape: [1, IN], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    expect(badName.status).toBe(400);
    expect(badName.json.error).toContain("'pixels'");
    const badCount = await call(`${model}/infer`, 'POST', { inputs: [{ name: 'input', shape: [2, IN], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    expect(badCount.status).toBe(400);
    expect(badCount.json.error).toMatch(/4 elements but its shape needs 8/);
    const badShape = await call(`${model}/infer`, 'POST', { inputs: [{ name: 'input', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] });
    expect(badShape.status).toBe(400);
    const badJson = await call(`${model}/infer`, 'POST', '{"inputs": [');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatch(/invalid JSON/);
  });

  it('answers unknown models, versions and routes with 404', async () => {
    const unknown = await call(`${server.url}/v2/models/resnet/infer`, 'POST', inferBody(rowsOf(1)));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toContain('resnet');
    expect((await call(`${model}/versions/2/infer`, 'POST', inferBody(rowsOf(1)))).status).toBe(404);
    expect((await call(`${server.url}/v3/nothing`)).status).toBe(404);
  });

  it('reports and resets stats', async () => {
    await call(`${model}/servebench-stats/reset`, 'POST');
    await call(`${model}/infer`, 'POST', inferBody(rowsOf(2)));
    const stats = (await call(`${model}/servebench-stats`)).json;
    expect(stats).toMatchObject({ requests: 1, inferences: 2, batches: 1, batchSizeCounts: { 2: 1 } });
    expect(stats.computeTimeUs.mean).toBeGreaterThan(0);
    expect(server.stats()).toEqual(stats);
  });
});

describe('dynamic batching', () => {
  it('merges concurrent requests into batches of at most maxBatchSize, with unbatched results', async () => {
    const server = await startServer({ ...base, modelPath: mlpPath, batching: { maxBatchSize: 8, maxQueueDelayMs: 50 } });
    try {
      const inputs = Array.from({ length: 16 }, (_, i) => rowsOf(1, 100 + i));
      const results = await Promise.all(inputs.map((rows) => call(`${server.url}/v2/models/mlp/infer`, 'POST', inferBody(rows))));
      for (let i = 0; i < inputs.length; i++) {
        expect(results[i].status).toBe(200);
        expect(results[i].json.outputs[0].shape).toEqual([1, OUT]);
        expectClose(results[i].json.outputs[0].data, await expected(inputs[i]));
      }
      const stats = server.stats();
      const sizes = Object.keys(stats.batchSizeCounts).map(Number);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
      expect(stats.requests).toBe(16);
      expect(stats.inferences).toBe(16);
      expect(stats.batches).toBeLessThan(16);
      expect(stats.queueTimeUs.p99).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('carries every datatype and keeps requests with different non-batch dims apart', async () => {
    const server = await startServer({ ...base, modelName: 'dtypes', modelPath: dtypesPath, batching: { maxBatchSize: 8, maxQueueDelayMs: 20 } });
    const sample = (n: number, k: number): Record<string, unknown[]> => ({
      FP32: Array.from({ length: n }, (_, i) => i + k + 0.5),
      UINT8: Array.from({ length: n }, (_, i) => (i + k) % 256),
      INT8: Array.from({ length: n }, (_, i) => (-i - k) | 0), // | 0: no -0, which JSON cannot carry
      INT32: Array.from({ length: n }, (_, i) => 100000 * (i + k)),
      INT64: Array.from({ length: n }, (_, i) => 2 ** 40 + i + k),
      BOOL: Array.from({ length: n }, (_, i) => (i + k) % 2 === 0),
      FP16: Array.from({ length: n }, (_, i) => (i + k) * 0.25),
      FP64: Array.from({ length: n }, (_, i) => Math.PI * (i + k)),
    });
    try {
      const widths = [2, 3, 2, 3, 2, 5];
      const results = await Promise.all(
        widths.map((n, k) => {
          const data = sample(n, k);
          const inputs = DTYPES.map(([dt]) => ({ name: dt.toLowerCase(), shape: [1, n], datatype: dt, data: data[dt] }));
          return call(`${server.url}/v2/models/dtypes/infer`, 'POST', { inputs }).then((r) => ({ r, data, n }));
        }),
      );
      for (const { r, data, n } of results) {
        expect(r.status).toBe(200);
        for (const out of r.json.outputs) {
          const dt = out.name.replace('_out', '').toUpperCase();
          expect(out).toEqual({ name: out.name, datatype: dt, shape: [1, n], data: data[dt] });
        }
      }
      const rows = Object.entries(server.stats().batchSizeCounts).reduce((a, [size, count]) => a + Number(size) * count, 0);
      expect(rows).toBe(widths.length);
    } finally {
      await server.close();
    }
  });
});

describe('spawnServer', () => {
  const alive = (pid: number): boolean => {
    try {
      // A zombie (exited, not yet reaped by whoever adopted it) counts as gone.
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  };
  const waitGone = async (pid: number, ms: number): Promise<boolean> => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (!alive(pid)) return true;
    return !alive(pid);
  };

  it('serves from a child process, optionally pinned to cores, and stop() ends it', async () => {
    const srv = await spawnServer({ ...base, modelPath: mlpPath, cpuList: '0' });
    try {
      expect(srv.pid).not.toBe(process.pid);
      expect(readFileSync(`/proc/${srv.pid}/status`, 'utf8')).toMatch(/Cpus_allowed_list:\s+0\n/);
      const res = await call(`${srv.url}/v2/models/mlp/infer`, 'POST', inferBody(rowsOf(2)));
      expect(res.status).toBe(200);
      expectClose(res.json.outputs[0].data, await expected(rowsOf(2)));
      expect(await srv.stats()).toMatchObject({ requests: 1, inferences: 2 });
      await srv.resetStats();
      expect((await srv.stats()).requests).toBe(0);
    } finally {
      await srv.stop();
    }
    expect(await waitGone(srv.pid, 2000)).toBe(true);
    await expect(fetch(`${srv.url}/v2/health/live`)).rejects.toThrow();
  });

  it('rejects with the child stderr reason when the server cannot start', async () => {
    await expect(spawnServer({ ...base, modelPath: path.join(dir, 'missing.onnx') })).rejects.toThrow(/cannot load model .*missing\.onnx/);
  });

  it('the child exits when its parent dies (IPC disconnect)', async () => {
    // A throwaway parent process spawns the server, reports its pid, then is SIGKILLed.
    const script = `require(${JSON.stringify(path.join(ROOT, 'dist/activities/serve/server-process.js'))})
      .spawnServer(${JSON.stringify({ ...base, modelPath: mlpPath })})
      .then((s) => console.log(JSON.stringify({ pid: s.pid })), (e) => { console.error(e); process.exit(1); });`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited with ${code}`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitGone(pid, 10_000)).toBe(true);
  });
});
