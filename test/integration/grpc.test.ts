/**
 * KServe v2 over gRPC for real: the built-in server's gRPC endpoint (real @grpc/grpc-js, real onnxruntime) read
 * with a plain grpc-js client and measured with servebench's load generator, against its HTTP answers.
 */
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildMlpModel } from '../../activities/compile/mlp';
import { encodeGrpcRequest } from '../../activities/inputs/grpc-body';
import { runLoad } from '../../activities/loadgen/driver';
import { fetchModelMetadataGrpc, grpcServerReady } from '../../activities/loadgen/grpc-metadata';
import { fetchModelMetadata } from '../../activities/loadgen/request';
import { deserializeInferResponse, inferenceService, MODEL_INFER_PATH, serializeInferRequest } from '../../activities/serve/grpc-proto';
import { startServer, type RunningServer } from '../../activities/serve/server';
import { buildServeJs } from '../support/serve-js';

const IN = 4;
let dir: string;
let server: RunningServer;
let target: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'grpc-test-'));
  buildServeJs();
  const modelPath = path.join(dir, 'mlp.onnx');
  writeFileSync(modelPath, buildMlpModel({ family: 'mlp', layers: 2, hidden: 16, inputShape: [IN], outputSize: 3, dtype: 'float32', seed: 3 }).bytes);
  server = await startServer({ modelPath, modelName: 'mlp', instances: 1, intraOpThreads: 1, interOpThreads: 1, batching: { maxBatchSize: 4, maxQueueDelayMs: 1 }, grpcPort: 0 });
  target = `127.0.0.1:${server.grpcPort}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One raw ModelInfer call: the decoded response, or the error in grpc-js's terms. */
function infer(request: object, metadata = new grpc.Metadata()): Promise<ReturnType<typeof deserializeInferResponse>> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  const asIs = (b: Buffer) => b;
  return new Promise<ReturnType<typeof deserializeInferResponse>>((resolve, reject) => {
    client.makeUnaryRequest(MODEL_INFER_PATH, asIs, asIs, serializeInferRequest(request), metadata, (err, res) => (err ? reject(err) : resolve(deserializeInferResponse(res!))));
  }).finally(() => client.close());
}

async function httpInfer(rows: number[][]): Promise<number[]> {
  const res = await fetch(`${server.url}/v2/models/mlp/infer`, {
    method: 'POST',
    body: JSON.stringify({ inputs: [{ name: 'input', shape: [rows.length, IN], datatype: 'FP32', data: rows.flat() }] }),
  });
  const json = (await res.json()) as { outputs: { data: number[] }[] };
  return json.outputs[0].data;
}

const rows = [
  [0.5, -1, 0.25, 2],
  [1, 0, -0.5, 0.125],
];

test('readiness and metadata over gRPC say what HTTP says', async () => {
  await grpcServerReady(target);
  const viaGrpc = await fetchModelMetadataGrpc(target, 'mlp');
  const viaHttp = await fetchModelMetadata(server.url, 'mlp');
  expect(viaGrpc).toEqual({ ...viaHttp, versions: ['1'], platform: 'onnxruntime_onnx' });
  await expect(fetchModelMetadataGrpc(target, 'nope')).rejects.toThrow(`gRPC ModelMetadata at ${target} failed: NOT_FOUND: unknown model 'nope'`);
});

test('raw_input_contents and typed contents give the HTTP answer, as raw_output_contents', async () => {
  const expected = await httpInfer(rows);
  const input = { name: 'input', datatype: 'FP32', shape: [2, IN] };
  const raw = await infer({ model_name: 'mlp', id: 'r1', inputs: [input], raw_input_contents: [Buffer.from(new Float32Array(rows.flat()).buffer)] });
  expect(raw).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'r1', outputs: [{ datatype: 'FP32', shape: [2, 3] }] });
  const out = raw.raw_output_contents[0];
  expect(Array.from(new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)))).toEqual(expected);
  const typed = await infer({ model_name: 'mlp', inputs: [{ ...input, contents: { fp32_contents: rows.flat() } }] });
  expect(typed.raw_output_contents[0]).toEqual(out);
});

test('bad requests are answered with a status that says what was wrong', async () => {
  const input = { name: 'input', datatype: 'FP32', shape: [1, IN] };
  await expect(infer({ model_name: 'mlp', inputs: [input], raw_input_contents: [Buffer.alloc(8)] })).rejects.toMatchObject({
    code: grpc.status.INVALID_ARGUMENT,
    details: "input 'input': raw_input_contents[0] has 8 bytes but its shape and datatype need 16",
  });
  await expect(infer({ model_name: 'mlp', inputs: [{ ...input, name: 'x' }] })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining("unknown input 'x'") });
  await expect(infer({ model_name: 'other', inputs: [input] })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
});

test('Triton extensions perf_analyzer asks for: ModelConfig and ModelStatistics', async () => {
  const Client = grpc.makeGenericClientConstructor(inferenceService(), 'GRPCInferenceService');
  const client = new Client(target, grpc.credentials.createInsecure());
  const call = (method: string, req: object) =>
    new Promise<any>((resolve, reject) => (client as any)[method](req, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res))));
  try {
    const { config } = await call('ModelConfig', { name: 'mlp' });
    expect(config).toMatchObject({ name: 'mlp', max_batch_size: 4, input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [IN] }], dynamic_batching: { max_queue_delay_microseconds: 1000 } });
    const { model_stats } = await call('ModelStatistics', { name: 'mlp' });
    expect(model_stats[0].name).toBe('mlp');
    expect(model_stats[0].inference_stats.success.count).toBeGreaterThan(0);
  } finally {
    client.close();
  }
});

test("servebench's load generator measures the model over gRPC; the server counts its measured requests", async () => {
  const bodies = [encodeGrpcRequest('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, IN], data: new Float32Array([0.1, 0.2, 0.3, 0.4]) }], 'binary')];
  const r = await runLoad({ baseUrl: target, protocol: 'grpc', modelName: 'mlp', bodies, mode: 'concurrency', concurrency: 2, warmupMs: 200, durationMs: 1000, seed: 1 });
  expect(r.errors).toBe(0);
  expect(r.ok).toBeGreaterThan(10);
  expect(r.requestBytes).toBe(bodies[0].body.length);
  expect(r.responseBytes).toBeGreaterThan(12);
  // The measured-request mark travels as gRPC metadata: the server's count is the load generator's.
  expect(server.stats().requests).toBe(r.requests);
});

test('a refused connection is an error in words, not a crash', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const bodies = [encodeGrpcRequest('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, IN], data: new Float32Array(IN) }], 'binary')];
  const r = await runLoad({ baseUrl: `127.0.0.1:${port}`, protocol: 'grpc', modelName: 'mlp', bodies, mode: 'concurrency', concurrency: 1, warmupMs: 0, durationMs: 300, seed: 1 });
  expect(r.ok).toBe(0);
  expect(r.errorSamples).toEqual(['UNAVAILABLE: connection refused (ECONNREFUSED)']);
});

test("the server's status reaches the run's errors in words", async () => {
  const bodies = [encodeGrpcRequest('nope', [{ name: 'input', datatype: 'FP32', shape: [1, IN], data: new Float32Array(IN) }], 'binary')];
  const r = await runLoad({ baseUrl: target, protocol: 'grpc', modelName: 'nope', bodies, mode: 'concurrency', concurrency: 1, warmupMs: 0, durationMs: 200, seed: 1 });
  expect(r.ok).toBe(0);
  expect(r.errorSamples).toEqual(["NOT_FOUND: unknown model 'nope'"]);
});

test('a request past its deadline times out, and the run goes on', async () => {
  // A server that accepts the connection and never answers.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const bodies = [encodeGrpcRequest('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, IN], data: new Float32Array(IN) }], 'binary')];
    const r = await runLoad({ baseUrl: `127.0.0.1:${port}`, protocol: 'grpc', modelName: 'mlp', bodies, mode: 'concurrency', concurrency: 2, warmupMs: 0, durationMs: 300, requestTimeoutMs: 200, seed: 1 });
    expect(r.ok).toBe(0);
    expect(r.errorSamples).toEqual(['timed out after 200 ms']);
  } finally {
    silent.close();
  }
});

test("a tensor above gRPC's 4 MiB default message size goes both ways", async () => {
  const n = 1_200_000; // 4.8 MB of FP32 each way
  const modelPath = path.join(dir, 'wide.onnx');
  writeFileSync(modelPath, buildMlpModel({ family: 'mlp', layers: 1, hidden: 2, inputShape: [n], outputSize: n, dtype: 'float32', seed: 1 }).bytes);
  const wide = await startServer({ modelPath, modelName: 'wide', instances: 1, intraOpThreads: 1, interOpThreads: 1, grpcPort: 0 });
  try {
    const bodies = [encodeGrpcRequest('wide', [{ name: 'input', datatype: 'FP32', shape: [1, n], data: new Float32Array(n).fill(0.5) }], 'binary')];
    const r = await runLoad({ baseUrl: `127.0.0.1:${wide.grpcPort}`, protocol: 'grpc', modelName: 'wide', bodies, mode: 'concurrency', concurrency: 2, warmupMs: 0, durationMs: 500, seed: 1 });
    expect(r.errorSamples).toEqual([]);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.responseBytes).toBeGreaterThan(4 * n);
  } finally {
    await wide.close();
  }
});
