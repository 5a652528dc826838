import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { ResultsWriter } from '../../activities/analysis/results-writer';
import type { JobOutcome, SweepRow } from '../../activities/types';
import { parseConfig } from '../../configs/load';

const config = parseConfig(
  `name: batched
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
workload: { mode: concurrency, concurrency: 1, duration: 100ms }
`,
  'batched.yaml',
);

const sweep = (status: SweepRow['status'], jobsDone: number): SweepRow => ({
  sweepId: 's1',
  name: 'batched',
  status,
  jobsTotal: 40,
  jobsDone,
  jobsFailed: 0,
  config,
  startedAt: '2026-01-01T00:00:00.000Z',
});

/** A job that failed before measuring: a jobs row and no run. */
const failedJob = (i: number, error: string): JobOutcome => ({
  sweepId: 's1',
  job: { jobId: `s1/j${String(i).padStart(3, '0')}-r0`, index: i, repeat: 0, params: { 'workload.concurrency': i }, config },
  status: 'failed',
  error,
});

describe('results writer (real DuckDB file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-writer-'));
  const file = join(dir, 'results.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('concurrent records land exactly once, a record written again replaces its row, and the file is free between batches', async () => {
    const writer = new ResultsWriter(file);
    const recordedAt = new Date().toISOString();
    // 40 activities at once, as the leader's slots run them; then 10 of them again (retries) with another error.
    await Promise.all([writer.write({ sweep: sweep('running', 0) }), ...Array.from({ length: 40 }, (_, i) => writer.write({ job: failedJob(i, 'first'), recordedAt }))]);
    await Promise.all([writer.write({ sweep: sweep('completed', 40) }), ...Array.from({ length: 10 }, (_, i) => writer.write({ job: failedJob(i, 'retried'), recordedAt }))]);
    // A read in this process waits for the writer to close the file (analysis/db.ts takes opens of one file in
    // turn: DuckDB's lock is per process and would not keep this read out of the writer's closing checkpoint).
    const { rows } = await query(
      file,
      `select (select count(*) from jobs) as jobs, (select count(distinct job_id) from jobs) as distinct_jobs,
              (select count(*) from jobs where error = 'retried') as retried, (select count(*) from runs) as runs,
              (select string_agg(status, ',') from sweeps) as sweeps`,
    );
    expect(rows).toEqual([{ jobs: 40, distinct_jobs: 40, retried: 10, runs: 0, sweeps: 'completed' }]);
    // Between batches the file is free: another process opens it at once (no lock wait) and sees every commit.
    const script = `const { DuckDBInstance } = require('@duckdb/node-api');
      (async () => {
        const db = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
        const reader = await db.connect();
        const n = (await reader.runAndReadAll("select count(*) from jobs where error = 'retried'")).getRows()[0][0];
        process.stdout.write(String(n));
      })().catch((err) => { console.error(String(err)); process.exit(1); });`;
    expect(execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8' })).toBe('10');
  });

  test('a bad record fails its own write only; the others of its batch are committed', async () => {
    const writer = new ResultsWriter(file);
    const recordedAt = new Date().toISOString();
    const bad = failedJob(100, 'bad');
    // jobs.job_id is the primary key: NULL is refused, which rolls back the batch's transaction.
    (bad.job as { jobId: unknown }).jobId = null;
    const results = await Promise.allSettled([bad, failedJob(101, 'ok'), failedJob(102, 'ok')].map((job) => writer.write({ job, recordedAt })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    const { rows } = await query(file, `select job_id from jobs where job_index >= 100 order by job_id`);
    expect(rows).toEqual([{ job_id: 's1/j101-r0' }, { job_id: 's1/j102-r0' }]);
  });

  test('a read through the writer waits for the batch in progress', async () => {
    const writer = new ResultsWriter(file);
    const recordedAt = new Date().toISOString();
    const writes = Array.from({ length: 5 }, (_, i) => writer.write({ job: failedJob(200 + i, 'late'), recordedAt }));
    const read = writer.exclusive(() => query(file, `select count(*) as n from jobs where error = 'late'`));
    await Promise.all(writes);
    expect((await read).rows).toEqual([{ n: 5 }]);
  });
});
