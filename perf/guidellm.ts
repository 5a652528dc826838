/**
 * GuideLLM (PyPI guidellm 0.8.1, set up by perf/setup-llm-crosscheck.sh) as the independent client of
 * perf:llm-crosscheck: one `guidellm run` at a fixed concurrency for a fixed number of requests of synthetic
 * prompts, and the figures read from its JSON report.
 *
 * GuideLLM's names: time_to_first_token_ms (from its request start), inter_token_latency_ms ((E2E − TTFT) /
 * (output tokens − 1) per request: servebench's itl_mean), time_per_output_token_ms (E2E / output tokens: not
 * vLLM's TPOT), output_tokens_per_second ("total": the tokens of every request, those cut off at the end too, over
 * the benchmark's measured duration).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, pinned, run } from './common';

export interface GuidellmRun {
  target: string;
  /** The served model id (GuideLLM puts it in every request). */
  model: string;
  concurrency: number;
  /** Warm-up excluded from the figures (GuideLLM's profile warmup, in seconds), then the measured time. */
  warmupS: number;
  durationS: number;
  promptTokens: number;
  outputTokens: number;
  /** An HF tokenizer directory (setup-llm-crosscheck.sh converts the GGUF's). */
  tokenizerDir: string;
  /** CPU to pin GuideLLM to (its scheduler spawns worker processes: all inherit the pinning). */
  cpu: string;
  outFile: string;
  timeoutMs: number;
}

export interface GuidellmFigures {
  ttftP50Ms: number;
  itlP50Ms: number;
  outputTps: number;
  requests: number;
  errored: number;
  durationS: number;
  /** The benchmark's span, epoch ms (GuideLLM's own start-up, seconds of importing torch, lies before it). */
  startMs: number;
  endMs: number;
}

export const GUIDELLM = path.join(REPO_ROOT, '.venv-guidellm', 'bin', 'guidellm');

export async function runGuidellm(r: GuidellmRun): Promise<GuidellmFigures> {
  const args = [
    'run',
    // temperature 0 as servebench's bodies (and vLLM's benchmark) send: the server's default samples, which costs a
    // 135M model ~40% more time per token than greedy decoding (perf/README.md, perf:llm-crosscheck). The
    // servebench-measured header makes the built-in server count its requests in its own statistics too.
    '--backend', `kind=openai_http,target=${r.target},model=${r.model},api_key=EMPTY,extras.body.temperature=0,extras.headers.servebench-measured='1'`,
    '--profile', `kind=concurrent,streams=${r.concurrency},warmup=${r.warmupS}`,
    '--constraint', `kind=max_duration,seconds=${r.warmupS + r.durationS}`,
    '--data', `kind=synthetic_text,prompt_tokens=${r.promptTokens},output_tokens=${r.outputTokens}`,
    '--tokenizer', `kind=hf_auto,model=${r.tokenizerDir}`,
    '--output', `kind=json,path=${r.outFile}`,
    '--disable-console',
  ];
  const [cmd, argv] = pinned(r.cpu, GUIDELLM, args);
  const out = await run(cmd, argv, { timeoutMs: r.timeoutMs, env: { ...process.env, HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' } });
  if (out.code !== 0) throw new Error(`guidellm exited ${out.code}: ${out.stderr.slice(-800)}`);
  return readGuidellmReport(r.outFile);
}

type Dist = { median: number; mean: number; total_sum: number; percentiles: Record<string, number> };
type Stat = { successful: Dist; total: Dist };

/** The figures of the report's one benchmark. */
export function readGuidellmReport(file: string): GuidellmFigures {
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    benchmarks: { duration: number; start_time: number; end_time: number; metrics: Record<string, Stat> & { request_totals: { successful: number; errored: number } } }[];
  };
  const b = report.benchmarks[0];
  if (!b) throw new Error(`${file}: no benchmark in GuideLLM's report`);
  const m = b.metrics;
  return {
    ttftP50Ms: m.time_to_first_token_ms.successful.percentiles.p50,
    itlP50Ms: m.inter_token_latency_ms.successful.percentiles.p50,
    outputTps: m.output_tokens_per_second.total.mean,
    requests: m.request_totals.successful,
    errored: m.request_totals.errored,
    durationS: b.duration,
    startMs: b.start_time * 1000,
    endMs: b.end_time * 1000,
  };
}
