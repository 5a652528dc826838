/**
 * What the report's "LLM serving" section shows of a sweep (serving.api openai-*): each LLM run's per-token
 * latencies, tokens and goodput (llm_results), the runs on the output tokens/s vs TTFT p99 front (llm_pareto), the
 * best configuration (llm_best_under_slo), and TTFT and ITL distributions from the stored HDR histograms.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { decodeHistogram, latencyBuckets } from '../../activities/loadgen/histogram';
import type { CdfPoint } from './data';

/** p50 … max of one per-token latency, ms; null where nothing measured it. */
export interface LlmPercentiles {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  maxMs: number | null;
}

export interface LlmRunInfo {
  runId: string;
  api: string;
  stream: boolean;
  ttft: LlmPercentiles;
  itl: LlmPercentiles;
  tpot: LlmPercentiles;
  /** Per request, the mean of its chunk gaps (GuideLLM's inter-token latency). */
  itlMean: LlmPercentiles;
  inputTokensPerS: number;
  outputTokensPerS: number;
  requestsPerS: number;
  meanOutputTokens: number | null;
  tokenSource: string | null;
  goodput: number | null;
  truncated: number;
  truncatedSample: string | null;
  /** The LLM SLO in words ("TTFT p99 ≤ 500 ms, TPOT p99 ≤ 50 ms"); null without one. */
  slo: string | null;
  sloTtftMs: number | null;
  /** The percentile the LLM SLO is judged at; null without an LLM SLO. */
  sloPercentile: number | null;
  meetsLlmSlo: boolean | null;
  /** Why a figure is null (llm_results.reason). */
  reason: string | null;
}

export interface LlmBest {
  runId: string;
  jobIndex: number;
  params: Record<string, unknown>;
  rankedBy: 'goodput' | 'output_tokens_per_s';
  meanGoodput: number | null;
  meanOutputTokensPerS: number;
  worstTtftP99Ms: number | null;
  repeats: number;
}

export interface LlmReportData {
  runs: LlmRunInfo[];
  /** Run ids on this sweep's output tokens/s vs TTFT p99 front. */
  front: string[];
  best: LlmBest | null;
  /** TTFT and ITL distributions per run, from llm_runs' histograms. */
  ttftCdf: CdfPoint[];
  itlCdf: CdfPoint[];
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

async function rows(conn: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Row[]> {
  return (await conn.runAndReadAll(sql, values)).getRowObjectsJS() as Row[];
}

const percentiles = (r: Row, m: string): LlmPercentiles => ({
  p50Ms: num(r[`${m}_p50_ms`]),
  p90Ms: num(r[`${m}_p90_ms`]),
  p95Ms: num(r[`${m}_p95_ms`]),
  p99Ms: num(r[`${m}_p99_ms`]),
  meanMs: num(r[`${m}_mean_ms`]),
  maxMs: num(r[`${m}_max_ms`]),
});

/** The LLM SLO of a run in words, from its llm_runs columns. */
export function llmSloText(r: { slo_ttft_ms?: unknown; slo_tpot_ms?: unknown; slo_e2e_ms?: unknown; slo_percentile?: unknown }): string | null {
  const p = num(r.slo_percentile) ?? 99;
  const parts = (
    [
      ['TTFT', r.slo_ttft_ms],
      ['TPOT', r.slo_tpot_ms],
      ['E2E', r.slo_e2e_ms],
    ] as const
  )
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([name, v]) => `${name} p${p} ≤ ${Number(v)} ms`);
  return parts.length ? parts.join(', ') : null;
}

/** A stored histogram as CDF points (le_ms > 0), as the recorder derives latency_buckets; none when empty or unreadable. */
export function histogramCdf(runId: string, encoded: string | null): CdfPoint[] {
  if (!encoded) return [];
  try {
    return latencyBuckets(decodeHistogram(encoded))
      .filter((b) => b.leMs > 0)
      .map((b) => ({ runId, leMs: b.leMs, fraction: b.cumulativeFraction }));
  } catch {
    return [];
  }
}

/** null when the sweep has no LLM run: the report then has no LLM section. */
export async function loadLlmData(conn: DuckDBConnection, sweepId: string): Promise<LlmReportData | null> {
  const found = await rows(
    conn,
    `SELECT r.*, l.ttft_histogram, l.itl_histogram FROM llm_results r JOIN llm_runs l USING (run_id)
     WHERE r.sweep_id = $1 ORDER BY r.job_index, r.repeat_index`,
    [sweepId],
  );
  if (!found.length) return null;
  const runs = found.map(
    (r): LlmRunInfo => ({
      runId: String(r.run_id),
      api: String(r.api),
      stream: Boolean(r.stream),
      ttft: percentiles(r, 'ttft'),
      itl: percentiles(r, 'itl'),
      tpot: percentiles(r, 'tpot'),
      itlMean: percentiles(r, 'itl_mean'),
      inputTokensPerS: Number(r.input_tokens_per_s),
      outputTokensPerS: Number(r.output_tokens_per_s),
      requestsPerS: Number(r.requests_per_s),
      meanOutputTokens: num(r.mean_output_tokens),
      tokenSource: str(r.token_source),
      goodput: num(r.goodput),
      truncated: Number(r.truncated),
      truncatedSample: str(r.truncated_sample),
      slo: llmSloText(r),
      sloTtftMs: num(r.slo_ttft_ms),
      sloPercentile: num(r.slo_percentile),
      meetsLlmSlo: r.meets_llm_slo === null || r.meets_llm_slo === undefined ? null : Boolean(r.meets_llm_slo),
      reason: str(r.reason),
    }),
  );
  const front = (await rows(conn, `SELECT run_id FROM llm_pareto WHERE sweep_id = $1 ORDER BY ttft_p99_ms`, [sweepId])).map((r) => String(r.run_id));
  const [b] = await rows(
    conn,
    `SELECT run_id, job_index, params, ranked_by, mean_goodput, mean_output_tokens_per_s, worst_ttft_p99_ms, repeats FROM llm_best_under_slo WHERE sweep_id = $1`,
    [sweepId],
  );
  const best: LlmBest | null = b
    ? {
        runId: String(b.run_id),
        jobIndex: Number(b.job_index),
        params: typeof b.params === 'string' ? (JSON.parse(b.params) as Record<string, unknown>) : ((b.params as Record<string, unknown>) ?? {}),
        rankedBy: b.ranked_by === 'goodput' ? 'goodput' : 'output_tokens_per_s',
        meanGoodput: num(b.mean_goodput),
        meanOutputTokensPerS: Number(b.mean_output_tokens_per_s),
        worstTtftP99Ms: num(b.worst_ttft_p99_ms),
        repeats: Number(b.repeats),
      }
    : null;
  return {
    runs,
    front,
    best,
    ttftCdf: found.flatMap((r) => histogramCdf(String(r.run_id), str(r.ttft_histogram))),
    itlCdf: found.flatMap((r) => histogramCdf(String(r.run_id), str(r.itl_histogram))),
  };
}
