/**
 * Two-tier scheduling for real: a leader, followers with two CPU devices, the scheduler workflow granting device
 * leases. Two sweeps submitted at once never measure on one device at the same time (checked from the recorded
 * stage timestamps); a follower killed mid-measurement loses its job to the other device, and every job is still
 * recorded exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import { schedulerStateQuery, schedulerWorkflowId, type LeaseRelease, type SchedulerView } from '../../workflows/scheduler/messages';
import type { sweepWorkflow } from '../../workflows/sweep';
import { createLeaderWorker } from '../../workers/leader';
import { startTestCluster } from '../support/workers';
import { exited, workerProcess } from '../support/worker-process';


const config = (name: string, cluster: string, duration: string, concurrency: number[]) => `
name: ${name}
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 11 }
workload: { mode: concurrency, concurrency: 1, warmup: 200ms, duration: ${duration} }
target: { cluster: ${cluster}, device: cpu }
sweep:
  workload.concurrency: [${concurrency.join(', ')}]
`;

interface Interval {
  job_id: string;
  node: string;
  device: string;
  start: string;
  end: string;
}

/** Pairs of measurements on one device whose [serve start, measure end] intervals intersect. */
function overlaps(rows: Interval[]): string[] {
  const out: string[] = [];
  for (const a of rows)
    for (const b of rows)
      if (a.job_id < b.job_id && a.node === b.node && a.device === b.device && Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end))
        out.push(`${a.job_id} and ${b.job_id} on ${a.node}/${a.device}`);
  return out;
}

test('two sweeps at once on a two-device cluster: never two measurements on one device', async () => {
  const cluster = await startTestCluster({ namespace: 'servebench-sched', cluster: 'duo', node: 'duonode', devices: ['cpu0', 'cpu1'] });
  try {
    const start = (id: string) =>
      cluster.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
        taskQueue: LEADER_QUEUE,
        workflowId: id,
        args: [{ configYaml: config(id, 'duo', '1s', [1, 2, 3]) }],
      });
    const [a, b] = await Promise.all([start('sched-a'), start('sched-b')]);
    const results = await Promise.all([a.result(), b.result()]);
    for (const r of results) expect(r.jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);

    const { rows } = await query(
      cluster.resultsFile,
      `select job_id, node, device, serve_started_at::varchar as start, measure_finished_at::varchar as "end" from jobs order by job_id`,
    );
    expect(rows).toHaveLength(6);
    expect(overlaps(rows as unknown as Interval[])).toEqual([]);
    // Both devices did work: the two sweeps really ran side by side.
    expect(new Set(rows.map((r) => r.device))).toEqual(new Set(['cpu0', 'cpu1']));

    // Nothing on another device's cores during a measurement: each run says what else ran on its node.
    const runs = await query(cluster.resultsFile, `select run_id, device_cores, concurrent_on_node from runs`);
    for (const r of runs.rows) {
      const mine = new Set(String(r.device_cores).split(',').map(Number));
      const others = (typeof r.concurrent_on_node === 'string' ? JSON.parse(r.concurrent_on_node) : r.concurrent_on_node) as { cores: number[] }[];
      for (const o of others) expect(o.cores.filter((c) => mine.has(c))).toEqual([]);
    }

    // Every lease was given back.
    const view = await cluster.client.workflow.getHandle(schedulerWorkflowId('duo')).query(schedulerStateQuery);
    expect(view.pending).toEqual([]);
    expect(view.devices.map((d) => [d.key, d.state])).toEqual([
      ['duonode/cpu0', 'free'],
      ['duonode/cpu1', 'free'],
    ]);
    expect(view.granted).toBe(6);

    // Each lease was given back twice: by the follower as its measurement ended (so the next grant does not wait
    // for the benchmark workflow), then by the workflow itself, which the scheduler ignores.
    const history = await cluster.client.workflow.getHandle(schedulerWorkflowId('duo')).fetchHistory();
    const releases = (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'releaseLease')
      .map((a) => defaultPayloadConverter.fromPayload<LeaseRelease>(a!.input!.payloads![0]));
    const perLease = new Map<string, string[]>();
    for (const r of releases) perLease.set(r.requestId, [...(perLease.get(r.requestId) ?? []), r.outcome]);
    expect(perLease.size).toBe(6);
    for (const outcomes of perLease.values()) expect(outcomes).toEqual(['done', 'done']);
  } finally {
    await cluster.stop();
  }
});

const NAMESPACE = 'servebench-death';

const worker = (args: string[], home: string): ChildProcess => workerProcess(args, home, NAMESPACE);

test('a follower killed mid-measurement: its job moves to the other device, every job recorded once', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sb-death-'));
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: NAMESPACE });
  const procs = {
    leader: worker(['leader'], home),
    a: worker(['follower', '--cluster', 'pair', '--node', 'na', '--devices', 'cpu0=0'], home),
    b: worker(['follower', '--cluster', 'pair', '--node', 'nb', '--devices', 'cpu1=1'], home),
  };
  const scheduler = client.workflow.getHandle(schedulerWorkflowId('pair'));
  try {
    // Both nodes registered before work arrives, so both devices are candidates.
    for (let i = 0; ; i++) {
      const view: SchedulerView | null = await scheduler.query(schedulerStateQuery).catch(() => null);
      if (view && view.devices.filter((d) => d.state === 'free').length === 2) break;
      if (i > 600) throw new Error(`the followers never registered: ${JSON.stringify(view)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'death-sweep',
      args: [{ configYaml: config('death', 'pair', '4s', [1, 2]) }],
    });

    // Wait until node na is measuring (its lease is held and the holder's measure activity heartbeats), then kill it.
    let victim = '';
    for (let i = 0; !victim; i++) {
      const view = await scheduler.query(schedulerStateQuery);
      const holder = view.devices.find((d) => d.key === 'na/cpu0' && d.state === 'leased')?.holder;
      if (holder) {
        const pending = await client.workflow.getHandle(holder).describe().then((d) => d.raw.pendingActivities ?? [], () => []);
        if (pending.some((a) => a.activityType?.name === 'measure' && (a.heartbeatDetails?.payloads?.length ?? 0) > 0)) victim = holder;
      }
      if (i > 600) throw new Error('no measurement started on na');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    procs.a.kill('SIGKILL');
    await exited(procs.a);

    const result = await handle.result();
    expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    const moved = result.jobs.find((j) => j.jobId === victim)!;
    expect(moved).toMatchObject({ node: 'nb', device: 'cpu1', measureAttempts: 2 });

    // The lost lease was freed; na is down.
    const view = await scheduler.query(schedulerStateQuery);
    expect(view.devices.find((d) => d.key === 'nb/cpu1')?.state).toBe('free');
    expect(view.devices.find((d) => d.key === 'na/cpu0')?.state).not.toBe('leased');
  } finally {
    for (const p of Object.values(procs)) p.kill('SIGTERM');
    await Promise.all(Object.values(procs).map(exited));
    await connection.close();
  }
  const rows = await query(join(home, 'results.duckdb'), `select job_id, node, status, measure_attempts from jobs order by job_id`);
  expect(rows.rows.map((r) => r.status)).toEqual(['completed', 'completed']);
  const runs = await query(join(home, 'results.duckdb'), 'select count(*) as n, count(distinct run_id) as d from runs');
  expect(runs.rows).toEqual([{ n: 2, d: 2 }]);
});

test('the scheduler continues as new with its registry and queue intact', async () => {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: NAMESPACE });
  const home = mkdtempSync(join(tmpdir(), 'sb-can-'));
  // A leader only (no follower in this cluster): the node here is signalled by hand.
  const native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await createLeaderWorker({ connection: native, namespace: NAMESPACE, resultsFile: join(home, 'r.duckdb') });
  const running = worker.run();
  try {
    const id = schedulerWorkflowId('can');
    const handle = await client.workflow.start('schedulerWorkflow', { taskQueue: LEADER_QUEUE, workflowId: id, args: [{ cluster: 'can', historyLimit: 30 }] });
    const reg = {
      cluster: 'can',
      node: 'n1',
      incarnation: 'i1',
      hardware: { hostname: 'h', cpuModel: 'x', cores: 2, memoryBytes: 1, gpus: [], providers: ['cpu'] },
      devices: [{ name: 'cpu0', type: 'cpu' as const, cores: [0] }],
      sentAt: 0,
    };
    await handle.signal('registerNode', reg);
    // A request nothing can serve yet (no gpu): it waits in the queue.
    await handle.signal('requestLease', { requestId: 'w#1', workflowId: 'w', device: 'gpu', expectedMs: 1000, order: 'sef', preferNodes: [], avoid: [] });
    for (let i = 0; i < 25; i++) await handle.signal('nodeHeartbeat', { ...reg, sentAt: i });
    let runs = 0;
    for (let i = 0; runs < 2; i++) {
      runs = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${id}'` })) runs++;
      if (i > 100) throw new Error('the scheduler never continued as new');
      await new Promise((r) => setTimeout(r, 200));
    }
    const view = await client.workflow.getHandle(id).query(schedulerStateQuery);
    expect(view.nodes.map((n) => [n.node, n.alive])).toEqual([['n1', true]]);
    expect(view.devices.map((d) => [d.key, d.state])).toEqual([['n1/cpu0', 'free']]);
    expect(view.pending.map((p) => p.requestId)).toEqual(['w#1']);
    await client.workflow.getHandle(id).terminate('test over');
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
  }
});
