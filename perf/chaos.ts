/**
 * `npm run chaos`: a real servebench cluster on this host, as separate processes (the Temporal dev server on a
 * SQLite file, one leader, two followers with one core each), runs a sweep of small jobs started with
 * `servebench run`, and meanwhile suffers six faults in turn, each timed into its phase by watching the sweep
 * (perf/chaos/faults.ts). Killed workers are restarted the way an operator's supervisor would. At the end it reads
 * the results database and prints whether any job was lost or duplicated and how long each fault took to recover
 * from (perf/chaos/verdict.ts says what "moving again" means), `chaos_ok=` last; exit 1 unless chaos_ok=1.
 *
 * Everything it started is stopped when it ends, fails, or is interrupted (Ctrl-C): process groups, then a sweep
 * for any process that still carries this run's SERVEBENCH_HOME.
 * Knobs: CHAOS_JOBS (32; a multiple of 4), CHAOS_DURATION (3s: each job's measured window), CHAOS_KEEP=1 (keep
 * the temp dir with logs, the Temporal SQLite file and the results database; a failed run always keeps it),
 * CHAOS_DEBUG=1.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSweep } from '../activities/leader';
import { query } from '../analysis/db';
import { clusterQueue, LEADER_QUEUE } from '../workflows/queues';
import { freePort } from '../workers/ports';
import { ChaosTemporal, killEverything, killPlainProcesses, spawnTracked, Supervised } from './chaos/cluster';
import { FAULTS, type ChaosContext } from './chaos/faults';
import { processesWithEnv } from './chaos/procfs';
import { recovery, reportLines, verdict, type Fault, type Move } from './chaos/verdict';
import { SweepWatch } from './chaos/watch';

const say = (line: string) => process.stderr.write(`[chaos] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLUSTER = 'chaos';
const SWEEP_ID = 'chaos-sweep';
const RECOVERY_TARGET_MS = 30_000;
/** How long one fault may take to be recovered from before the next one; beyond it the run goes on (and fails). */
const RECOVERY_WAIT_MS = 120_000;
const SWEEP_TIMEOUT_MS = 15 * 60_000;
const BIN = join(__dirname, '..', '..', 'bin', 'servebench.js'); // from dist/perf

function configYaml(jobs: number, duration: string): string {
  return `name: chaos
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 11 }
workload: { mode: concurrency, concurrency: 1, warmup: 500ms, duration: ${duration} }
target: { cluster: ${CLUSTER}, device: cpu }
sweep:
  workload.concurrency: [1, 2, 3, 4]
repeat: ${jobs / 4}
`;
}

/** Until a live worker polls each queue (else `servebench run` would start workers of its own). */
async function waitForPollers(client: Client, queues: [string, proto.api.enums.v1.TaskQueueType][], workers: Supervised[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (const [name, taskQueueType] of queues) {
    for (;;) {
      const broken = workers.find((w) => w.gaveUp);
      if (broken) throw new Error(broken.gaveUp!);
      const res = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name }, taskQueueType }).catch(() => null);
      if ((res?.pollers ?? []).length > 0) break;
      if (Date.now() > deadline) throw new Error(`no worker polls ${name} after 3 minutes; see the worker logs`);
      await sleep(500);
    }
  }
}

let cleanup: () => Promise<void> = async () => undefined;
/** The run's temp dir: removed after a pass or an interruption, kept after a failure (its logs say why). */
let home: string | undefined;
const removeHome = () => {
  if (home && process.env.CHAOS_KEEP !== '1') rmSync(home, { recursive: true, force: true });
  else if (home) say(`kept ${home}`);
};

async function main(): Promise<number> {
  const jobsWanted = Number(process.env.CHAOS_JOBS ?? 32);
  if (!Number.isInteger(jobsWanted) || jobsWanted < 8 || jobsWanted % 4 !== 0) throw new Error(`CHAOS_JOBS must be a multiple of 4, at least 8 (got ${process.env.CHAOS_JOBS})`);
  const duration = process.env.CHAOS_DURATION ?? '3s';
  home = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  const logDir = join(home, 'logs');
  mkdirSync(logDir, { recursive: true });
  const resultsFile = join(home, 'results.duckdb');
  const configFile = join(home, 'chaos.yaml');
  const yaml = configYaml(jobsWanted, duration);
  writeFileSync(configFile, yaml);
  const planned = planSweep({ sweepId: SWEEP_ID, configYaml: yaml, configFile }).jobs.map((j) => j.jobId);
  say(`state, logs and results in ${home}; ${planned.length} jobs`);

  const temporal = await ChaosTemporal.start({ port: await freePort(), dbFile: join(home, 'temporal.db'), logFile: join(logDir, 'temporal.log') });
  say(`Temporal dev server on ${temporal.address} (SQLite ${join(home, 'temporal.db')})`);
  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: 'default', SERVEBENCH_HOME: home };
  const leader = new Supervised('leader', ['leader'], env, logDir, say);
  const followers = [
    new Supervised('follower-a', ['follower', '--cluster', CLUSTER, '--node', 'chaos-a', '--devices', 'cpu0=0'], env, logDir, say),
    new Supervised('follower-b', ['follower', '--cluster', CLUSTER, '--node', 'chaos-b', '--devices', 'cpu1=1'], env, logDir, say),
  ];
  const workers = [leader, ...followers];
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  let stopped = false;
  cleanup = async () => {
    if (stopped) return;
    stopped = true;
    // The client connection stays open: a watcher may still be retrying on it (the process exits soon anyway).
    await Promise.all(workers.map((w) => w.stop()));
    await temporal.stop().catch(() => undefined);
  };

  const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = proto.api.enums.v1.TaskQueueType;
  await waitForPollers(client, [
    [LEADER_QUEUE, TASK_QUEUE_TYPE_WORKFLOW],
    [clusterQueue(CLUSTER), TASK_QUEUE_TYPE_ACTIVITY],
  ], workers);
  say(`leader pid ${leader.pid}, followers ${followers.map((f) => `${f.name} pid ${f.pid}`).join(', ')}: polling`);

  // The sweep, through the real client.
  const run = spawnTracked(process.execPath, [BIN, 'run', configFile, '--id', SWEEP_ID, '--json'], env, join(logDir, 'run.log'));
  const runExit = new Promise<string>((resolve) => run.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const watch = new SweepWatch(client);
  const ctx: ChaosContext = { watch, leader, followers, temporal, resultsFile, logDir, say };

  const faults: Fault[] = [];
  for (const spec of FAULTS) {
    say(`${spec.name}: waiting for its phase`);
    const fault = await spec.inflict(ctx);
    faults.push(fault);
    if (fault.jobs.length === 0) {
      say(`${spec.name}: hit nothing ${fault.note ?? ''}`);
      continue;
    }
    say(`${spec.name}: hit ${fault.jobs.join(', ')} ${fault.note ?? ''}`);
    const moved = await watch.waitMoved(fault.jobs, fault.endMs, RECOVERY_WAIT_MS);
    say(`${spec.name}: ${moved ? `moving again after ${((Date.now() - fault.endMs) / 1000).toFixed(1)} s (or less)` : 'not moving after 2 minutes'}`);
  }

  say('faults done; waiting for the sweep to finish');
  const sweep = client.workflow.getHandle(SWEEP_ID);
  const outcome = await Promise.race([
    sweep.result().then(
      () => 'completed',
      (err: Error) => `failed: ${err.message}`,
    ),
    sleep(SWEEP_TIMEOUT_MS).then(() => 'timed out'),
  ]);
  say(`sweep ${outcome}`);
  const clientExit = await Promise.race([runExit, sleep(60_000).then(() => 'still running')]);

  const moves: Move[] = [];
  for (const job of planned) moves.push(...(await watch.moves(job)));
  const recoveries = faults.map((f) => recovery(f, moves));
  const restarts = workers.map((w) => `${w.name}:${w.restarts}`).join(',');

  await cleanup();
  const jobs = await query(resultsFile, `select job_id, status from jobs`).catch(() => ({ rows: [] }));
  const runs = await query(resultsFile, `select job_id, errors from runs`).catch(() => ({ rows: [] }));
  const v = verdict(
    planned,
    jobs.rows.map((r) => ({ jobId: String(r.job_id), status: String(r.status) })),
    runs.rows.map((r) => ({ jobId: String(r.job_id), errors: Number(r.errors) })),
  );
  // After an orderly stop nothing of this run may be left; whatever is, is named, then killed.
  const left = processesWithEnv(`SERVEBENCH_HOME=${home}`);
  for (const p of left) say(`left running after the cluster stopped: pid ${p.pid} ${p.cmdline}`);
  killEverything();
  killPlainProcesses();

  const { lines, ok } = reportLines({ verdict: v, recoveries, faultsPlanned: FAULTS.map((f) => f.name), targetMs: RECOVERY_TARGET_MS });
  const passed = ok && left.length === 0;
  const out = [
    `sweep=${outcome}`,
    `client_exit=${clientExit}`,
    `worker_restarts=${restarts}`,
    `processes_left=${left.length}`,
    ...lines.slice(0, -1),
    `chaos_ok=${passed ? 1 : 0}`,
  ];
  process.stdout.write('\n' + out.join('\n') + '\n');
  if (passed) removeHome();
  else say(`kept ${home} (logs/, temporal.db, results.duckdb)`);
  return passed ? 0 : 1;
}

// Stopped from outside (Ctrl-C, kill): stop the cluster, then leave with the signal's code.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping everything`);
    void cleanup()
      .then(removeHome)
      .finally(() => process.exit(code));
  });
}
// Whatever happens, nothing this run started outlives it.
process.once('exit', () => {
  killEverything();
  killPlainProcesses();
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${(err as Error)?.stack ?? String(err)}${home ? `; logs in ${home}/logs` : ''}`);
    void cleanup().finally(() => process.exit(1));
  },
);
