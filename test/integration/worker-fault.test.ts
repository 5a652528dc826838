/**
 * A fault loses no result and duplicates none: the follower process is SIGKILLed in the middle of a
 * measurement; its KServe server child goes with it; the measure activity times out on its heartbeat and runs
 * again on a restarted follower; the job is recorded exactly once, with the attempt count saying what happened.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { workerProcess } from '../support/worker-process';

const NAMESPACE = 'servebench-fault';

const CONFIG = `name: fault
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 5 }
workload: { mode: concurrency, concurrency: 2, warmup: 500ms, duration: 4s }
`;

function worker(role: 'leader' | 'follower', home: string): ChildProcess {
  return workerProcess(role === 'leader' ? ['leader'] : ['follower', '--node', 'faultnode', '--devices', 'cpu'], home, NAMESPACE);
}

/** Pids of built-in KServe servers started by this test's followers (they inherit its SERVEBENCH_HOME). */
function servers(home: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('server-main') && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SERVEBENCH_HOME=${home}`);
    } catch {
      return false; // gone meanwhile
    }
  });
}

test('a follower killed mid-measurement: the job is retried on the restarted follower and recorded once', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sb-fault-'));
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: NAMESPACE });
  const leader = worker('leader', home);
  let follower = worker('follower', home);
  try {
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'fault-sweep',
      args: [{ configYaml: CONFIG, configFile: 'fault.yaml' }],
    });
    const job = client.workflow.getHandle('fault-sweep/j000-r0');

    // Wait until the measurement is running, then kill the follower without warning.
    for (let i = 0; ; i++) {
      const pending = await job.describe().then((d) => d.raw.pendingActivities ?? [], () => []);
      const measuring = pending.some((a) => a.activityType?.name === 'measure' && a.lastStartedTime && (a.heartbeatDetails?.payloads?.length ?? 0) > 0);
      if (measuring && servers(home).length > 0) break;
      if (i > 600) throw new Error('the measurement never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
    follower.kill('SIGKILL');
    await new Promise((r) => follower.once('exit', r));

    // The server child notices its parent is gone and exits: no orphan keeps the device busy.
    for (let i = 0; servers(home).length > 0; i++) {
      if (i > 100) throw new Error(`orphaned server processes: ${servers(home).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    follower = worker('follower', home);
    const result = await handle.result();
    expect(result.jobs.map((j) => j.status)).toEqual(['completed']);
    expect(result.jobs[0].measureAttempts).toBe(2);
  } finally {
    follower.kill('SIGTERM');
    leader.kill('SIGTERM');
    await Promise.all([follower, leader].map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
    await connection.close();
  }
  const rows = await query(join(home, 'results.duckdb'), 'select (select count(*) from jobs) as jobs, (select count(*) from runs) as runs, (select max(measure_attempts) from jobs) as attempts');
  expect(rows.rows).toEqual([{ jobs: 1, runs: 1, attempts: 2 }]);
});
