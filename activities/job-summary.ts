/**
 * A job's outcome in brief: what the sweep keeps per job (through continue-as-new, in its result) and what the
 * run summary prints. The full outcome lives in the results database and in the benchmark workflow's result.
 * Pure and types-only imports, so workflow code can use it.
 */
import type { Config } from '../configs/schema';
import type { LatencyPercentiles } from '../analysis/slo';
import type { LatencySummary } from './loadgen/histogram';
import type { LlmSummary } from './loadgen/llm-types';
import type { JobOutcome, JobStatus } from './types';

export interface JobSummary {
  jobId: string;
  index: number;
  repeat: number;
  params: Record<string, unknown>;
  status: JobStatus;
  error?: string;
  node?: string;
  device?: string;
  measureAttempts?: number;
  batchSize: number;
  slo?: Config['slo'];
  load?: {
    throughput: number;
    errors: number;
    ok: number;
    latency: LatencySummary;
    valid: boolean | null;
    reasons: string[];
    /** An LLM run's (serving.api openai-*) figures for the summary; absent for a KServe run. */
    llm?: LlmBrief;
  };
}

/** What the summary shows of an LLM run, and what its SLO verdict needs (TTFT and TPOT at slo.percentile). */
export interface LlmBrief {
  ttft: LatencyPercentiles;
  tpot: LatencyPercentiles;
  itlP50Ms: number | null;
  outputTokensPerS: number;
  /** null without an LLM SLO. */
  goodput: number | null;
}

const percentiles = (s: LatencyPercentiles): LatencyPercentiles => ({ p50Ms: s.p50Ms, p90Ms: s.p90Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms });

export function llmBrief(llm: LlmSummary): LlmBrief {
  return { ttft: percentiles(llm.ttft), tpot: percentiles(llm.tpot), itlP50Ms: llm.itl.p50Ms, outputTokensPerS: llm.outputTokensPerS, goodput: llm.goodput };
}

export function summarizeOutcome(o: JobOutcome): JobSummary {
  const m = o.measure;
  return {
    jobId: o.job.jobId,
    index: o.job.index,
    repeat: o.job.repeat,
    params: o.job.params,
    status: o.status,
    error: o.error,
    node: m?.node,
    device: m?.device,
    measureAttempts: m?.attempt ?? o.measureAttempts,
    batchSize: o.job.config.workload.batchSize,
    slo: o.job.config.slo,
    load: m
      ? {
          throughput: m.load.throughput,
          errors: m.load.errors,
          ok: m.load.ok,
          latency: m.load.latency,
          valid: m.load.verdict?.valid ?? null,
          reasons: m.load.verdict?.reasons ?? [],
          ...(m.load.llm ? { llm: llmBrief(m.load.llm) } : {}),
        }
      : undefined,
  };
}

/** The summary without parameters and load figures: what a very large sweep keeps per job (its payloads stay small). */
export function briefSummary(s: JobSummary): JobSummary {
  const { params: _params, load: _load, slo: _slo, ...rest } = s;
  return { ...rest, params: {} };
}
