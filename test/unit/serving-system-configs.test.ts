import { parseConfig } from '../../configs/load';
import { commandSpec } from '../../activities/serve/systems/command-spec';
import { mlserverModelSettings, mlserverSettings } from '../../activities/serve/systems/mlserver-config';
import { tritonSpec } from '../../activities/serve/systems/triton-spec';
import { modelStatsOf, tritonStatsDelta } from '../../activities/serve/systems/triton-stats-delta';

const serving = (yaml: string) =>
  parseConfig(`name: s\nmodel: { generate: { family: mlp, layers: 1, hidden: 4, inputShape: [4] } }\nserving: ${yaml}\nworkload: { mode: concurrency, concurrency: 1 }\n`, 's.yaml').serving;
const model = { path: '/a/model.onnx', modelName: 'mlp_x', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 10] }] };
const ports = { http: 9000, grpc: 9001, metrics: 9002 };

describe('triton: dynamic batcher and instance group from serving settings', () => {
  test('batching maps to max_batch_size and the queue delay in µs; instances to the instance count', () => {
    expect(tritonSpec(serving('{ system: triton, instances: 2, intraOpThreads: 2, batching: { maxBatchSize: 8, maxQueueDelayMs: 1.5 } }'), model, ports, '/w')).toEqual({
      model: '/a/model.onnx', name: 'mlp_x', httpPort: 9000, grpcPort: 9001, metricsPort: 9002,
      instances: 2, intraOpThreads: 2, interOpThreads: 1, maxBatchSize: 8, maxQueueDelayUs: 1500, workspace: '/w',
    });
  });
  test('no batching: no batcher (each request alone)', () => {
    expect(tritonSpec(serving('{ system: triton }'), model, ports, '/w')).toMatchObject({ maxBatchSize: null, maxQueueDelayUs: 0 });
  });
});

describe('mlserver: settings.json and model-settings.json', () => {
  test('every endpoint on 127.0.0.1; one instance serves in-process, more are parallel workers', () => {
    expect(mlserverSettings(serving('{ system: mlserver }'), ports, '/m')).toMatchObject({ host: '127.0.0.1', http_port: 9000, grpc_port: 9001, metrics_port: 9002, metrics_dir: '/m', parallel_workers: 0 });
    expect(mlserverSettings(serving('{ system: mlserver, instances: 3 }'), ports, '/m')).toMatchObject({ parallel_workers: 3 });
  });
  test('adaptive batching in seconds, our runtime, threads, the signature', () => {
    const m = mlserverModelSettings(serving('{ system: mlserver, interOpThreads: 2, batching: { maxBatchSize: 4, maxQueueDelayMs: 2 } }'), model);
    expect(m).toEqual({
      name: 'mlp_x', implementation: 'servebench_mlserver.OnnxRuntimeModel',
      parameters: { uri: '/a/model.onnx', extra: { intraOpThreads: 1, interOpThreads: 2 } },
      inputs: model.inputs, outputs: model.outputs, max_batch_size: 4, max_batch_time: 0.002,
    });
    expect(mlserverModelSettings(serving('{ system: mlserver }'), model)).not.toHaveProperty('max_batch_size');
  });
});

describe('command: placeholders from the job', () => {
  test('every placeholder; no batching reads as batch 1, no wait', () => {
    const s = serving(`{ system: command, command: { run: "srv {model} {name} {port} {cores} {instances} {intraOpThreads} {interOpThreads} {maxBatchSize} {maxQueueDelayMs} --grpc {grpcPort}", ready: /ok } }`);
    expect(commandSpec(s, model, 8123, '0-1', 8124)).toEqual({ argv: ['srv', '/a/model.onnx', 'mlp_x', '8123', '0-1', '1', '1', '1', '1', '0', '--grpc', '8124'], readyPath: '/ok' });
  });
});

describe("Triton's statistics as deltas over the window", () => {
  const at = (success: number, queueNs: number, inferNs: number, inferences: number, executions: number, batches: [number, number][]) => ({
    model_stats: [
      { name: 'other', inference_stats: {} },
      {
        name: 'mlp_x', inference_count: inferences, execution_count: executions,
        inference_stats: { success: { count: success, ns: 0 }, fail: { count: 1, ns: 0 }, queue: { count: success, ns: queueNs }, compute_infer: { count: success, ns: inferNs } },
        batch_stats: batches.map(([batch_size, count]) => ({ batch_size, compute_infer: { count, ns: 0 } })),
      },
    ],
  });
  test('counts and means of the window only; batch sizes by model runs; no p99', () => {
    const start = modelStatsOf(at(10, 10_000_000, 20_000_000, 10, 10, [[1, 10]]), 'mlp_x');
    const end = modelStatsOf(at(110, 60_000_000, 220_000_000, 150, 40, [[1, 20], [4, 10], [6, 10]]), 'mlp_x');
    expect(tritonStatsDelta(start, end)).toEqual({
      requests: 100, inferences: 140, batches: 30, batchSizeCounts: { 1: 10, 4: 10, 6: 10 },
      queueTimeUs: { mean: 500, p99: null }, computeTimeUs: { mean: 2000, p99: null },
    });
  });
  test('a reply without the model says so', () => {
    expect(() => modelStatsOf({ model_stats: [] }, 'mlp_x')).toThrow('no statistics for model "mlp_x"');
    expect(() => modelStatsOf({ error: 'x' }, 'mlp_x')).toThrow('not Triton statistics');
  });
});
