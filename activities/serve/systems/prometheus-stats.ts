/**
 * Server statistics of a measured window from two scrapes of a peer system's Prometheus /metrics (cumulative
 * counters), one when the window opens and one when it closes, parsed with parse-prometheus-text-format.
 * What each system does not expose stays null: nothing here is estimated.
 *
 * MLServer 1.7.1: model_infer_request_{success,failure}_total and the summary model_infer_request_duration
 * (seconds, the model's predict call including its adaptive-batching wait), per model. No queue time, no
 * rows, no batch count: those are null.
 * Triton 2.51: nv_inference_request_{success,failure}, nv_inference_count (rows), nv_inference_exec_count
 * (model runs) and the cumulative per-request durations nv_inference_{request,queue,compute_input,
 * compute_infer,compute_output}_duration_us, per model and version.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import type { ServerStats } from '../types';

/** Sums of one model's samples, by metric name (`<summary>_count` / `<summary>_sum` for summaries and histograms). */
export type MetricSums = Record<string, number>;

/**
 * Histogram bucket lines, which nothing here reads: parse-prometheus-text-format 1.1.1 throws on a histogram
 * whose `_sum` line comes before its buckets, as MLServer's multiprocess exposition (parallel workers) writes them.
 */
const BUCKET_LINE = /^[A-Za-z_:][A-Za-z0-9_:]*_bucket[{\s]/;

/** The samples of `model` in a /metrics text, summed over their other labels (version, failure reason). */
export function modelMetricSums(text: string, model: string): MetricSums {
  const sums: MetricSums = {};
  const add = (name: string, v: string | undefined) => {
    if (v === undefined) return;
    sums[name] = (sums[name] ?? 0) + Number(v);
  };
  const withoutBuckets = text
    .split('\n')
    .filter((line) => !BUCKET_LINE.test(line))
    .join('\n');
  for (const family of parsePrometheusTextFormat(withoutBuckets) as PrometheusFamily[]) {
    for (const m of family.metrics) {
      if (m.labels?.model !== model) continue;
      if (family.type === 'SUMMARY' || family.type === 'HISTOGRAM') {
        add(`${family.name}_count`, m.count);
        add(`${family.name}_sum`, m.sum);
      } else {
        add(family.name, m.value);
      }
    }
  }
  return sums;
}

/** end − start of a counter; null where the system does not expose it. */
function delta(start: MetricSums, end: MetricSums, name: string): number | null {
  if (end[name] === undefined) return null;
  return end[name] - (start[name] ?? 0);
}

/** A mean per request from a cumulative sum's delta, scaled to µs; null when absent or over no requests. */
function meanOf(sum: number | null, n: number | null, toUs: number): number | null {
  return sum === null || n === null || n <= 0 ? null : (sum * toUs) / n;
}

export function mlserverMetricsDelta(start: MetricSums, end: MetricSums): ServerStats {
  const ok = delta(start, end, 'model_infer_request_success_total');
  if (ok === null) throw new Error('not MLServer metrics of this model: no model_infer_request_success_total');
  const failed = delta(start, end, 'model_infer_request_failure_total') ?? 0;
  const durationN = delta(start, end, 'model_infer_request_duration_count');
  return {
    requests: ok + failed,
    inferences: null,
    batches: null,
    batchSizeCounts: {},
    queueTimeUs: { mean: null, p99: null },
    computeTimeUs: { mean: null, p99: null },
    requestTimeUs: { mean: meanOf(delta(start, end, 'model_infer_request_duration_sum'), durationN, 1e6) },
  };
}

export function tritonMetricsDelta(start: MetricSums, end: MetricSums): ServerStats {
  const ok = delta(start, end, 'nv_inference_request_success');
  if (ok === null) throw new Error('not Triton metrics of this model: no nv_inference_request_success');
  const failed = delta(start, end, 'nv_inference_request_failure') ?? 0;
  // Triton's duration counters add up each successful request's time (as its /stats does).
  const perRequest = (name: string) => meanOf(delta(start, end, name), ok, 1);
  return {
    requests: ok + failed,
    inferences: delta(start, end, 'nv_inference_count'),
    batches: delta(start, end, 'nv_inference_exec_count'),
    batchSizeCounts: {},
    queueTimeUs: { mean: perRequest('nv_inference_queue_duration_us'), p99: null },
    computeTimeUs: { mean: perRequest('nv_inference_compute_infer_duration_us'), p99: null },
    requestTimeUs: { mean: perRequest('nv_inference_request_duration_us') },
    computeInputUs: { mean: perRequest('nv_inference_compute_input_duration_us') },
    computeOutputUs: { mean: perRequest('nv_inference_compute_output_duration_us') },
  };
}
