/**
 * Bad input in the serve path is not bad luck: a model that cannot be batched, served with serving.batching,
 * fails its job once with a message that says why (no retry on other devices), through the real server child,
 * the real measure activity and the scheduler of a two-device cluster.
 */
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { encodeModel, tensorValueInfo } from '../../activities/compile/onnx-build';
import { spawnServer } from '../../activities/serve/server-process';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
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

test('a sweep job on an unbatchable model fails once, on one device, with the reason', async () => {
  const cluster = await startTestCluster({ cluster: 'unbatch', node: 'ubnode', devices: ['cpu0', 'cpu1'] });
  try {
    const model = fixedBatchModel(cluster.home);
    const configYaml = `name: unbatchable
model: { path: ${model} }
serving: { batching: { maxBatchSize: 4, maxQueueDelayMs: 1 } }
workload: { mode: concurrency, concurrency: 1, warmup: 200ms, duration: 1s }
target: { cluster: unbatch, device: cpu }
`;
    const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'unbatchable-sweep',
      args: [{ configYaml }],
    });
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0]).toMatchObject({ status: 'failed', measureAttempts: 1 });
    expect(result.jobs[0].error).toMatch(MESSAGE);
    const { rows } = await query(cluster.resultsFile, 'select status, measure_attempts, error from jobs');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', measure_attempts: 1 });
    expect(String(rows[0].error)).toMatch(MESSAGE);
  } finally {
    await cluster.stop();
  }
});
