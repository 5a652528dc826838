/**
 * The llm_runs row of an LLM run (serving.api openai-*): its LlmSummary flattened, with the LLM SLO the job was
 * held to and the verdict on it. Pure; record.ts writes it beside the runs row.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { llmSloVerdict } from '../../analysis/slo';
import type { LatencySummary } from '../loadgen/histogram';
import type { JobOutcome } from '../types';

type Row = Record<string, DuckDBValue | undefined>;

/** `<prefix>_p50_ms` … `<prefix>_max_ms` of one summary (null where nothing measured it). */
function percentiles(prefix: string, s: LatencySummary): Row {
  return {
    [`${prefix}_p50_ms`]: s.p50Ms,
    [`${prefix}_p90_ms`]: s.p90Ms,
    [`${prefix}_p95_ms`]: s.p95Ms,
    [`${prefix}_p99_ms`]: s.p99Ms,
    [`${prefix}_mean_ms`]: s.meanMs,
    [`${prefix}_max_ms`]: s.maxMs,
  };
}

/** null for a run without an LLM summary (KServe, or no measurement). */
export function llmRunRow(o: JobOutcome): Row | null {
  const load = o.measure?.load;
  const llm = load?.llm;
  if (!load || !llm) return null;
  const slo = o.job.config.slo;
  const anyLlmSlo = slo?.ttftMs !== undefined || slo?.tpotMs !== undefined || slo?.e2eMs !== undefined;
  return {
    run_id: o.job.jobId,
    api: llm.api,
    stream: llm.stream,
    ...percentiles('ttft', llm.ttft),
    ...percentiles('itl', llm.itl),
    ...percentiles('tpot', llm.tpot),
    ...percentiles('itl_mean', llm.itlMeanPerRequest),
    input_tokens: llm.inputTokens,
    output_tokens: llm.outputTokens,
    input_tokens_per_s: llm.inputTokensPerS,
    output_tokens_per_s: llm.outputTokensPerS,
    total_tokens_per_s: llm.inputTokensPerS + llm.outputTokensPerS,
    requests_per_s: load.throughput,
    mean_output_tokens: llm.meanOutputTokens,
    mean_max_tokens: llm.meanMaxTokens,
    token_source: llm.tokenSource,
    goodput: llm.goodput,
    good_requests: llm.goodRequests,
    truncated: llm.truncated,
    truncated_sample: llm.truncatedSample,
    slo_ttft_ms: slo?.ttftMs ?? null,
    slo_tpot_ms: slo?.tpotMs ?? null,
    slo_e2e_ms: slo?.e2eMs ?? null,
    slo_percentile: anyLlmSlo ? (slo?.percentile ?? 99) : null,
    meets_llm_slo: llmSloVerdict(slo, load.latency, load.ok, llm).meets,
    ttft_histogram: llm.ttftHistogram,
    itl_histogram: llm.itlHistogram,
    tpot_histogram: llm.tpotHistogram,
  };
}
