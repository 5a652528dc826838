/**
 * Getting results out and back: `query --parquet` and `export` write Parquet that DuckDB reads back, and after
 * the results file is deleted `rebuild` restores the same rows from what Temporal holds.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { servebench } from '../support/cli';
import { useTestCluster } from '../support/workers';

const NAMESPACE = 'servebench-rebuild';
const YAML = `name: rebuildme
model: { generate: { family: mlp, layers: 1, hidden: 16, inputShape: [8], dtype: float32, seed: 2 } }
workload: { mode: concurrency, concurrency: 1, warmup: 100ms, duration: 500ms }
sweep:
  workload.concurrency: [1, 2]
`;

const cluster = useTestCluster({ namespace: NAMESPACE });
beforeAll(async () => {
  await cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'rebuild-sweep', args: [{ configYaml: YAML }] });
});

const env = () => ({ SERVEBENCH_HOME: cluster.home, TEMPORAL_NAMESPACE: NAMESPACE });

test('query --parquet and export write Parquet files with the rows', async () => {
  const out = join(cluster.home, 'q.parquet');
  const q = await servebench(['query', 'select run_id, throughput from runs;', '--parquet', out], env());
  expect(q.code).toBe(0);
  expect((await query(cluster.resultsFile, `select count(*) as n from '${out}'`)).rows).toEqual([{ n: 2 }]);

  const dir = join(cluster.home, 'export');
  const e = await servebench(['export', 'rebuildme', '--out', dir], env());
  expect(e.code).toBe(0);
  for (const [table, n] of [['sweeps', 1], ['jobs', 2], ['runs', 2], ['results', 2], ['server_stats', 2]] as const) {
    expect((await query(cluster.resultsFile, `select count(*) as n from '${join(dir, table + '.parquet')}'`)).rows).toEqual([{ n }]);
  }
  const bad = await servebench(['export', 'no-such-sweep', '--out', dir], env());
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('no sweep with id or name "no-such-sweep"');
});

test('rebuild restores every row from Temporal after the results file is lost', async () => {
  const snapshot = `select r.run_id, r.throughput, r.lat_p99_ms, j.status, j.params, s.name, s.status as sweep_status, s.jobs_done,
                            (select count(*) from latency_buckets b where b.run_id = r.run_id) as buckets
                     from runs r join jobs j using (job_id) join sweeps s on s.sweep_id = r.sweep_id order by r.run_id`;
  const before = await query(cluster.resultsFile, snapshot);
  expect(before.rows).toHaveLength(2);
  rmSync(cluster.resultsFile);
  expect(existsSync(cluster.resultsFile)).toBe(false);

  const r = await servebench(['rebuild'], env());
  expect(r.stdout).toContain('restored 1 sweep and 2 jobs');
  expect(r.code).toBe(0);
  expect((await query(cluster.resultsFile, snapshot)).rows).toEqual(before.rows);

  // Idempotent: a second rebuild over an intact file duplicates nothing.
  expect((await servebench(['rebuild'], env())).code).toBe(0);
  expect((await query(cluster.resultsFile, snapshot)).rows).toEqual(before.rows);
});
