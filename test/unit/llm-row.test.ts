import { llmRunRow } from '../../activities/analysis/llm-row';
import { llmOutcome } from '../support/llm-outcome';

const spec = { sweepId: 's', index: 0, concurrency: 2, ttftMs: 100, itlMs: 20, outputTokens: 32, requests: 50 };

describe('llmRunRow', () => {
  test('flattens the LLM summary, with the SLO it was held to and the verdict', () => {
    const o = llmOutcome({ ...spec, slo: '{ ttftMs: 500, e2eMs: 5000, percentile: 95 }', truncated: 2 });
    const llm = o.measure!.load.llm!;
    expect(llmRunRow(o)).toMatchObject({
      run_id: 's/j000-r0', api: 'openai-chat', stream: true,
      ttft_p50_ms: llm.ttft.p50Ms, ttft_p90_ms: llm.ttft.p90Ms, ttft_p95_ms: llm.ttft.p95Ms, ttft_p99_ms: llm.ttft.p99Ms, ttft_mean_ms: llm.ttft.meanMs, ttft_max_ms: llm.ttft.maxMs,
      itl_p50_ms: llm.itl.p50Ms, tpot_p99_ms: llm.tpot.p99Ms, itl_mean_max_ms: llm.itlMeanPerRequest.maxMs,
      input_tokens: 50 * 128, output_tokens: 50 * 32, input_tokens_per_s: 640, output_tokens_per_s: 160, total_tokens_per_s: 800, requests_per_s: 5,
      token_source: 'usage', truncated: 2, slo_ttft_ms: 500, slo_tpot_ms: null, slo_e2e_ms: 5000, slo_percentile: 95, meets_llm_slo: true,
      ttft_histogram: llm.ttftHistogram, itl_histogram: llm.itlHistogram, tpot_histogram: llm.tpotHistogram,
    });
  });
  test('without an LLM SLO: no percentile, no verdict; a p99Ms SLO alone is not an LLM one', () => {
    expect(llmRunRow(llmOutcome(spec))).toMatchObject({ slo_percentile: null, meets_llm_slo: null, goodput: null, good_requests: null });
    expect(llmRunRow(llmOutcome({ ...spec, slo: '{ p99Ms: 10 }' }))).toMatchObject({ slo_percentile: null, meets_llm_slo: null });
    expect(llmRunRow(llmOutcome({ ...spec, slo: '{ ttftMs: 1 }' }))).toMatchObject({ slo_percentile: 99, meets_llm_slo: false });
  });
  test('no row for a run without an LLM summary or without a measurement', () => {
    const o = llmOutcome(spec);
    delete o.measure!.load.llm;
    expect(llmRunRow(o)).toBeNull();
    expect(llmRunRow({ ...o, status: 'failed', measure: undefined })).toBeNull();
  });
});
