/**
 * serving.protocol grpc through the whole stack: a sweep (real Temporal) in which the follower starts the built-in
 * server, Triton (PyTriton), MLServer and a command (the built-in server's entry, given {grpcPort}) on the device, the load generator measures each over its KServe v2 gRPC
 * port (real @grpc/grpc-js, real onnxruntime), and DuckDB records the protocol. Needs .venv-systems (npm run
 * setup) and a build (the load generator's child runs dist/).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpModel } from '../../activities/compile/mlp';
import { startServer } from '../../activities/serve/server';
import { query } from '../../analysis/db';
import { compiledScript } from '../../activities/process/pinned-spawn';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { useTestCluster } from '../support/workers';

const serverMain = compiledScript(join(__dirname, '../../activities/serve'), 'server-main');
// The built-in server's entry as a user's command, its gRPC endpoint on the {grpcPort} the follower chose.
const COMMAND = `${process.execPath} ${serverMain} '{"modelPath":"{model}","modelName":"{name}","port":{port},"grpcPort":{grpcPort},"instances":1,"intraOpThreads":1,"interOpThreads":1,"batching":{"maxBatchSize":{maxBatchSize},"maxQueueDelayMs":{maxQueueDelayMs}}}'`;

const SWEEP_YAML = `
name: grpc-systems
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 11 }
serving:
  protocol: grpc
  batching: { maxBatchSize: 4, maxQueueDelayMs: 1 }
  command: { run: ${JSON.stringify(COMMAND)} }
workload: { mode: concurrency, concurrency: 2, warmup: 300ms, duration: 1500ms, tensorFormat: binary }
sweep:
  serving.system: [builtin, triton, mlserver, command]
`;

describe('serving.protocol grpc', () => {
  const cluster = useTestCluster();

  test('builtin, triton, mlserver and a command measured over gRPC: valid runs, no errors, protocol recorded, server counts the window', async () => {
    const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'itest-grpc-systems',
      args: [{ configYaml: SWEEP_YAML, configFile: 'grpc.yaml' }],
    });
    expect(result.jobs.map((j) => [j.params['serving.system'], j.status, j.error])).toEqual([
      ['builtin', 'completed', undefined],
      ['triton', 'completed', undefined],
      ['mlserver', 'completed', undefined],
      ['command', 'completed', undefined],
    ]);
    const runs = await query(
      cluster.resultsFile,
      `select r.serving_system, r.protocol, r.tensor_format, r.valid, r.ok, r.errors, r.error_counts, r.completed_in_window, r.request_bytes, s.requests
       from runs r left join server_stats s using (run_id) order by r.run_id`,
    );
    expect(runs.rows.map((r) => [r.serving_system, r.protocol, r.tensor_format, r.valid, r.errors])).toEqual([
      ['builtin', 'grpc', 'binary', true, 0],
      ['triton', 'grpc', 'binary', true, 0],
      ['mlserver', 'grpc', 'binary', true, 0],
      ['command', 'grpc', 'binary', true, 0],
    ]);
    for (const r of runs.rows) {
      expect(r.ok as number).toBeGreaterThan(0);
      // A serialised ModelInferRequest: 16 FP32 values raw (64 bytes) plus names and shape.
      expect(r.request_bytes as number).toBeGreaterThan(64);
      expect(r.request_bytes as number).toBeLessThan(200);
    }
    // The built-in server counts exactly the requests marked measured (gRPC metadata): the window's, give or take
    // one in flight at each edge per outstanding request.
    const builtin = runs.rows[0];
    expect(Math.abs((builtin.requests as number) - (builtin.completed_in_window as number))).toBeLessThanOrEqual(2 * 2);
  });

  test('an external server over gRPC is serving.endpoint host:port; one that refuses fails its job saying where and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-grpc-ext-'));
    const modelPath = join(dir, 'mlp.onnx');
    writeFileSync(modelPath, buildMlpModel({ family: 'mlp', layers: 1, hidden: 16, inputShape: [8], outputSize: 4, dtype: 'float32', seed: 5 }).bytes);
    const server = await startServer({ modelPath, modelName: 'ext', instances: 1, intraOpThreads: 1, interOpThreads: 1, grpcPort: 0 });
    const refused = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    try {
      const yaml = `
name: grpc-external
model:
  generate: { family: mlp, layers: 1, hidden: 16, inputShape: [8], dtype: float32, seed: 5 }
serving: { protocol: grpc, model: ext }
workload: { mode: concurrency, concurrency: 2, warmup: 200ms, duration: 1s }
sweep:
  serving.endpoint: [127.0.0.1:${server.grpcPort}, 127.0.0.1:${refused}]
`;
      const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
        taskQueue: LEADER_QUEUE,
        workflowId: 'itest-grpc-external',
        args: [{ configYaml: yaml, configFile: 'ext.yaml' }],
      });
      expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'failed']);
      expect(result.jobs[1].error).toContain(`serving.endpoint 127.0.0.1:${refused}`);
      expect(result.jobs[1].error).toContain('UNAVAILABLE: connection refused (ECONNREFUSED)');
      const runs = await query(cluster.resultsFile, `select r.serving_system, r.protocol, r.valid, r.errors from runs r join results res using (run_id) where res.sweep = 'grpc-external'`);
      expect(runs.rows).toHaveLength(1);
      expect(runs.rows[0]).toMatchObject({ serving_system: 'external', protocol: 'grpc', valid: true, errors: 0 });
      // The server counted the run's measured requests: they came over its gRPC port.
      expect(server.stats().requests).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
