/**
 * An LLM sweep for real: the sweep workflow on the test Temporal server, the bundled GGUF (SmolLM2-135M-Instruct)
 * on the built-in LLM server (node-llama-cpp in its child process), synthetic prompts fitted with the model's own
 * tokenizer, streamed OpenAI requests over real HTTP, rows in a real DuckDB file and the LLM views over them.
 * Short and small for a busy 2-core host: 8 output tokens, 1 s warm-up, 3 s measured; no timing is asserted.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { query } from '../../analysis/db';
import { LEADER_QUEUE } from '../../workflows/queues';
import type { sweepWorkflow } from '../../workflows/sweep';
import { buildEntryJs } from '../support/serve-js';
import { useTestCluster } from '../support/workers';

const ROOT = path.resolve(__dirname, '..', '..');
const GGUF = path.join(ROOT, 'models', 'third-party', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const OUTPUT_TOKENS = 8;

// Both APIs in one sweep (the request bodies and stream chunks differ), each at concurrency 2 over 2 sequences.
const LLM_YAML = `
name: llm-e2e
model:
  path: ${JSON.stringify(GGUF)}
serving:
  api: openai-chat
  intraOpThreads: 1
  llm: { parallel: 2, contextSize: 512 }
workload:
  mode: concurrency
  concurrency: 2
  warmup: 1s
  duration: 3s
  prompts:
    inputTokens: { mean: 32, stdev: 4, min: 16, max: 48 }
    outputTokens: ${OUTPUT_TOKENS}
    ignoreEos: true
slo: { ttftMs: 60000, tpotMs: 60000 }
sweep:
  serving.api: [openai-chat, openai-completions]
`;

describe('an LLM sweep through Temporal, on the bundled GGUF', () => {
  const cluster = useTestCluster({
    prepare: () => {
      if (!existsSync(GGUF)) throw new Error(`${GGUF} is missing: run \`npm run setup\``);
      // The child processes run compiled JS: build their entry points from the sources under test.
      buildEntryJs([
        'activities/serve/llm/llm-main.ts',
        'activities/inputs/prompts-main.ts',
        'activities/compile/compile-main.ts',
        'activities/loadgen/loadgen-main.ts',
      ]);
    },
    timeoutMs: 300_000,
  });

  const runSweep = (workflowId: string, configYaml: string) =>
    cluster.client.workflow.execute<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId, args: [{ configYaml, configFile: 'llm-e2e.yaml' }] });

  test('both APIs stream exactly outputTokens per request; runs, llm_runs, server stats and the LLM views agree', async () => {
    const result = await runSweep('itest-llm', LLM_YAML);
    expect(result.jobs.map((j) => [j.params['serving.api'], j.status])).toEqual([
      ['openai-chat', 'completed'],
      ['openai-completions', 'completed'],
    ]);

    const sweeps = await query(cluster.resultsFile, `select status, jobs_done, jobs_failed from sweeps where sweep_id = 'itest-llm'`);
    expect(sweeps.rows).toEqual([{ status: 'completed', jobs_done: 2, jobs_failed: 0 }]);

    const { rows } = await query(
      cluster.resultsFile,
      `select r.run_id, r.mode, r.concurrency, r.ok, r.errors, r.valid, r.invalid_reasons, r.meets_slo, r.throughput, r.serving_system,
              l.api, l.stream, l.ttft_p50_ms, l.ttft_p99_ms, l.itl_p50_ms, l.tpot_p50_ms, l.itl_mean_p50_ms,
              l.mean_output_tokens, l.mean_max_tokens, l.token_source, l.truncated, l.truncated_sample,
              l.input_tokens, l.output_tokens, l.input_tokens_per_s, l.output_tokens_per_s, l.total_tokens_per_s, l.requests_per_s,
              l.goodput, l.good_requests, l.slo_ttft_ms, l.slo_tpot_ms, l.slo_percentile, l.meets_llm_slo,
              l.ttft_histogram is not null as has_ttft_histogram,
              r.server_stats->>'$.requests' as server_requests,
              r.server_stats->>'$.llm.promptTokens' as server_prompt_tokens,
              r.server_stats->>'$.llm.completionTokens' as server_completion_tokens,
              s.requests as table_server_requests
       from runs r left join llm_runs l using (run_id) left join server_stats s using (run_id)
       where r.sweep_id = 'itest-llm' order by r.run_id`,
    );
    expect(rows.map((r) => [r.run_id, r.api])).toEqual([
      ['itest-llm/j000-r0', 'openai-chat'],
      ['itest-llm/j001-r0', 'openai-completions'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({
        mode: 'concurrency', concurrency: 2, errors: 0, valid: true, invalid_reasons: '[]', meets_slo: true, serving_system: 'builtin',
        stream: true, token_source: 'usage', truncated: 0, truncated_sample: null, has_ttft_histogram: true,
        // ignore_eos: every reply is exactly max_tokens long.
        mean_output_tokens: OUTPUT_TOKENS, mean_max_tokens: OUTPUT_TOKENS,
        slo_ttft_ms: 60000, slo_tpot_ms: 60000, slo_percentile: 99, meets_llm_slo: true,
      });
      expect(r.ok as number).toBeGreaterThan(0);
      expect(r.ttft_p50_ms as number).toBeGreaterThan(0);
      expect(r.ttft_p50_ms as number).toBeLessThanOrEqual(r.ttft_p99_ms as number);
      expect(r.itl_p50_ms as number).toBeGreaterThan(0);
      expect(r.tpot_p50_ms as number).toBeGreaterThan(0);
      expect(r.itl_mean_p50_ms as number).toBeGreaterThan(0);
      expect(r.input_tokens_per_s as number).toBeGreaterThan(0);
      expect(r.output_tokens_per_s as number).toBeGreaterThan(0);
      expect(r.total_tokens_per_s as number).toBeCloseTo((r.input_tokens_per_s as number) + (r.output_tokens_per_s as number), 6);
      expect(r.requests_per_s as number).toBeGreaterThan(0);
      // runs.throughput is the LLM pace (requests answered in the window, per second).
      expect(r.throughput as number).toBeCloseTo(r.requests_per_s as number, 6);
      // Every request meets a 60 s TTFT and TPOT: goodput is the whole pace, every measured ok request good.
      expect(r.good_requests).toBe(r.ok);
      expect(r.goodput as number).toBeCloseTo(r.requests_per_s as number, 6);

      // The server's own count of the measured requests (runs.server_stats' llm part): it records a request
      // before the client can read its end, so it saw at least the client's ok ones, each of exactly 8 tokens.
      const serverRequests = Number(r.server_requests);
      expect(serverRequests).toBeGreaterThanOrEqual(r.ok as number);
      expect(Number(r.table_server_requests)).toBe(serverRequests);
      expect(Number(r.server_completion_tokens)).toBeGreaterThanOrEqual((r.ok as number) * OUTPUT_TOKENS);
      expect(Number(r.server_completion_tokens)).toBeLessThanOrEqual(serverRequests * OUTPUT_TOKENS);
      // Prompts of 16..48 tokens (chat adds its template's tokens, within the 512 context).
      expect(Number(r.server_prompt_tokens)).toBeGreaterThanOrEqual(serverRequests * 16);
    }

    // llm_results: one row per run with the swept parameter as a column and the E2E latency under its name.
    const results = await query(
      cluster.resultsFile,
      `select job_index, "serving.api" as swept_api, api, e2e_p50_ms, lat_p50_ms, goodput, reason from llm_results where sweep = 'llm-e2e' order by job_index`,
    );
    expect(results.rows.map((r) => [r.job_index, r.swept_api, r.api, r.reason])).toEqual([
      [0, 'openai-chat', 'openai-chat', null],
      [1, 'openai-completions', 'openai-completions', null],
    ]);
    for (const r of results.rows) expect(r.e2e_p50_ms).toBe(r.lat_p50_ms);

    // llm_best_under_slo: both meet the SLO, so one of them, ranked by goodput, is the sweep's best.
    const best = await query(cluster.resultsFile, `select job_index, ranked_by, mean_goodput, repeats from llm_best_under_slo where sweep = 'llm-e2e'`);
    expect(best.rows).toEqual([{ job_index: expect.any(Number), ranked_by: 'goodput', mean_goodput: expect.any(Number), repeats: 1 }]);
    const bestGoodput = Math.max(...rows.map((r) => r.goodput as number));
    expect(best.rows[0].mean_goodput as number).toBeCloseTo(bestGoodput, 6);
    expect(rows[best.rows[0].job_index as number].goodput as number).toBeCloseTo(bestGoodput, 6);
  }, 600_000);

  test('a sweep with a job the built-in server cannot serve (a GGUF over kserve-v2) fails at its plan, naming the key and line, with no job started', async () => {
    const yaml = `name: llm-bad\nmodel: { path: ${JSON.stringify(GGUF)} }\nserving: { api: kserve-v2 }\nworkload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 1s }\n`;
    const err = await runSweep('itest-llm-bad', yaml).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as Error & { type?: string };
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toBe(
      'llm-e2e.yaml: model.path (line 2): a GGUF model is served over an OpenAI API, and serving.api is kserve-v2: set serving.api openai-completions or openai-chat (unset = kserve-v2: tensors)',
    );
    const jobs = await query(cluster.resultsFile, `select count(*) as n from jobs where sweep_id = 'itest-llm-bad'`);
    expect(jobs.rows).toEqual([{ n: 0 }]);
  }, 120_000);
});
