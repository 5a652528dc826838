/**
 * Server statistics of a measured window from two snapshots of Triton's statistics (GET /v2/models/<m>/stats,
 * cumulative counters), as perf_analyzer reads them: one taken when the window opens, one when it closes.
 * Triton keeps sums and counts, not distributions, so there are means and no p99 (null).
 */
import type { ServerStats } from '../types';

interface Duration {
  count: number;
  ns: number;
}

/** One entry of Triton's `model_stats` (the fields read here). */
export interface TritonModelStats {
  name: string;
  inference_count: number;
  execution_count: number;
  inference_stats: { success: Duration; fail: Duration; queue: Duration; compute_infer: Duration };
  batch_stats?: { batch_size: number; compute_infer: Duration }[];
}

/** The entry for `model` in a /stats reply; throws naming what is missing. */
export function modelStatsOf(reply: unknown, model: string): TritonModelStats {
  const list = (reply as { model_stats?: unknown })?.model_stats;
  if (!Array.isArray(list)) throw new Error('not Triton statistics: no model_stats list');
  const entry = list.find((m) => (m as { name?: unknown })?.name === model) as TritonModelStats | undefined;
  if (!entry?.inference_stats) throw new Error(`no statistics for model "${model}"`);
  return entry;
}

const meanUs = (end: Duration, start: Duration): number => {
  const n = end.count - start.count;
  return n > 0 ? (end.ns - start.ns) / n / 1000 : 0;
};

export function tritonStatsDelta(start: TritonModelStats, end: TritonModelStats): ServerStats {
  const s = start.inference_stats;
  const e = end.inference_stats;
  const before = new Map((start.batch_stats ?? []).map((b) => [b.batch_size, b.compute_infer.count]));
  const batchSizeCounts: Record<number, number> = {};
  for (const b of [...(end.batch_stats ?? [])].sort((x, y) => x.batch_size - y.batch_size)) {
    const runs = b.compute_infer.count - (before.get(b.batch_size) ?? 0);
    if (runs > 0) batchSizeCounts[b.batch_size] = runs;
  }
  return {
    requests: e.success.count - s.success.count + (e.fail.count - s.fail.count),
    inferences: end.inference_count - start.inference_count,
    batches: end.execution_count - start.execution_count,
    batchSizeCounts,
    queueTimeUs: { mean: meanUs(e.queue, s.queue), p99: null },
    // compute_infer: the model's own run, what the built-in server's compute time is (its input/output copies apart).
    computeTimeUs: { mean: meanUs(e.compute_infer, s.compute_infer), p99: null },
  };
}
