/**
 * A model that cannot be batched, served with serving.batching, is bad input: `validate` (the preflight, also run
 * by `run` and the sweep's plan) refuses it at its YAML line, and should one reach a server anyway (a job planned
 * before its file changed), the job fails once with a message that says why — no retry on other devices —
 * through the real server child, the real measure activity and the scheduler of a two-device cluster.
 */
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { encodeModel, tensorValueInfo } from '../../activities/compile/onnx-build';
import { spawnServer } from '../../activities/serve/server-process';
import { parseConfig } from '../../configs/load';
import type { benchmarkWorkflow } from '../../workflows/benchmark';
import { LEADER_QUEUE } from '../../workflows/queues';
import { servebench } from '../support/cli';
import { startTestCluster } from '../support/workers';

const MESSAGE = /serving\.batching: model "fixed[^"]*" cannot be batched: .*x \[1, 4\].*; remove serving\.batching to serve it unbatched/;

/** x [1, 4] → Relu → y [1, 4]: a fixed first dim, so no batch dimension to batch along. */
function fixedBatchModel(dir: string): string {
  const file = join(dir, 'fixed.onnx');
  writeFileSync(file, encodeModel({ name: 'fixed', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [tensorValueInfo('x', [1, 4])], output: [tensorValueInfo('y', [1, 4])] }));
  return file;
}

test('the server child reports an unbatchable model as a non-retryable InvalidConfig', async () => {
  const model = fixedBatchModel(mkdtempSync(join(tmpdir(), 'sb-unbatchable-')));
  const err = await spawnServer({ modelPath: model, modelName: 'fixed', instances: 1, intraOpThreads: 1, interOpThreads: 1, batching: { maxBatchSize: 4, maxQueueDelayMs: 1 } }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'InvalidConfig', nonRetryable: true });
  expect((err as Error).message).toMatch(MESSAGE);
});

test('validate refuses serving.batching on a model without a batch dimension, at its line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-unbatchable-'));
  const model = fixedBatchModel(dir);
  const file = join(dir, 'cfg.yaml');
  writeFileSync(file, `name: unbatchable\nmodel: { path: ${model} }\nserving:\n  batching: { maxBatchSize: 4 }\nworkload: { mode: concurrency, concurrency: 1 }\n`);
  const home = join(dir, '.servebench');
  const r = await servebench(['validate', file], { SERVEBENCH_HOME: home });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${file}: serving.batching (line 4): model "fixed" cannot be batched`);
  expect(r.stderr).toMatch(/x \[1, 4\], y \[1, 4\] has none; remove serving\.batching to serve it unbatched/);
  // The same model without serving.batching is fine.
  writeFileSync(file, `name: unbatchable\nmodel: { path: ${model} }\nworkload: { mode: concurrency, concurrency: 1 }\n`);
  expect((await servebench(['validate', file], { SERVEBENCH_HOME: home })).code).toBe(0);
});

test('a job on an unbatchable model that got past the plan fails once, on one device, with the reason', async () => {
  const cluster = await startTestCluster({ cluster: 'unbatch', node: 'ubnode', devices: ['cpu0', 'cpu1'] });
  try {
    const model = fixedBatchModel(cluster.home);
    const configYaml = `name: unbatchable
model: { path: ${model} }
serving: { batching: { maxBatchSize: 4, maxQueueDelayMs: 1 } }
workload: { mode: concurrency, concurrency: 1, warmup: 200ms, duration: 1s }
target: { cluster: unbatch, device: cpu }
`;
    // Planned without the preflight (as if the file had changed since): the server is the last line of defence.
    const config = parseConfig(configYaml, join(cluster.home, 'unbatchable.yaml'));
    const jobId = 'unbatchable-job';
    const outcome = await cluster.client.workflow.execute<typeof benchmarkWorkflow>('benchmarkWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: jobId,
      args: [{ sweepId: 'unbatchable-sweep', job: { jobId, index: 0, repeat: 0, params: {}, config } }],
    });
    expect(outcome).toMatchObject({ status: 'failed', measureAttempts: 1 });
    expect(outcome.error).toMatch(MESSAGE);
    const { rows } = await query(cluster.resultsFile, 'select status, measure_attempts, error from jobs');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', measure_attempts: 1 });
    expect(String(rows[0].error)).toMatch(MESSAGE);
  } finally {
    await cluster.stop();
  }
});
