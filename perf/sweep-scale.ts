/**
 * `npm run perf:sweep-scale`: a 1,000-job sweep of tiny jobs through the whole stack (Temporal dev server,
 * leader, a follower with devices cpu0 and cpu1, the scheduler, DuckDB), to show that a sweep of that size
 * completes with every workflow under Temporal's history limits (51,200 events / 50 MB per run): the sweep
 * continues as new, the scheduler too when it must.
 *
 * Tiny job: 100 ms measured at concurrency 1..10 against one built-in server shared as `serving.endpoint` (so
 * the jobs measure rather than start servers); the model is still compiled (once: the rest are cache hits).
 * Knobs: PERF_SCALE_JOBS (1000; a multiple of 10).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../analysis/db';
import { compileModel, type GenerateSpec } from '../activities/compile';
import { spawnServer } from '../activities/serve/server-process';
import { LEADER_QUEUE } from '../workflows/queues';
import { schedulerWorkflowId } from '../workflows/scheduler/messages';
import type { sweepWorkflow } from '../workflows/sweep';
import { startLocalWorkers } from '../workers/local-workers';
import { installWorkerLogging } from '../workers/logging';
import { startPerfTemporal } from './temporal';

const say = (line: string) => process.stderr.write(`[perf] ${line}\n`);
const MODEL = '{ family: mlp, layers: 2, hidden: 16, inputShape: [8], dtype: float32, seed: 4 }';

async function runs(client: Client, workflowId: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) out.push(info);
  return out;
}

async function main(): Promise<void> {
  const jobs = Number(process.env.PERF_SCALE_JOBS ?? 1000);
  const home = mkdtempSync(join(tmpdir(), 'sb-perf-scale-'));
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const temporal = await startPerfTemporal(home);
  const { client } = temporal;
  const artifact = await compileModel({ model: { generate: { family: 'mlp', layers: 2, hidden: 16, inputShape: [8], dtype: 'float32', seed: 4 } as GenerateSpec }, graphOptimization: 'all' }, { cacheDir: join(home, 'shared') });
  const model = await spawnServer({ modelPath: artifact.path, modelName: artifact.modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1 });
  const local = await startLocalWorkers({
    target: { address: temporal.address, namespace: 'default' },
    cluster: 'scale',
    node: 'scalenode',
    devices: ['cpu0', 'cpu1'],
    resultsFile: join(home, 'results.duckdb'),
    cacheDir: join(home, 'artifacts'),
  });
  try {
    const yaml = `name: scale
model:
  generate: ${MODEL}
serving: { endpoint: ${model.url}, model: ${artifact.modelName} }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 100ms }
target: { cluster: scale, device: cpu }
sweep:
  workload.concurrency: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
repeat: ${jobs / 10}
`;
    say(`sweep of ${jobs} jobs on a two-device cluster (dev server ${temporal.address})`);
    const t0 = Date.now();
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'scale-sweep', args: [{ configYaml: yaml }] });
    const timer = setInterval(() => {
      void handle.describe().then(
        (d) => say(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${d.searchAttributes.ServebenchJobsDone?.[0] ?? 0}/${jobs} jobs`),
        () => undefined,
      );
    }, 30_000);
    const result = await handle.result().finally(() => clearInterval(timer));
    const wallS = (Date.now() - t0) / 1000;

    const sweepRuns = await runs(client, 'scale-sweep');
    // Visibility has the closed runs' lengths; the open run's comes from describe.
    const schedulerRuns = await runs(client, schedulerWorkflowId('scale'));
    const schedulerNow = (await client.workflow.getHandle(schedulerWorkflowId('scale')).describe()).historyLength;
    const db = await query(join(home, 'results.duckdb'), `select count(*) as jobs, count(distinct job_id) as distinct_jobs, count(*) filter (where status = 'completed') as completed, (select count(*) from runs) as runs from jobs`);
    const benchmarkMax = (await client.workflow.getHandle(result.jobs[0].jobId).describe()).historyLength;
    const row = db.rows[0];
    const lines = [
      `sweep_jobs=${jobs}`,
      `jobs_completed=${result.jobs.filter((j) => j.status === 'completed').length}`,
      `db_jobs=${row.jobs}`,
      `db_distinct_jobs=${row.distinct_jobs}`,
      `db_runs=${row.runs}`,
      `sweep_runs=${sweepRuns.length}`,
      `sweep_max_history_events=${Math.max(...sweepRuns.map((r) => r.historyLength))}`,
      `sweep_max_history_bytes=${Math.max(...sweepRuns.map((r) => r.historySize ?? 0))}`,
      `scheduler_runs=${schedulerRuns.length}`,
      `scheduler_max_history_events=${Math.max(schedulerNow, ...schedulerRuns.map((r) => r.historyLength))}`,
      `benchmark_history_events=${benchmarkMax}`,
      `wall_s=${wallS.toFixed(1)}`,
      `jobs_per_s=${(jobs / wallS).toFixed(2)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await local.stop();
    await model.stop();
    await temporal.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`[perf] ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
