/**
 * The LLM serving views (serving.api openai-*), over `results` and `llm_runs`: one row per LLM run with its
 * swept parameters, the best configuration per sweep, and the output tokens/s vs TTFT p99 front. Like the other
 * views they bind at query time, so they follow `results` when a new swept parameter adds a column to it.
 */

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

const NOT_STREAMED = 'no TTFT or ITL: the run did not stream (workload.stream: false), so only E2E was measured';
const NO_SUCCESS = 'no successful request: no latency was measured';
const NO_TPOT = 'no TPOT: no request produced 2 or more output tokens';
const NO_LLM_SLO = 'no goodput: the config set no LLM SLO (slo.ttftMs, slo.tpotMs, slo.e2eMs)';

/** Why a column of llm_results is empty in every row: `query` says so under the table. */
export const LLM_EMPTY_COLUMN_HINTS: Record<string, string> = {
  goodput: NO_LLM_SLO,
  good_requests: NO_LLM_SLO,
  meets_llm_slo: NO_LLM_SLO,
  ttft_p99_ms: 'no TTFT: the runs did not stream (workload.stream: false) or had no successful request',
  itl_p50_ms: 'no ITL: the runs did not stream (workload.stream: false) or had no successful request',
};

export const LLM_VIEWS: string[] = [
  // Every LLM run with its sweep, parameters and verdict (from `results`), its per-token latencies and tokens
  // (llm_runs), E2E under its own name, and `reason`: why a latency or goodput is null, in words.
  `CREATE OR REPLACE VIEW llm_results AS
   SELECT r.*,
          l.api, l.stream,
          l.ttft_p50_ms, l.ttft_p90_ms, l.ttft_p95_ms, l.ttft_p99_ms, l.ttft_mean_ms, l.ttft_max_ms,
          l.itl_p50_ms, l.itl_p90_ms, l.itl_p95_ms, l.itl_p99_ms, l.itl_mean_ms, l.itl_max_ms,
          l.tpot_p50_ms, l.tpot_p90_ms, l.tpot_p95_ms, l.tpot_p99_ms, l.tpot_mean_ms, l.tpot_max_ms,
          l.itl_mean_p50_ms, l.itl_mean_p90_ms, l.itl_mean_p95_ms, l.itl_mean_p99_ms, l.itl_mean_mean_ms, l.itl_mean_max_ms,
          r.lat_p50_ms AS e2e_p50_ms, r.lat_p90_ms AS e2e_p90_ms, r.lat_p95_ms AS e2e_p95_ms, r.lat_p99_ms AS e2e_p99_ms,
          r.lat_mean_ms AS e2e_mean_ms, r.lat_max_ms AS e2e_max_ms,
          l.input_tokens, l.output_tokens, l.input_tokens_per_s, l.output_tokens_per_s, l.total_tokens_per_s, l.requests_per_s,
          l.mean_output_tokens, l.mean_max_tokens, l.token_source, l.goodput, l.good_requests, l.truncated, l.truncated_sample,
          l.slo_ttft_ms, l.slo_tpot_ms, l.slo_e2e_ms, l.slo_percentile, l.meets_llm_slo,
          nullif(concat_ws('; ',
            CASE WHEN r.lat_p50_ms IS NULL THEN ${literal(NO_SUCCESS)}
                 WHEN NOT l.stream THEN ${literal(NOT_STREAMED)} END,
            CASE WHEN l.stream AND r.lat_p50_ms IS NOT NULL AND l.tpot_p50_ms IS NULL THEN ${literal(NO_TPOT)} END,
            CASE WHEN l.goodput IS NULL THEN ${literal(NO_LLM_SLO)} END), '') AS reason
   FROM results r JOIN llm_runs l USING (run_id)`,
  // Per sweep: the configuration whose every repeat was valid, error-free and met the SLO (runs.meets_slo holds
  // the LLM keys too; a sweep without an SLO is not held to one) with the highest mean goodput when the sweep set
  // an LLM SLO, else the highest mean output tokens/s. `ranked_by` says which.
  `CREATE OR REPLACE VIEW llm_best_under_slo AS
   WITH configs AS (
     SELECT sweep_id, job_index, avg(output_tokens_per_s) AS mean_output_tokens_per_s, avg(goodput) AS mean_goodput,
            max(ttft_p99_ms) AS worst_ttft_p99_ms, count(*) AS repeats,
            bool_and(coalesce(meets_slo, true) AND errors = 0 AND coalesce(valid, true)) AS ok
     FROM llm_results GROUP BY sweep_id, job_index),
   ranked AS (
     SELECT *, CASE WHEN mean_goodput IS NOT NULL THEN 'goodput' ELSE 'output_tokens_per_s' END AS ranked_by
     FROM configs WHERE ok
     QUALIFY row_number() OVER (PARTITION BY sweep_id
       ORDER BY coalesce(mean_goodput, -1) DESC, mean_output_tokens_per_s DESC, worst_ttft_p99_ms NULLS LAST, job_index) = 1)
   SELECT r.*, b.mean_output_tokens_per_s, b.mean_goodput, b.worst_ttft_p99_ms, b.repeats, b.ranked_by
   FROM ranked b JOIN llm_results r ON r.sweep_id = b.sweep_id AND r.job_index = b.job_index
   QUALIFY row_number() OVER (PARTITION BY r.sweep_id ORDER BY r.repeat_index) = 1`,
  // Per sweep: the valid, error-free runs that no other such run of the sweep beats on both output tokens/s
  // (more is better) and TTFT p99 (less is better). A run that did not stream has no TTFT and is on no front.
  `CREATE OR REPLACE VIEW llm_pareto AS
   SELECT a.* FROM llm_results a
   WHERE a.errors = 0 AND coalesce(a.valid, true) AND a.output_tokens_per_s > 0 AND a.ttft_p99_ms IS NOT NULL AND NOT EXISTS (
     SELECT 1 FROM llm_results b
     WHERE b.sweep_id = a.sweep_id AND b.errors = 0 AND coalesce(b.valid, true) AND b.ttft_p99_ms IS NOT NULL
       AND b.output_tokens_per_s >= a.output_tokens_per_s AND b.ttft_p99_ms <= a.ttft_p99_ms
       AND (b.output_tokens_per_s > a.output_tokens_per_s OR b.ttft_p99_ms < a.ttft_p99_ms))`,
];
