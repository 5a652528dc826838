/**
 * A job's outcome in brief: what the sweep keeps per job (through continue-as-new, in its result) and what the
 * run summary prints. The full outcome lives in the results database and in the benchmark workflow's result.
 * Pure and types-only imports, so workflow code can use it.
 */
import type { Config } from '../configs/schema';
import type { LatencySummary } from './loadgen/histogram';
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
  };
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
        }
      : undefined,
  };
}

/** The summary without parameters and load figures: what a very large sweep keeps per job (its payloads stay small). */
export function briefSummary(s: JobSummary): JobSummary {
  const { params: _params, load: _load, slo: _slo, ...rest } = s;
  return { ...rest, params: {} };
}
