/**
 * LLM runs through the real recorder into a real DuckDB file: the llm_runs row beside runs, the verdict on the
 * LLM SLO, and the views llm_results, llm_best_under_slo and llm_pareto over them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { query, withDatabase } from '../../analysis/db';
import { TABLES } from '../../analysis/schema';
import { finishedJobs } from '../../activities/analysis/finished';
import { writeJob, writeSweep } from '../../activities/analysis/record';
import { summarizeOutcome } from '../../activities/job-summary';
import { decodeHistogram, summarize } from '../../activities/loadgen/histogram';
import { llmOutcome, type LlmRunSpec } from '../support/llm-outcome';

const recordedAt = '2026-12-01T20:01:00.000Z';

async function record(file: string, sweepId: string, specs: Omit<LlmRunSpec, 'sweepId'>[]): Promise<void> {
  const outcomes = specs.map((s) => llmOutcome({ ...s, sweepId }));
  await writeSweep(file, {
    sweepId, name: sweepId, status: 'completed', jobsTotal: outcomes.length, jobsDone: outcomes.length, jobsFailed: 0,
    config: outcomes[0].job.config, startedAt: recordedAt, finishedAt: recordedAt,
  });
  for (const o of outcomes) await writeJob(file, o, recordedAt);
}

describe('LLM results (real recorder, real DuckDB file)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-llm-db-')), 'results.duckdb');
  // TTFT p99 under load grows with concurrency; output tokens/s too, until the last, which only queues.
  const slo = '{ ttftMs: 300, tpotMs: 40, percentile: 90 }';
  const SLO_SWEEP: Omit<LlmRunSpec, 'sweepId'>[] = [
    { index: 0, concurrency: 1, ttftMs: 60, itlMs: 20, outputTokens: 32, requests: 40, slo },
    { index: 1, concurrency: 2, ttftMs: 110, itlMs: 22, outputTokens: 32, requests: 75, slo },
    { index: 2, concurrency: 4, ttftMs: 260, itlMs: 30, outputTokens: 32, requests: 120, slo },
    // Faster than job 2 but invalid (truncated streams): neither best nor on the front.
    { index: 3, concurrency: 8, ttftMs: 240, itlMs: 28, outputTokens: 32, requests: 200, slo, truncated: 12, invalid: ['12 of 200 streams were truncated'] },
  ];

  beforeAll(async () => {
    await record(file, 'llm-slo', SLO_SWEEP);
    // No SLO at all, and one run that did not stream.
    await record(file, 'llm-free', [
      { index: 0, concurrency: 1, ttftMs: 50, itlMs: 20, outputTokens: 16, requests: 30 },
      { index: 1, concurrency: 4, ttftMs: 150, itlMs: 25, outputTokens: 16, requests: 100 },
      { index: 2, concurrency: 8, ttftMs: 0, itlMs: 25, outputTokens: 16, requests: 150, stream: false },
    ]);
  });

  test('one llm_runs row per run, its histograms decoding to its percentiles, and the LLM SLO judged at its percentile', async () => {
    const { rows } = await query(file, `select l.*, r.meets_slo from llm_runs l join runs r using (run_id) where r.sweep_id = 'llm-slo' order by run_id`);
    expect(rows).toHaveLength(4);
    const o = llmOutcome({ ...SLO_SWEEP[2], sweepId: 'llm-slo' });
    const llm = o.measure!.load.llm!;
    const row = rows[2];
    expect(row).toMatchObject({
      run_id: 'llm-slo/j002-r0', api: 'openai-chat', stream: true,
      ttft_p50_ms: llm.ttft.p50Ms, ttft_p99_ms: llm.ttft.p99Ms, itl_p50_ms: llm.itl.p50Ms, tpot_p99_ms: llm.tpot.p99Ms,
      itl_mean_p50_ms: llm.itlMeanPerRequest.p50Ms, input_tokens: 120 * 128, output_tokens: 120 * 32,
      input_tokens_per_s: 1536, output_tokens_per_s: 384, total_tokens_per_s: 1920, requests_per_s: 12,
      mean_output_tokens: 32, mean_max_tokens: 32, token_source: 'usage', goodput: llm.goodput, good_requests: llm.goodRequests,
      truncated: 0, truncated_sample: null, slo_ttft_ms: 300, slo_tpot_ms: 40, slo_e2e_ms: null, slo_percentile: 90,
    });
    // TTFT p90 ~ 260 · e^(0.35 · 1.29) ≈ 400 ms > 300: missed; jobs 0 and 1 are well under.
    expect(llm.ttft.p90Ms).toBeGreaterThan(300);
    expect(rows.map((r) => r.meets_llm_slo)).toEqual([true, true, false, false]);
    // runs.meets_slo holds the LLM objectives for an LLM run.
    expect(rows.map((r) => r.meets_slo)).toEqual([true, true, false, false]);
    // The stored histograms hold the distributions: their percentiles are the summary's (min is a bucket's lower end once decoded).
    const tail = ({ count, p50Ms, p90Ms, p99Ms, maxMs }: ReturnType<typeof summarize>) => ({ count, p50Ms, p90Ms, p99Ms, maxMs });
    expect(tail(summarize(decodeHistogram(String(row.ttft_histogram))))).toEqual(tail(llm.ttft));
    expect(tail(summarize(decodeHistogram(String(row.itl_histogram))))).toEqual(tail(llm.itl));
    expect(tail(summarize(decodeHistogram(String(row.tpot_histogram))))).toEqual(tail(llm.tpot));
    expect(rows[3]).toMatchObject({ truncated: 12, truncated_sample: 'stream ended after 3 of 32 tokens without finish_reason' });
  });

  test('a job written again replaces its row (as `rebuild` does, from the JSON Temporal holds); a KServe run has none', async () => {
    const row = `select * exclude (run_id) from llm_runs where run_id = 'llm-slo/j000-r0'`;
    const before = await query(file, row);
    await writeJob(file, JSON.parse(JSON.stringify(llmOutcome({ ...SLO_SWEEP[0], sweepId: 'llm-slo' }))), recordedAt);
    expect((await query(file, `select count(*) as n from llm_runs where run_id = 'llm-slo/j000-r0'`)).rows).toEqual([{ n: 1 }]);
    expect(await query(file, row)).toEqual(before);
    const kserve = llmOutcome({ ...SLO_SWEEP[0], index: 9, sweepId: 'llm-slo' });
    delete kserve.measure!.load.llm;
    await writeJob(file, kserve, recordedAt);
    expect((await query(file, `select count(*) as n from llm_runs where run_id = 'llm-slo/j009-r0'`)).rows).toEqual([{ n: 0 }]);
    // Without its LLM summary the run is judged as a KServe run: the LLM keys do not concern it.
    expect((await query(file, `select meets_slo from runs where run_id = 'llm-slo/j009-r0'`)).rows).toEqual([{ meets_slo: null }]);
    expect((await query(file, `select count(*) as n from llm_results where run_id = 'llm-slo/j009-r0'`)).rows).toEqual([{ n: 0 }]);
  });

  test('a resumed sweep reads its finished LLM jobs back with the figures its summary shows', async () => {
    const [first] = await finishedJobs(file, 'llm-slo');
    const fresh = summarizeOutcome(llmOutcome({ ...SLO_SWEEP[0], sweepId: 'llm-slo' }));
    expect(first.load?.llm).toEqual(fresh.load?.llm);
    expect(first.load?.llm?.ttft.p99Ms).toEqual(expect.any(Number));
  });

  test('llm_results: the swept parameters as columns, E2E under its name, and why a value is null', async () => {
    const { rows } = await query(
      file,
      `select sweep, "workload.concurrency", "workload.prompts.outputTokens", ttft_p99_ms, itl_p50_ms, tpot_p50_ms, e2e_p99_ms, lat_p99_ms,
              output_tokens_per_s, requests_per_s, goodput, valid, reason
       from llm_results where sweep = 'llm-free' order by job_index`,
    );
    expect(rows.map((r) => r['workload.concurrency'])).toEqual([1, 4, 8]);
    expect(rows.every((r) => r['workload.prompts.outputTokens'] === 16 && r.e2e_p99_ms === r.lat_p99_ms && r.goodput === null)).toBe(true);
    expect(rows[0].reason).toBe('no goodput: the config set no LLM SLO (slo.ttftMs, slo.tpotMs, slo.e2eMs)');
    expect(rows[2]).toMatchObject({ ttft_p99_ms: null, itl_p50_ms: null });
    expect(rows[2].reason).toBe(
      'no TTFT or ITL: the run did not stream (workload.stream: false), so only E2E was measured; no goodput: the config set no LLM SLO (slo.ttftMs, slo.tpotMs, slo.e2eMs)',
    );
    const slo = await query(file, `select job_index, reason from llm_results where sweep = 'llm-slo' and job_index < 9 order by job_index`);
    expect(slo.rows.map((r) => r.reason)).toEqual([null, null, null, null]);
  });

  test('llm_best_under_slo: highest goodput meeting the SLO with an LLM SLO, highest output tokens/s without one', async () => {
    const { rows } = await query(file, `select sweep, job_index, ranked_by, mean_goodput, mean_output_tokens_per_s, repeats from llm_best_under_slo order by sweep`);
    expect(rows).toEqual([
      // llm-free: no SLO; the non-streamed run is valid and has the most output tokens/s.
      { sweep: 'llm-free', job_index: 2, ranked_by: 'output_tokens_per_s', mean_goodput: null, mean_output_tokens_per_s: 240, repeats: 1 },
      // llm-slo: jobs 2 and 3 miss the SLO (3 is invalid too); job 1 has the most goodput of 0 and 1.
      { sweep: 'llm-slo', job_index: 1, ranked_by: 'goodput', mean_goodput: expect.any(Number), mean_output_tokens_per_s: 240, repeats: 1 },
    ]);
  });

  test('llm_pareto: per sweep, valid runs no other beats on output tokens/s and TTFT p99', async () => {
    const { rows } = await query(file, `select sweep, job_index from llm_pareto order by sweep, job_index`);
    // llm-slo: 0, 1, 2 trade TTFT for tokens/s (3 is invalid, 9 is no LLM run); llm-free: 2 did not stream (no TTFT).
    expect(rows).toEqual([
      { sweep: 'llm-free', job_index: 0 },
      { sweep: 'llm-free', job_index: 1 },
      { sweep: 'llm-slo', job_index: 0 },
      { sweep: 'llm-slo', job_index: 1 },
      { sweep: 'llm-slo', job_index: 2 },
    ]);
  });

  test('a file written before LLM runs gains llm_runs and the LLM views when opened, its rows kept', async () => {
    const old = join(mkdtempSync(join(tmpdir(), 'sb-llm-old-')), 'results.duckdb');
    const instance = await DuckDBInstance.create(old);
    const conn = await instance.connect();
    for (const ddl of TABLES.filter((t) => !t.includes('llm_runs'))) await conn.run(ddl);
    await conn.run(`INSERT INTO prices VALUES ('cpu', 0.1, 'kept')`);
    conn.closeSync();
    instance.closeSync();
    await withDatabase(old, 'read-write', async () => undefined); // opening migrates
    expect((await query(old, `select count(*) as n from llm_runs`)).rows).toEqual([{ n: 0 }]);
    expect((await query(old, `select count(*) as n from llm_results`)).rows).toEqual([{ n: 0 }]);
    expect((await query(old, `select note from prices`)).rows).toEqual([{ note: 'kept' }]);
  });
});
