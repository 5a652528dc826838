/**
 * The built-in server's Triton extensions over real HTTP: what perf_analyzer needs
 * (GET /v2 extensions, model config, statistics, binary tensor data).
 * Instances are worker threads, so beforeAll compiles the serve JS into dist/ (see serve.test.ts).
 */
import { buildServeJs } from '../support/serve-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildMlpModel } from '../../activities/compile/mlp';
import { startServer, type RunningServer } from '../../activities/serve/server';

const IN = 4;
const OUT = 3;
let dir: string;
let server: RunningServer;
let model: string;


beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'serve-triton-'));
  buildServeJs();
  const modelPath = path.join(dir, 'mlp.onnx');
  const mlp = buildMlpModel({ family: 'mlp', layers: 2, hidden: 16, inputShape: [IN], outputSize: OUT, dtype: 'float32', seed: 3 });
  writeFileSync(modelPath, mlp.bytes);
  server = await startServer({
    modelPath,
    modelName: 'mlp',
    instances: 2,
    intraOpThreads: 1,
    interOpThreads: 1,
    batching: { maxBatchSize: 8, maxQueueDelayMs: 1 },
  });
  model = `${server.url}/v2/models/mlp`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as any };
};

const le = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function binaryInfer(rows: number, outputs: Record<string, unknown>) {
  const x = new Float32Array(rows * IN).map((_, i) => Math.sin(i));
  const header = Buffer.from(
    JSON.stringify({ id: 'b', inputs: [{ name: 'input', shape: [rows, IN], datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }], ...outputs }),
  );
  const res = await fetch(`${model}/infer`, {
    method: 'POST',
    headers: { 'Inference-Header-Content-Length': String(header.length), 'Content-Type': 'application/octet-stream' },
    body: Buffer.concat([header, le(x)]),
  });
  return { res, x, body: Buffer.from(await res.arrayBuffer()) };
}

test('GET /v2 lists the Triton extensions perf_analyzer checks', async () => {
  const { json } = await getJson(`${server.url}/v2`);
  expect(json.extensions).toEqual(['binary_tensor_data', 'statistics', 'model_configuration']);
});

test('GET /v2/models/{name}/config is a Triton model configuration', async () => {
  const { status, json } = await getJson(`${model}/config`);
  expect(status).toBe(200);
  expect(json).toMatchObject({
    name: 'mlp',
    platform: 'onnxruntime_onnx',
    max_batch_size: 8,
    input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [IN] }],
    output: [{ name: 'output', data_type: 'TYPE_FP32', dims: [OUT] }],
    dynamic_batching: { max_queue_delay_microseconds: 1000 },
    instance_group: [{ kind: 'KIND_CPU', count: 2 }],
  });
  expect((await getJson(`${model}/versions/1/config`)).json.name).toBe('mlp');
});

test('binary inputs and binary outputs round-trip and match the JSON answer', async () => {
  const { res, x, body } = await binaryInfer(2, { parameters: { binary_data_output: true } });
  expect(res.status).toBe(200);
  const headerLength = Number(res.headers.get('inference-header-content-length'));
  const header = JSON.parse(body.subarray(0, headerLength).toString());
  expect(header.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [2, OUT], parameters: { binary_data_size: 2 * OUT * 4 } }]);
  const tail = body.subarray(headerLength);
  expect(tail.length).toBe(2 * OUT * 4);
  const binaryOut = Array.from({ length: 2 * OUT }, (_, i) => tail.readFloatLE(i * 4));

  const jsonRes = await fetch(`${model}/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'input', shape: [2, IN], datatype: 'FP32', data: Array.from(x) }] }),
  });
  const jsonOut = ((await jsonRes.json()) as any).outputs[0].data as number[];
  binaryOut.forEach((v, i) => expect(v).toBeCloseTo(jsonOut[i], 5));
});

test('a binary request may ask for JSON outputs; per-output binary_data overrides', async () => {
  const { res, body } = await binaryInfer(1, { outputs: [{ name: 'output', parameters: { binary_data: false } }] });
  expect(res.status).toBe(200);
  expect(res.headers.get('inference-header-content-length')).toBeNull();
  expect(JSON.parse(body.toString()).outputs[0].data).toHaveLength(OUT);
});

test('a bad binary length is a 400 naming the problem', async () => {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', shape: [1, IN], datatype: 'FP32', parameters: { binary_data_size: 4 } }] }));
  const res = await fetch(`${model}/infer`, {
    method: 'POST',
    headers: { 'Inference-Header-Content-Length': String(header.length) },
    body: Buffer.concat([header, Buffer.alloc(4)]),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as any).error).toContain('binary_data_size 4');
});

test('statistics are in Triton format at /stats and /v2/models/stats; ours moved to /servebench-stats', async () => {
  const before = (await getJson(`${model}/stats`)).json.model_stats[0];
  for (let i = 0; i < 3; i++) expect((await binaryInfer(1, {})).res.status).toBe(200);
  const { json } = await getJson(`${model}/stats`);
  const s = json.model_stats[0];
  expect(s).toMatchObject({ name: 'mlp', version: '1' });
  expect(s.inference_stats.success.count - before.inference_stats.success.count).toBe(3);
  expect(s.inference_stats.success.ns).toBeGreaterThan(before.inference_stats.success.ns);
  expect(s.inference_stats.queue.count - before.inference_stats.queue.count).toBe(3);
  expect(s.inference_count - before.inference_count).toBe(3);
  expect(s.execution_count).toBeGreaterThan(0);
  expect(s.batch_stats.find((b: any) => b.batch_size === 1).compute_infer.count).toBeGreaterThan(0);
  expect((await getJson(`${server.url}/v2/models/stats`)).json.model_stats[0].name).toBe('mlp');

  const ours = (await getJson(`${model}/servebench-stats`)).json;
  expect(ours.requests).toBeGreaterThan(0);
  expect((await fetch(`${model}/servebench-stats/reset`, { method: 'POST' })).status).toBe(200);
  expect((await getJson(`${model}/servebench-stats`)).json.requests).toBe(0);
  // Triton's counters are cumulative: a reset of ours leaves them.
  expect((await getJson(`${model}/stats`)).json.model_stats[0].inference_stats.success.count).toBe(s.inference_stats.success.count);
});
