/**
 * A leader killed while it records a job's results: its recordJob activity falls silent, times out on its
 * heartbeat within seconds, and a second leader records the job, exactly once. The test holds the results
 * database's write lock itself, so the first leader's record is stuck in it (and heartbeating) when it is killed.
 */
import type { ChildProcess } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { exited, workerProcess } from '../support/worker-process';

const NAMESPACE = 'servebench-leader-fault';
/** Loose: the heartbeat timeout is 10 s; without heartbeats the record waited for its 2-minute start-to-close. */
const RECOVERY_BOUND_MS = 30_000;

const CONFIG = `name: leader-fault
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 7 }
workload: { mode: concurrency, concurrency: 1, warmup: 200ms, duration: 1s }
`;

const worker = (args: string[], home: string): ChildProcess => workerProcess(args, home, NAMESPACE);

test('a leader SIGKILLed while recording: another leader records the job within seconds, once', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sb-leader-fault-'));
  const resultsFile = join(home, 'results.duckdb');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: NAMESPACE });
  const procs: ChildProcess[] = [worker(['leader'], home), worker(['follower', '--node', 'lfnode', '--devices', 'cpu'], home)];
  let lock: DuckDBInstance | undefined;
  try {
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'leader-fault-sweep',
      args: [{ configYaml: CONFIG, configFile: 'leader-fault.yaml' }],
    });
    const job = client.workflow.getHandle('leader-fault-sweep/j000-r0');
    const pendingActivity = async (name: string) =>
      (await job.describe().then((d) => d.raw.pendingActivities ?? [], () => [])).find((a) => a.activityType?.name === name && a.lastStartedTime);

    // While the job measures, take the results database's write lock: its record will wait for it.
    for (let i = 0; !(await pendingActivity('measure')); i++) {
      if (i > 1200) throw new Error('the measurement never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    lock = await DuckDBInstance.create(resultsFile);
    // The record has started and heartbeats (it waits for the lock): kill its leader without warning.
    for (let i = 0; !((await pendingActivity('recordJob'))?.heartbeatDetails?.payloads?.length ?? 0); i++) {
      if (i > 1200) throw new Error('the record never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    procs[0].kill('SIGKILL');
    const killedAt = Date.now();
    await exited(procs[0]);
    lock.closeSync();
    lock = undefined;

    const second = worker(['leader'], home);
    procs.push(second);
    const result = await handle.result();
    expect(result.jobs.map((j) => j.status)).toEqual(['completed']);

    // The record that succeeded was a retry, run by the second leader.
    const events = (await job.fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordJob')!;
    const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString())!;
    const completed = events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString())!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBeGreaterThanOrEqual(2);
    expect(started.activityTaskStartedEventAttributes!.identity).toMatch(new RegExp(`^${second.pid}@`));
    const recoveryMs = tsToMs(completed.eventTime) - killedAt;
    process.stdout.write(`leader killed while recording: recorded by the second leader ${(recoveryMs / 1000).toFixed(1)} s after the kill (attempt ${started.activityTaskStartedEventAttributes!.attempt}); sweep done ${((Date.now() - killedAt) / 1000).toFixed(1)} s after\n`);
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
  } finally {
    lock?.closeSync();
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    await connection.close();
  }
  const rows = await query(resultsFile, `select (select count(*) from jobs) as jobs, (select count(*) from runs) as runs, (select max(status) from jobs) as status`);
  expect(rows.rows).toEqual([{ jobs: 1, runs: 1, status: 'completed' }]);
});
