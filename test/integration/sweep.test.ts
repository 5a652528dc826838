/**
 * The whole pipeline for real: a sweep workflow on a real Temporal dev server, compile and serve with real
 * onnxruntime sessions, load over real HTTP, rows in a real DuckDB file.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../../analysis/db';
import { WORKLOAD_DEFAULTS } from '../../configs/defaults';
import { settingsOf } from '../../configs/settings';
import { writeJob } from '../../activities/analysis/record';
import { probeGpus } from '../../activities/probe/host';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import type { benchmarkWorkflow } from '../../workflows/benchmark';
import { useTestCluster } from '../support/workers';

const SWEEP_YAML = `
name: itest
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 7 }
serving: { instances: 1, intraOpThreads: 1 }
workload:
  mode: concurrency
  concurrency: 1
  warmup: 300ms
  duration: 1s
slo: { p99Ms: 1000 }
sweep:
  workload.concurrency: [1, 2]
`;

describe('sweep workflow, end to end', () => {
  const cluster = useTestCluster();

  const runSweep = (workflowId: string, input: Parameters<typeof sweepWorkflow>[0]) =>
    cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId, args: [input] });

  test('records one sweep, its jobs and their runs, compiling the shared model once', async () => {
    const result = await runSweep('itest-sweep', { configYaml: SWEEP_YAML, configFile: 'itest.yaml' });
    expect(result.jobs.map((j) => j.status)).toEqual(['completed', 'completed']);
    expect(result.jobs.map((j) => j.jobId)).toEqual(['itest-sweep/j000-r0', 'itest-sweep/j001-r0']);

    const sweeps = await query(cluster.resultsFile, 'select name, status, jobs_total, jobs_done, jobs_failed from sweeps');
    expect(sweeps.rows).toEqual([{ name: 'itest', status: 'completed', jobs_total: 2, jobs_done: 2, jobs_failed: 0 }]);

    const jobs = await query(
      cluster.resultsFile,
      `select job_id, status, node, device, model_parameters, model_hash, params->>'$."workload.concurrency"' as conc,
              compile_started_at <= compile_finished_at and compile_finished_at <= measure_started_at
                and measure_started_at < measure_finished_at as ordered
       from jobs order by job_index`,
    );
    // 32*64+64 + 64*64+64 + 64*10+10 parameters
    expect(jobs.rows).toEqual([
      expect.objectContaining({ job_id: 'itest-sweep/j000-r0', status: 'completed', node: 'testnode', device: 'cpu', model_parameters: 6922, conc: '1', ordered: true }),
      expect.objectContaining({ job_id: 'itest-sweep/j001-r0', status: 'completed', conc: '2', ordered: true }),
    ]);
    // Both jobs share the model: whichever compiled second found it in the cache.
    expect(jobs.rows[0].model_hash).toBe(jobs.rows[1].model_hash);
    const cached = await query(cluster.resultsFile, 'select count(*) filter (where compile_cached) as hits, count(*) filter (where not compile_cached) as misses from jobs');
    expect(cached.rows).toEqual([{ hits: 1, misses: 1 }]);

    const runs = await query(
      cluster.resultsFile,
      `select run_id, mode, concurrency, requests, errors, throughput, achieved_rate, lat_p50_ms, lat_p99_ms, lat_max_ms, measured_ms, meets_slo
       from runs order by run_id`,
    );
    expect(runs.rows).toHaveLength(2);
    for (const [i, r] of runs.rows.entries()) {
      expect(r).toMatchObject({ mode: 'concurrency', concurrency: i + 1, errors: 0, meets_slo: true });
      expect(r.requests as number).toBeGreaterThan(10);
      expect(r.throughput as number).toBeGreaterThan(10);
      expect(r.lat_p50_ms as number).toBeGreaterThan(0);
      expect(r.lat_p50_ms as number).toBeLessThanOrEqual(r.lat_p99_ms as number);
      expect(r.lat_p99_ms as number).toBeLessThanOrEqual(r.lat_max_ms as number);
      expect(r.measured_ms as number).toBeGreaterThanOrEqual(900);
    }

    // A retried record activity replaces its rows instead of adding to them.
    const first = await cluster.client.workflow.getHandle<typeof benchmarkWorkflow>(result.jobs[0].jobId).result();
    await writeJob(cluster.resultsFile, first, new Date().toISOString());
    const counts = await query(cluster.resultsFile, 'select (select count(*) from jobs) as jobs, (select count(*) from runs) as runs');
    expect(counts.rows).toEqual([{ jobs: 2, runs: 2 }]);

    // results has a typed column per swept parameter.
    const view = await query(cluster.resultsFile, `select "workload.concurrency" as c, model_family from results where sweep = 'itest' order by 1`);
    expect(view.rows).toEqual([{ c: 1, model_family: 'mlp' }, { c: 2, model_family: 'mlp' }]);

    // Per-run details: the latency buckets hold every successful request, the server saw the window's load,
    // and the server and load generator were sampled.
    const details = await query(
      cluster.resultsFile,
      `select r.run_id, r.ok,
              (select sum(count) from latency_buckets b where b.run_id = r.run_id) as bucketed,
              (select max(cumulative_fraction) from latency_buckets b where b.run_id = r.run_id) as cdf_end,
              (select inferences from server_stats s where s.run_id = r.run_id) as server_inferences,
              (select sum(count) from server_batch_sizes z where z.run_id = r.run_id) as server_batches,
              (select count(*) from system_samples x where x.run_id = r.run_id and x.process = 'server' and x.cpu_pct > 0 and x.rss_bytes > 0) as server_samples,
              (select count(*) from system_samples x where x.run_id = r.run_id and x.process = 'loadgen' and x.cpu_pct >= 0) as loadgen_samples,
              (select count(*) from system_samples x where x.run_id = r.run_id and x.gpu_power_w is not null) as gpu_samples
       from runs r order by r.run_id`,
    );
    const verdicts = await query(cluster.resultsFile, `select valid, invalid_reasons, loadgen_cpu_pct > 0 as cpu from runs`);
    expect(verdicts.rows).toEqual([
      { valid: true, invalid_reasons: '[]', cpu: true },
      { valid: true, invalid_reasons: '[]', cpu: true },
    ]);

    const hasGpu = (await probeGpus()).length > 0;
    for (const d of details.rows) {
      expect(d.bucketed).toBe(d.ok);
      expect(d.cdf_end).toBe(1);
      // The load generator marks its measured requests and the server counts just those: exactly the client's.
      expect(d.server_inferences).toBe(d.ok);
      expect(d.server_batches as number).toBeGreaterThan(0);
      expect(d.server_samples as number).toBeGreaterThan(0);
      expect(d.loadgen_samples as number).toBeGreaterThan(0);
      if (!hasGpu) expect(d.gpu_samples).toBe(0); // no GPU: nothing invented
    }
  });

  test('run rules: a run that cannot reach minQueries before maxDuration is recorded as invalid, with the reason', async () => {
    const yaml = SWEEP_YAML.replace('name: itest', 'name: rules')
      .replace('  duration: 1s', '  duration: 500ms\n  maxDuration: 1s\n  minQueries: 100000000')
      .replace(/sweep:[\s\S]*$/, '');
    const result = await runSweep('itest-rules', { configYaml: yaml });
    expect(result.jobs[0].status).toBe('completed');
    const { rows } = await query(cluster.resultsFile, `select valid, invalid_reasons, measured_ms from runs where sweep_id = 'itest-rules'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].valid).toBe(false);
    expect(JSON.parse(rows[0].invalid_reasons as string)).toEqual(expect.arrayContaining([expect.stringMatching(/minQueries 100,000,000/), expect.stringMatching(/stopped at maxDuration 1(\.0)? s/)]));
    // Not the best under the SLO, however fast: an invalid run never is.
    const best = await query(cluster.resultsFile, `select count(*) as n from best_under_slo where sweep_id = 'itest-rules'`);
    expect(best.rows).toEqual([{ n: 0 }]);
  });

  test('every workload mode runs through the real pipeline and is recorded', async () => {
    const yaml = `
name: modes
model:
  generate: { family: mlp, layers: 1, hidden: 16, inputShape: [8], dtype: float32, seed: 3 }
workload:
  mode: constant
  rate: 50
  concurrency: 2
  burst: { size: 5, every: 100ms }
  samples: 40
  progressive: { start: 1, factor: 2, maxSteps: 3, stepDuration: 300ms }
  progressiveOver: concurrency
  warmup: 100ms
  duration: 500ms
slo: { p99Ms: 1000 }
sweep:
  workload.mode: [single-stream, constant, burst, offline, progressive]
`;
    const result = await runSweep('itest-modes', { configYaml: yaml });
    expect(result.jobs.map((j) => [j.params['workload.mode'], j.status])).toEqual([
      ['single-stream', 'completed'],
      ['constant', 'completed'],
      ['burst', 'completed'],
      ['offline', 'completed'],
      ['progressive', 'completed'],
    ]);
    const { rows } = await query(
      cluster.resultsFile,
      `select mode, ok, target_rate, json_array_length(steps) as steps, knee is not null as has_knee from runs where sweep_id = 'itest-modes' order by run_id`,
    );
    expect(rows.map((r) => r.mode)).toEqual(['single-stream', 'constant', 'burst', 'offline', 'progressive']);
    for (const r of rows) expect(r.ok as number).toBeGreaterThan(0);
    expect(rows[1].target_rate).toBe(50);
    expect(rows[2].target_rate).toBe(50); // 5 every 100 ms
    expect(rows[3].ok as number).toBeGreaterThanOrEqual(40); // offline: at least `samples` queries
    expect(rows[4].steps as number).toBeGreaterThanOrEqual(1);
    expect(rows[4].steps as number).toBeLessThanOrEqual(3);
    expect(rows[4].has_knee).toBe(true);

    // Each run stores the settings it used: the job's config resolved, defaults and derived values filled in,
    // the keys of other modes dropped; plain SQL reads them.
    const stored = await query(
      cluster.resultsFile,
      `select r.settings, j.config, r.settings->>'$.maxDurationMs' as max_ms, r.settings->>'$.requestTimeoutMs' as timeout_ms
       from runs r join jobs j using (job_id) where r.sweep_id = 'itest-modes' order by r.run_id`,
    );
    const settings = stored.rows.map((r) => JSON.parse(r.settings as string));
    expect(settings).toEqual(stored.rows.map((r) => settingsOf(JSON.parse(r.config as string))));
    expect(stored.rows.map((r) => [r.max_ms, r.timeout_ms])).toEqual(Array(5).fill(['5000', String(WORKLOAD_DEFAULTS.requestTimeoutMs)]));
    const common = { warmupMs: 100, durationMs: 500, seed: WORKLOAD_DEFAULTS.seed, batchSize: WORKLOAD_DEFAULTS.batchSize, tensorFormat: 'json', sloP99Ms: 1000, stability: null };
    expect(settings[0]).toMatchObject({ ...common, mode: 'single-stream', rate: null, concurrency: 1, burst: null, samples: null, progressive: null });
    expect(settings[1]).toMatchObject({ ...common, mode: 'constant', rate: 50, concurrency: null, burst: null });
    expect(settings[2]).toMatchObject({ ...common, mode: 'burst', rate: 50, concurrency: null, burst: { size: 5, everyMs: 100 } });
    // offline honours workload.concurrency (2 here; unset it would be all 40 samples), and runs at least `samples` queries.
    expect(settings[3]).toMatchObject({ ...common, mode: 'offline', rate: null, concurrency: 2, samples: 40, minQueries: 40 });
    expect(settings[4]).toMatchObject({
      ...common,
      mode: 'progressive',
      rate: null,
      concurrency: null,
      progressive: { over: 'concurrency', start: 1, factor: 2, step: null, maxSteps: 3, stepDurationMs: 300, stepMaxDurationMs: 3000 },
    });
  });

  test('a bad model file fails the sweep at its plan, naming the file and why, with no job started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bad-'));
    writeFileSync(join(dir, 'broken.onnx'), 'this is not a model');
    const yaml = `
name: broken
model: { path: broken.onnx }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 1s }
`;
    const err = await runSweep('itest-broken', { configYaml: yaml, configFile: 'broken.yaml', baseDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as Error & { type?: string };
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toContain(`broken.yaml: model.path (line 3): expected an ONNX model file, got "${join(dir, 'broken.onnx')}": not an ONNX model`);
    const rows = await query(cluster.resultsFile, `select count(*) as n from jobs where sweep_id = 'itest-broken'`);
    expect(rows.rows).toEqual([{ n: 0 }]);
  });

  test('an invalid config started from outside the CLI fails the sweep with the YAML path and line', async () => {
    const yaml = `name: bad\nmodel: { generate: { family: mlp, layers: 1, hidden: 8, inputShape: [4], dtype: float32, seed: 1 } }\nworkload:\n  mode: server\n  rate: fast\n`;
    const err = await runSweep('itest-invalid', { configYaml: yaml, configFile: 'ui.yaml' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as Error & { type?: string };
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toMatch(/workload\.rate \(line 5\)/);
  });
});
