/**
 * Server statistics from two real /metrics scrapes (test/fixtures/metrics: MLServer 1.7.1 and Triton 2.51 via
 * PyTriton 0.7.0, each serving model mlp_cap, scraped before and after 40 requests of 2 rows each at
 * max batch size 4; mlserver-1.7.1-workers2-*: the same with 2 parallel workers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { mlserverMetricsDelta, modelMetricSums, tritonMetricsDelta } from '../../activities/serve/systems/prometheus-stats';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/metrics', name), 'utf8');

describe('MLServer /metrics', () => {
  const start = modelMetricSums(fixture('mlserver-1.7.1-start.txt'), 'mlp_cap');
  const end = modelMetricSums(fixture('mlserver-1.7.1-end.txt'), 'mlp_cap');

  test('reads the model\'s counters and its request-duration summary', () => {
    expect(start.model_infer_request_success_total).toBe(1);
    expect(end).toMatchObject({ model_infer_request_success_total: 41, model_infer_request_failure_total: 0, model_infer_request_duration_count: 41 });
    expect(end.model_infer_request_duration_sum).toBeCloseTo(0.10372301099505421, 12);
  });

  test('the window: requests and mean request time; rows, runs, queue and compute null (MLServer gives none)', () => {
    const s = mlserverMetricsDelta(start, end);
    expect(s).toMatchObject({ requests: 40, inferences: null, batches: null, batchSizeCounts: {}, queueTimeUs: { mean: null, p99: null }, computeTimeUs: { mean: null, p99: null } });
    const firstSum = start.model_infer_request_duration_sum;
    expect(s.requestTimeUs!.mean).toBeCloseTo(((0.10372301099505421 - firstSum) / 40) * 1e6, 6);
  });

  test('another model\'s metrics are not read', () => {
    expect(modelMetricSums(fixture('mlserver-1.7.1-end.txt'), 'other')).toEqual({});
    expect(() => mlserverMetricsDelta({}, {})).toThrow('no model_infer_request_success_total');
  });
});

describe('MLServer /metrics with parallel workers', () => {
  const text = fixture('mlserver-1.7.1-workers2-end.txt');

  test('the parser alone fails on its histograms (sum before buckets); without their bucket lines it reads them', () => {
    expect(() => parsePrometheusTextFormat(text)).toThrow(TypeError);
    expect(modelMetricSums(text, 'mlp_cap')).toMatchObject({ model_infer_request_success_total: 41, model_infer_request_duration_count: 41 });
  });

  test('its queue metrics are queue lengths, not times: queue time stays null', () => {
    // batch_request_queue (labelled model_name) and parallel_request_queue observe how many requests wait.
    expect(text).toMatch(/^# TYPE batch_request_queue histogram$/m);
    expect(text).toMatch(/^# TYPE parallel_request_queue histogram$/m);
    const s = mlserverMetricsDelta(modelMetricSums(fixture('mlserver-1.7.1-workers2-start.txt'), 'mlp_cap'), modelMetricSums(text, 'mlp_cap'));
    expect(s).toMatchObject({ requests: 40, inferences: null, batches: null, queueTimeUs: { mean: null } });
    expect(s.requestTimeUs!.mean!).toBeGreaterThan(0);
  });
});

describe('Triton /metrics', () => {
  const start = modelMetricSums(fixture('triton-2.51-start.txt'), 'mlp_cap');
  const end = modelMetricSums(fixture('triton-2.51-end.txt'), 'mlp_cap');

  test('failures are summed over their reasons', () => {
    expect(end).toMatchObject({ nv_inference_request_success: 41, nv_inference_request_failure: 0, nv_inference_count: 82, nv_inference_exec_count: 34 });
  });

  test('the window: requests, rows, model runs and per-request means of each duration', () => {
    const s = tritonMetricsDelta(start, end);
    const d = (name: string) => end[name] - start[name];
    expect(s.requests).toBe(40);
    expect(s.inferences).toBe(80); // 40 requests of 2 rows
    expect(s.batches).toBe(d('nv_inference_exec_count'));
    expect(s.batches!).toBeLessThanOrEqual(40); // some requests batched together
    expect(s.queueTimeUs).toEqual({ mean: d('nv_inference_queue_duration_us') / 40, p99: null });
    expect(s.computeTimeUs).toEqual({ mean: d('nv_inference_compute_infer_duration_us') / 40, p99: null });
    expect(s.requestTimeUs!.mean).toBe(d('nv_inference_request_duration_us') / 40);
    expect(s.computeInputUs!.mean).toBe(d('nv_inference_compute_input_duration_us') / 40);
    expect(s.computeOutputUs!.mean).toBe(d('nv_inference_compute_output_duration_us') / 40);
    // A request's time in Triton holds its queue wait and its compute.
    expect(s.requestTimeUs!.mean!).toBeGreaterThan(s.queueTimeUs.mean! + s.computeTimeUs.mean!);
  });

  test('a window without requests has no means, not zeros', () => {
    const s = tritonMetricsDelta(end, end);
    expect(s).toMatchObject({ requests: 0, inferences: 0, batches: 0, queueTimeUs: { mean: null }, requestTimeUs: { mean: null } });
  });

  test('MLServer text is not Triton\'s', () => {
    expect(() => tritonMetricsDelta({}, modelMetricSums(fixture('mlserver-1.7.1-end.txt'), 'mlp_cap'))).toThrow('no nv_inference_request_success');
  });
});
