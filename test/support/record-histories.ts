/**
 * `npm run histories:record`: records the workflow histories that test/unit/workflow-replay.test.ts replays.
 *
 * A real small run on a fresh in-memory dev server: a leader and follower node `na` (device cpu0) in this process,
 * follower node `nb` (device cpu1) as a separate `servebench worker follower` process, and one sweep of six jobs
 * (workload.concurrency [1, 2, 3] × target.device [cpu, cpu9]). Paths it drives, and checks it drove:
 * - the scheduler registers two nodes, grants and takes back leases, fails the three `cpu9` requests as
 *   unmatchable (no such device) after its grace period, and sees node nb die: nb is killed (SIGKILL) while it
 *   measures, so that job's lease comes back `lost`, the job is placed again on na, and nb stops heartbeating;
 *   then a second sweep is terminated while its one job holds na's device, and the scheduler's periodic holder
 *   check (an activity) frees the device; at the end na deregisters;
 * - the sweep finishes with three completed and three failed jobs;
 * - the benchmarks: completed on the first device, completed on a second device after the first was lost,
 *   failed for want of a device.
 * Each history (the scheduler's runs after it is terminated, every other after it closed) is saved gzipped as
 * test/fixtures/histories/<set>/<name>.json.gz in Temporal's JSON history format (what `temporal workflow show
 * --output json` prints), and <set>/index.json lists them with their workflow ids and what they cover.
 *
 * Usage: `npm run histories:record -- <set>`, <set> a new directory (v2, ...): earlier sets are never replaced,
 * they stand for workflows running in deployments. Record a new set only with an intentional, versioned change
 * of workflow code (see the replay test and docs/WORKFLOW-CHANGES.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { startPerfTemporal } from '../../perf/temporal';
import { createFollowerWorkers, resolveDevices } from '../../workers/follower';
import { createLeaderWorker } from '../../workers/leader';
import { installWorkerLogging } from '../../workers/logging';
import { joinCluster } from '../../workers/registration';
import { LEADER_QUEUE } from '../../workflows/queues';
import { schedulerStateQuery, schedulerWorkflowId, type SchedulerView } from '../../workflows/scheduler/messages';
import { HOLDER_CHECK_MS } from '../../workflows/scheduler/state';
import type { sweepWorkflow } from '../../workflows/sweep';
import { historyToJson } from './history-json';
import { exited } from './worker-process';

const CLUSTER = 'replay';
const SWEEP_ID = 'replay-sweep';
/** Events per scheduler run: the recording's ~120 events span two or three runs. */
const SCHEDULER_HISTORY_LIMIT = 50;
const SWEEP_YAML = `name: replay
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 31 }
workload: { mode: concurrency, concurrency: 1, warmup: 300ms, duration: 3s }
target: { cluster: ${CLUSTER}, device: cpu }
sweep:
  workload.concurrency: [1, 2, 3]
  # cpu9 exists on no node: the scheduler fails these requests after its grace period.
  target.device: [cpu, cpu9]
`;

/** A sweep of one long job, terminated while the job holds its device. */
const ORPHAN_ID = 'replay-orphan';
const ORPHAN_YAML = `name: orphan
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 31 }
workload: { mode: concurrency, concurrency: 1, warmup: 300ms, duration: 120s }
target: { cluster: ${CLUSTER}, device: cpu }
`;

/** One saved history, as index.json lists it. */
export interface HistoryFixture {
  /** File name under test/fixtures/histories. */
  file: string;
  workflowId: string;
  workflowType: string;
  /** What the run did (from the run itself): the paths this history covers. */
  covers: string;
}

const say = (line: string) => process.stderr.write(`[record] ${line}\n`);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Signal names received and their counts, e.g. `registerNode×2, releaseLease×6`. */
function signalCounts(history: History): string {
  const counts = new Map<string, number>();
  for (const e of history.events ?? []) {
    const name = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, c]) => `${n}×${c}`).join(', ');
}

async function main(): Promise<void> {
  const root = process.cwd();
  const bin = join(root, 'bin', 'servebench.js');
  if (!existsSync(bin)) throw new Error(`run this from the repository root (npm run histories:record): no ${bin}`);
  const set = process.argv[2] ?? '';
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(set)) throw new Error(`usage: npm run histories:record -- <set>, a new directory name under test/fixtures/histories such as v2 (got "${set}")`);
  const out = resolve(root, 'test', 'fixtures', 'histories', set);
  if (existsSync(out)) throw new Error(`${out} exists: recorded histories stand for running workflows and are kept; record a new set under another name`);
  const home = mkdtempSync(join(tmpdir(), 'sb-record-'));
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const temporal = await startPerfTemporal(home);
  say(`dev server ${temporal.address}, state in ${home}`);
  const { client } = temporal;
  const native = await NativeConnection.connect({ address: temporal.address });
  const workers: Worker[] = [
    await createLeaderWorker({ connection: native, namespace: 'default', resultsFile: join(home, 'results.duckdb') }),
    ...(await createFollowerWorkers({ connection: native, namespace: 'default', cluster: CLUSTER, node: 'na', devices: ['cpu0=0'], cacheDir: join(home, 'artifacts-na') })),
  ];
  const running = workers.map((w) => w.run());
  // Started here with a short history limit, so the recording crosses a continue-as-new (state carried over).
  const firstRun = await client.workflow.start('schedulerWorkflow', {
    taskQueue: LEADER_QUEUE,
    workflowId: schedulerWorkflowId(CLUSTER),
    args: [{ cluster: CLUSTER, historyLimit: SCHEDULER_HISTORY_LIMIT }],
  });
  const membership = await joinCluster({ connection: native, namespace: 'default', cluster: CLUSTER, node: 'na', devices: await resolveDevices(['cpu0=0']) });
  const nb: ChildProcess = spawn(process.execPath, [bin, 'worker', 'follower', '--cluster', CLUSTER, '--node', 'nb', '--devices', 'cpu1=1'], {
    env: { ...process.env, SERVEBENCH_HOME: join(home, 'nb'), TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default' },
    stdio: 'ignore',
  });
  const scheduler = client.workflow.getHandle(schedulerWorkflowId(CLUSTER));
  const view = () => scheduler.query(schedulerStateQuery);
  try {
    await until('both nodes to register', async () => ((await view()).devices.filter((d) => d.state === 'free').length === 2 ? true : undefined));
    say('nodes na and nb registered; starting the sweep');
    const sweep = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: SWEEP_ID, args: [{ configYaml: SWEEP_YAML }] });

    // Kill nb once a measurement on it has really started (its measure activity has heartbeated).
    const victim = await until('a measurement on nb/cpu1', async () => {
      const holder = (await view()).devices.find((d) => d.key === 'nb/cpu1' && d.state === 'leased')?.holder;
      if (!holder) return undefined;
      const pending = (await client.workflow.getHandle(holder).describe()).raw.pendingActivities ?? [];
      return pending.some((a) => a.activityType?.name === 'measure' && (a.heartbeatDetails?.payloads?.length ?? 0) > 0) ? holder : undefined;
    });
    nb.kill('SIGKILL');
    await exited(nb);
    say(`killed nb while it measured ${victim}`);

    const result = await sweep.result();
    const statuses = result.jobs.map((j) => `${j.jobId}: ${j.status}${j.measureAttempts ? ` (placements ${j.measureAttempts})` : ''}`);
    say(`sweep finished: ${statuses.join('; ')}`);
    const moved = result.jobs.find((j) => j.jobId === victim);
    if (moved?.status !== 'completed' || moved.measureAttempts !== 2) throw new Error(`the job on the killed node did not move: ${JSON.stringify(moved)}`);
    const failed = result.jobs.filter((j) => j.status === 'failed');
    if (failed.length !== 3 || !failed.every((j) => /no device "cpu9"/.test(j.error ?? ''))) throw new Error(`expected the three cpu9 jobs to fail for want of a device: ${statuses.join('; ')}`);

    await until('the scheduler to declare nb dead', async () => ((await view()).nodes.find((n) => n.node === 'nb')?.alive === false ? true : undefined));

    // A holder that ends without a word: a sweep terminated while its job measures. The scheduler's holder check
    // (an activity, every HOLDER_CHECK_MS) finds the job gone and frees the device.
    const orphan = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: ORPHAN_ID, args: [{ configYaml: ORPHAN_YAML }] });
    const orphanJob = await until('the terminated sweep\'s job to measure', async () => {
      const holder = (await view()).devices.find((d) => d.key === 'na/cpu0' && d.state === 'leased')?.holder;
      return holder?.startsWith(`${ORPHAN_ID}/`) ? holder : undefined;
    });
    await orphan.terminate('a holder that ends without releasing its lease');
    await until('the holder check to free na/cpu0', async () => ((await view()).devices.find((d) => d.key === 'na/cpu0')?.state === 'free' ? true : undefined), 3 * HOLDER_CHECK_MS);
    say(`terminated ${ORPHAN_ID} while ${orphanJob} held na/cpu0; the holder check freed it`);
    await membership.stop();
    const last: SchedulerView = await until('na to deregister', async () => {
      const v = await view();
      return v.nodes.some((n) => n.node === 'na') ? undefined : v;
    });
    say(`scheduler: ${last.granted} leases granted, nodes now ${JSON.stringify(last.nodes.map((n) => n.node))}`);
    await scheduler.terminate('histories recorded');

    const scenario =
      `cluster ${CLUSTER}: nodes na (cpu0) and nb (cpu1) registered; sweep ${SWEEP_ID} of ${result.jobs.length} jobs; nb killed (SIGKILL) while it measured ${victim}, ` +
      `whose lease came back lost and which completed on its second device; the scheduler declared nb dead; 3 requests for cpu9 failed as unmatchable; ` +
      `sweep ${ORPHAN_ID} terminated while its job held na/cpu0, freed by the scheduler's holder check; ` +
      `${last.granted} leases granted; na deregistered; the scheduler was then terminated`;
    const schedulerRuns = await runChain(client, schedulerWorkflowId(CLUSTER), firstRun.firstExecutionRunId);
    if (schedulerRuns.length < 2) throw new Error('the scheduler never continued as new: lower SCHEDULER_HISTORY_LIMIT');
    const fixtures = await save(client, out, [
      ...schedulerRuns.map((runId, i) => ({
        workflowId: schedulerWorkflowId(CLUSTER),
        runId,
        name: `scheduler-run${i + 1}`,
        covers: (h: History) =>
          `scheduler run ${i + 1} of ${schedulerRuns.length}${i > 0 ? ' (state carried through continue-as-new)' : ''}: signals ${signalCounts(h)}` +
          (i === schedulerRuns.length - 1 ? '; terminated when recorded' : '; continued as new'),
      })),
      { workflowId: SWEEP_ID, name: 'sweep', covers: () => `sweep of ${result.jobs.length} jobs: ${statuses.join('; ')}` },
      ...result.jobs.map((j) => ({
        workflowId: j.jobId,
        name: `benchmark-${j.jobId.split('/').pop()}`,
        covers: () =>
          j.status === 'failed' ? `benchmark failed: ${j.error}` : `benchmark completed on ${j.node}/${j.device}${j.measureAttempts === 2 ? ', its first device lost (node killed)' : ''}`,
      })),
    ]);
    writeFileSync(join(out, 'index.json'), JSON.stringify({ recordedWith: `npm run histories:record -- ${set}`, recordedAt: new Date().toISOString(), commit: gitHead(root), scenario, histories: fixtures }, null, 2) + '\n');
    say(`saved ${fixtures.length} histories under ${out}`);
  } finally {
    nb.kill('SIGKILL');
    await membership.stop();
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await native.close();
    await temporal.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** The commit the workflow code was recorded at (plus `+changes` when the work tree differs from it). */
function gitHead(root: string): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD').stdout.trim();
  return head ? `${head}${git('diff', '--quiet', 'HEAD', '--', 'workflows').status === 0 ? '' : '+changes'}` : 'unknown';
}

/** The run ids of a workflow id from `firstRunId` on, following continue-as-new. */
async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const events = (await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory()).events ?? [];
    const next = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

/** Fetches each workflow's history and writes it gzipped. */
async function save(client: Client, out: string, which: { workflowId: string; runId?: string; name: string; covers: (h: History) => string }[]): Promise<HistoryFixture[]> {
  mkdirSync(out, { recursive: true });
  const fixtures: HistoryFixture[] = [];
  for (const w of which) {
    const handle = client.workflow.getHandle(w.workflowId, w.runId);
    const history = await handle.fetchHistory();
    const { type } = await handle.describe();
    const file = `${w.name}.json.gz`;
    writeFileSync(join(out, file), gzipSync(historyToJson(history)));
    fixtures.push({ file, workflowId: w.workflowId, workflowType: type, covers: `${w.covers(history)} (${history.events?.length} events)` });
  }
  return fixtures;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
