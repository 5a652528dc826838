/**
 * Cumulative counters in Triton's statistics format (GET /v2/models/{name}/stats),
 * which perf_analyzer reads as deltas between two snapshots. Never reset, as in Triton.
 */
export interface Duration {
  count: number;
  ns: number;
}

interface BatchStat {
  compute_input: Duration;
  compute_infer: Duration;
  compute_output: Duration;
}

const dur = (): Duration => ({ count: 0, ns: 0 });
const add = (d: Duration, ns: number, n = 1): void => {
  d.count += n;
  d.ns += Math.max(0, Math.round(ns));
};

export class TritonStats {
  private inferenceCount = 0;
  private executionCount = 0;
  private lastInferenceMs = 0;
  private readonly success = dur();
  private readonly fail = dur();
  private readonly queue = dur();
  private readonly computeInput = dur();
  private readonly computeInfer = dur();
  private readonly computeOutput = dur();
  private readonly batches = new Map<number, BatchStat>();

  recordQueued(waitNs: number): void {
    add(this.queue, waitNs);
  }

  /** One model run of `rows` rows for `requests` requests; each request is charged the run's time, as Triton does. */
  recordRun(rows: number, requests: number, computeNs: number): void {
    this.executionCount++;
    this.inferenceCount += rows;
    add(this.computeInfer, computeNs * requests, requests);
    add(this.computeInput, 0, requests);
    add(this.computeOutput, 0, requests);
    let b = this.batches.get(rows);
    if (!b) this.batches.set(rows, (b = { compute_input: dur(), compute_infer: dur(), compute_output: dur() }));
    add(b.compute_infer, computeNs);
    add(b.compute_input, 0);
    add(b.compute_output, 0);
  }

  /** A request answered: arrival → response, in ns. */
  recordDone(ok: boolean, ns: number): void {
    add(ok ? this.success : this.fail, ns);
    if (ok) this.lastInferenceMs = Date.now();
  }

  /** One entry of `model_stats`. */
  modelStats(name: string, version: string): Record<string, unknown> {
    const batch_stats = [...this.batches]
      .sort((a, b) => a[0] - b[0])
      .map(([batch_size, s]) => ({ batch_size, ...structuredClone(s) }));
    return {
      name,
      version,
      last_inference: this.lastInferenceMs,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: { ...this.success },
        fail: { ...this.fail },
        queue: { ...this.queue },
        compute_input: { ...this.computeInput },
        compute_infer: { ...this.computeInfer },
        compute_output: { ...this.computeOutput },
        cache_hit: dur(),
        cache_miss: dur(),
      },
      batch_stats,
    };
  }
}
