/**
 * Feeds queued requests to free instances: the batch policy (batcher.ts) plus
 * the timers, instance bookkeeping and stats around it.
 */
import { performance } from 'node:perf_hooks';
import { BatchQueue } from './batcher';
import { concatInputs, splitOutputs, type Tensors } from './batch-tensors';
import type { InferJob } from './infer-protocol';
import type { Instance } from './instance-pool';
import type { ModelSpec } from './model-spec';
import type { StatsRecorder } from './stats';
import type { BatchingOptions } from './types';

/** Answers one job: its outputs, or why it failed. */
export type Deliver = (job: InferJob, out: Tensors | null, err: Error | null) => void;

/** A job refused because the server is shutting down (→ 503). */
export class ShuttingDown extends Error {}

export class Dispatcher {
  private readonly queue: BatchQueue<InferJob>;
  private readonly free: Instance[];
  private busy = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closing = false;
  private onIdle: (() => void) | null = null;

  constructor(
    instances: Instance[],
    private readonly spec: ModelSpec,
    batching: BatchingOptions | undefined,
    private readonly stats: StatsRecorder,
    private readonly deliver: Deliver,
  ) {
    this.queue = new BatchQueue<InferJob>(batching);
    this.free = [...instances];
  }

  submit(job: InferJob): void {
    if (this.closing) return this.deliver(job, null, new ShuttingDown('server is shutting down'));
    this.stats.recordArrival(job.measured === true);
    job.arrivalMs = performance.now();
    this.queue.push(job);
    this.pump();
  }

  /** Stops taking jobs; resolves once queued and running ones are answered, or after timeoutMs (failing the rest). */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.busy > 0 || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.onIdle = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.onIdle = null;
    if (this.timer) clearTimeout(this.timer);
    for (const job of this.queue.drain()) this.deliver(job, null, new ShuttingDown('server shut down before running the request'));
  }

  private pump(): void {
    const free = this.free;
    while (free.length > 0) {
      const batch = this.queue.take(performance.now());
      if (!batch) break;
      this.runBatch(free.pop()!, batch);
    }
    if (free.length > 0 && this.queue.length > 0) this.wakeAt(this.queue.dueAtMs());
    else if (this.busy === 0 && free.length === 0 && this.queue.length > 0) {
      // Every instance has died: nothing will ever take these.
      for (const job of this.queue.drain()) this.deliver(job, null, new Error('no model instance is running'));
    } else if (this.busy === 0 && this.queue.length === 0) this.onIdle?.();
  }

  /** Arms the one timer for the head batch's deadline (timers have ms granularity: round up). */
  private wakeAt(atMs: number): void {
    if (this.timer && this.timerAt <= atMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = atMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, Math.ceil(atMs - performance.now())));
  }

  private runBatch(instance: Instance, batch: InferJob[]): void {
    const start = performance.now();
    let rows = 0;
    for (const job of batch) {
      this.stats.recordQueued(start - job.arrivalMs, job.measured === true);
      rows += job.rows;
    }
    let feeds: Tensors;
    try {
      feeds = concatInputs(batch, this.spec.inputs);
    } catch (e) {
      this.free.push(instance);
      for (const job of batch) this.deliver(job, null, e as Error);
      return;
    }
    this.busy++;
    instance.run(feeds, (err, out) => {
      this.busy--;
      if (!instance.dead) this.free.push(instance);
      // Start the next batch before answering this one, so the instance is not idle while we serialise.
      this.pump();
      if (err || !out) {
        for (const job of batch) this.deliver(job, null, err);
        return;
      }
      const counted = batch.filter((job) => this.stats.counts(job.measured === true));
      this.stats.recordRun(rows, batch.length, out.computeUs, counted.length, counted.reduce((n, job) => n + job.rows, 0));
      let parts: Tensors[];
      try {
        parts = splitOutputs(batch, out);
      } catch (e) {
        for (const job of batch) this.deliver(job, null, e as Error);
        return;
      }
      for (let j = 0; j < batch.length; j++) this.deliver(batch[j], parts[j], null);
    });
  }
}
