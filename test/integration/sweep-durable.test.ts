/**
 * Sweeps that outlive one workflow run: continue-as-new before the history grows long (here forced early with a
 * tiny history limit), and a sweep cancelled with `servebench cancel` then started again under the same id,
 * which resumes instead of measuring its finished jobs again. `servebench status` shows both.
 */
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import { progressQuery } from '../../workflows/signals';
import type { sweepWorkflow } from '../../workflows/sweep';
import { servebench } from '../support/cli';
import { useTestCluster } from '../support/workers';

const yaml = (sweep: string) => `
name: durable
model:
  generate: { family: mlp, layers: 2, hidden: 32, inputShape: [16], dtype: float32, seed: 3 }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 300ms }
target: { cluster: durable, device: cpu }
sweep:
  ${sweep}
`;

/**
 * The resumed sweep: its third job measures long enough that `servebench status` and `servebench cancel` (two CLI
 * starts, seconds each on a busy host) land while it runs, however fast the first two jobs went.
 */
const resumeYaml = yaml('workload.duration: [300ms, 400ms, 20s, 500ms]');

describe('durable sweeps', () => {
  const cluster = useTestCluster({ cluster: 'durable', node: 'durnode' });
  const env = () => ({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!, TEMPORAL_NAMESPACE: 'default', SERVEBENCH_HOME: cluster.home });

  test('continues as new before the history limit and still reports every job once', async () => {
    const handle = await cluster.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
      taskQueue: LEADER_QUEUE,
      workflowId: 'durable-can',
      args: [{ configYaml: yaml('workload.concurrency: [1, 2, 3, 4, 5]'), parallelism: 2, historyLimit: 40 }],
    });
    const result = await handle.result();
    expect(result.runs).toBeGreaterThan(1);
    expect(result.jobs.map((j) => [j.jobId, j.status])).toEqual([0, 1, 2, 3, 4].map((i) => [`durable-can/j00${i}-r0`, 'completed']));
    const { rows } = await query(cluster.resultsFile, `select count(*) as n, count(distinct job_id) as d from jobs where sweep_id = 'durable-can'`);
    expect(rows).toEqual([{ n: 5, d: 5 }]);
    const sweep = await query(cluster.resultsFile, `select status, jobs_done, jobs_total from sweeps where sweep_id = 'durable-can'`);
    expect(sweep.rows).toEqual([{ status: 'completed', jobs_done: 5, jobs_total: 5 }]);
  });

  test('servebench cancel stops a sweep; run again under its id, it resumes after its finished jobs', async () => {
    const start = () =>
      cluster.client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', {
        taskQueue: LEADER_QUEUE,
        workflowId: 'durable-resume',
        args: [{ configYaml: resumeYaml, parallelism: 1 }],
      });
    const first = await start();
    for (let i = 0; ; i++) {
      const p = await first.query(progressQuery).catch(() => null);
      if (p && p.done >= 2) break;
      if (i > 1200) throw new Error('the sweep never got two jobs done');
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = await servebench(['status', 'durable-resume'], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/sweep durable-resume \(durable\): running, \d\/4 jobs done/);

    const cancel = await servebench(['cancel', 'durable-resume'], env());
    expect(cancel.stderr).toContain('sweep durable-resume: cancelled');
    expect(cancel.code).toBe(0);
    const before = await query(cluster.resultsFile, `select job_id, recorded_at::varchar as at from jobs where sweep_id = 'durable-resume' and status = 'completed' order by 1`);
    expect(before.rows.length).toBeGreaterThanOrEqual(2);
    expect((await query(cluster.resultsFile, `select status from sweeps where sweep_id = 'durable-resume'`)).rows).toEqual([{ status: 'cancelled' }]);

    const list = await servebench(['status'], env());
    expect(list.stdout).toMatch(/durable-resume.*CANCELLED|durable-resume.*cancelled/i);
    expect(list.stdout).toContain('durnode/cpu');

    const result = await (await start()).result();
    expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // The jobs finished before the cancel were not measured again: same rows, same recording time.
    const after = await query(cluster.resultsFile, `select job_id, recorded_at::varchar as at from jobs where sweep_id = 'durable-resume' order by 1`);
    expect(after.rows).toHaveLength(4);
    for (const row of before.rows) expect(after.rows).toContainEqual(row);
    expect((await query(cluster.resultsFile, `select status, jobs_done from sweeps where sweep_id = 'durable-resume'`)).rows).toEqual([{ status: 'completed', jobs_done: 4 }]);
  });

  test('status and cancel name what they cannot find', async () => {
    const r = await servebench(['cancel', 'no-such-sweep'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no sweep "no-such-sweep"');
  });
});
