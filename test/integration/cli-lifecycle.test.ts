/**
 * The CLI around a sweep's life, as users meet it: a sweep whose only job failed is `failed` everywhere;
 * `cancel` never hangs (no worker, dead workers); a `run` whose sweep is cancelled from another shell prints
 * what finished and exits 5; after a plain `run` (its embedded server stopped) `status` and `cancel` still work.
 * Real Temporal (the shared test server, and the CLI's own embedded one), real workers, DuckDB and CLI processes.
 */
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { answers } from '../../workers/devserver';
import { LEADER_QUEUE } from '../../workflows/queues';
import { progressQuery } from '../../workflows/signals';
import type { sweepWorkflow } from '../../workflows/sweep';
import { listWorkflows } from '../../cli/temporal-client';
import { servebench } from '../support/cli';
import { freePort } from '../support/ports';
import { useTestCluster } from '../support/workers';

const BIN = join(__dirname, '..', '..', 'bin', 'servebench.js');

/** Several seconds a job, so a sweep is still running when the test acts on it. */
const SLOW_YAML = `name: slowsweep
model: { generate: { family: mlp, layers: 1, hidden: 16, inputShape: [8], dtype: float32, seed: 4 } }
workload: { mode: concurrency, concurrency: 1, warmup: 100ms, duration: 3s }
sweep:
  workload.concurrency: [1, 2, 3, 4]
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('on a cluster (shared server, namespace servebench-lifecycle)', () => {
  const NAMESPACE = 'servebench-lifecycle';
  const cluster = useTestCluster({ namespace: NAMESPACE });
  const env = () => ({ SERVEBENCH_HOME: cluster.home, TEMPORAL_NAMESPACE: NAMESPACE });

  test('a sweep whose only job failed is failed in status, the search attribute and the results database', async () => {
    // Port 9 (discard): nothing listens there, so the job's measurement fails (non-retryable) after a valid plan.
    const yaml = `name: onefail
model: { generate: { family: mlp, layers: 1, hidden: 8, inputShape: [4], dtype: float32, seed: 6 } }
serving: { endpoint: 'http://127.0.0.1:9', model: absent }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 1s }
`;
    const result = await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'onefail-sweep',
      args: [{ configYaml: yaml }],
    });
    expect(result.jobs.map((j) => j.status)).toEqual(['failed']);

    expect((await query(cluster.resultsFile, `select status from sweeps where sweep_id = 'onefail-sweep'`)).rows).toEqual([{ status: 'failed' }]);
    const sa = await until('the search attributes', async () => {
      const d = await cluster.client.workflow.getHandle('onefail-sweep').describe();
      return d.searchAttributes.ServebenchJobsFailed ? d.searchAttributes : undefined;
    });
    expect(sa.ServebenchStatus).toEqual(['failed']);

    const one = await servebench(['status', 'onefail-sweep'], env());
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('sweep onefail-sweep (onefail): failed, 1/1 jobs done');
    const all = await until('the sweep in the visibility index', async () => {
      const r = await servebench(['status', '--json'], env());
      return (JSON.parse(r.stdout).sweeps as { sweep: string; status: string }[]).find((s) => s.sweep === 'onefail-sweep');
    });
    expect(all.status).toBe('failed');
  });

  test('cancel with the workers gone waits at most --timeout, then says what is pending', async () => {
    const handle = await cluster.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'orphaned-sweep', args: [{ configYaml: SLOW_YAML }] });
    await until('a job to start', async () => (Object.keys((await handle.query(progressQuery)).active).length > 0 ? true : undefined));
    await cluster.stop(); // the server still lists the pollers it saw: only the bounded wait can end this
    const started = Date.now();
    const r = await servebench(['cancel', 'orphaned-sweep', '--timeout', '3'], env(), 60_000);
    expect(r.stderr).toContain('cancel requested for sweep orphaned-sweep');
    expect(r.stderr).toMatch(/pending: sweep orphaned-sweep has not stopped after 3 s: \d+ jobs? still running \(orphaned-sweep\/j00\d-r0/);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }); // the cluster's is closed
    await new Client({ connection, namespace: NAMESPACE }).workflow.getHandle(handle.workflowId).terminate('test cleanup');
    await connection.close();
  });
});

test('cancel with no worker ever polling returns at once and says the cancel is pending', async () => {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  try {
    const client = new Client({ connection, namespace: 'servebench-noworker' });
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'unserved-sweep', args: [{ configYaml: SLOW_YAML }] });
    await until('the sweep in the visibility index', async () => ((await listWorkflows(client, `WorkflowId = 'unserved-sweep'`)).length ? true : undefined));
    const started = Date.now();
    const r = await servebench(['cancel', 'unserved-sweep'], { TEMPORAL_NAMESPACE: 'servebench-noworker', SERVEBENCH_HOME: mkdtempSync(join(tmpdir(), 'sb-nw-')) }, 60_000);
    expect(r.stderr).toContain('cancel requested for sweep unserved-sweep');
    expect(r.stderr).toContain('pending: no leader worker is running');
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    await handle.terminate('test cleanup');
  } finally {
    await connection.close();
  }
});

test('a run whose sweep is cancelled from another shell prints what finished and exits 5; status and cancel work after it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cancelrun-'));
  const config = join(dir, 'slow.yaml');
  writeFileSync(config, SLOW_YAML);
  const env = { ...process.env, SERVEBENCH_HOME: join(dir, '.servebench'), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
  const run = spawn(process.execPath, [BIN, 'run', config, '--id', 'cancelled-run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (d) => (stdout += d));
  run.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => run.on('exit', (code) => res(code)));
  try {
    await until('a job to finish', async () => (/^1\/4 jobs/m.test(stderr) ? true : undefined), 170_000);
    const cancel = await servebench(['cancel', 'cancelled-run'], env, 90_000);
    expect(cancel.stderr).toContain('sweep cancelled-run: cancelled');
    expect(cancel.code).toBe(0);
    expect(await exited).toBe(5);
  } finally {
    run.kill('SIGKILL');
  }
  expect(stderr).not.toMatch(/Channel has been shut down|\n\s+at /);
  expect(stderr).toMatch(/sweep cancelled-run was cancelled: [1-4] of 4 jobs had finished \(exit 5\)/);
  expect(stdout).toMatch(/j00\d-r0 .*completed/); // the summary of what finished (jobs run in any order)
  // The UI of the embedded server stopped with the run: no link to it.
  expect(stderr).not.toContain('Temporal UI');
  expect(await answers(env.TEMPORAL_ADDRESS)).toBe(false);

  // No cluster now: status answers from the results database, quickly.
  const started = Date.now();
  const status = await servebench(['status'], env);
  expect(status.code).toBe(0);
  expect(Date.now() - started).toBeLessThan(8_000);
  expect(status.stderr).toContain('no cluster is running');
  expect(status.stdout).toMatch(/cancelled-run .*cancelled/);
  const one = await servebench(['status', 'cancelled-run', '--json'], env);
  expect(JSON.parse(one.stdout)).toMatchObject({ sweep: 'cancelled-run', status: 'cancelled', total: 4 });

  // cancel starts the embedded server (as rebuild does) to find that it has ended, and stops it again.
  const again = await servebench(['cancel', 'cancelled-run'], env, 90_000);
  expect(again.stderr).toContain('sweep cancelled-run is not running (cancelled)');
  expect(again.code).toBe(2);
  expect(await answers(env.TEMPORAL_ADDRESS)).toBe(false);
});
