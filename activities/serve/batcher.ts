/**
 * Dynamic batching policy: a FIFO queue that forms batches. Pure (time is passed
 * in), so the policy is unit-tested with fake time and the server only adds I/O.
 *
 * Rules: a batch is the longest run of queued requests, from the oldest, that
 * share a shape key and fit in maxBatchSize rows. A request is never split; one
 * larger than maxBatchSize runs alone. A batch runs when it is full, when the
 * next queued request cannot join it (waiting cannot fill it further), or when
 * its oldest request has waited maxQueueDelayMs. Requests are never reordered.
 */
import type { BatchingOptions } from './types';

export interface Queued {
  /** Batch-dim size of the request. */
  rows: number;
  /** Requests merge only when keys are equal (same non-batch dims). */
  key: string;
  arrivalMs: number;
}

/** Compact the backing array once this many taken slots precede the head. */
const COMPACT_AT = 1024;

export class BatchQueue<T extends Queued> {
  private items: T[] = [];
  private head = 0;

  /** Without a policy every request is its own batch, taken immediately. */
  constructor(private readonly policy?: BatchingOptions) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The batch that should run at nowMs, removed from the queue; undefined if none is due yet. */
  take(nowMs: number): T[] | undefined {
    const items = this.items;
    const h = this.head;
    if (h >= items.length) return undefined;
    const first = items[h];
    let end = h + 1;
    const policy = this.policy;
    if (policy) {
      const max = policy.maxBatchSize;
      let rows = first.rows;
      while (end < items.length && rows < max) {
        const it = items[end];
        if (it.key !== first.key || rows + it.rows > max) break;
        rows += it.rows;
        end++;
      }
      const blocked = end < items.length;
      if (rows < max && !blocked && nowMs < first.arrivalMs + policy.maxQueueDelayMs) return undefined;
    }
    const batch = end === h + 1 ? [first] : items.slice(h, end);
    this.advance(end);
    return batch;
  }

  /** When the head's batch becomes due by delay alone; Infinity when empty. */
  dueAtMs(): number {
    if (this.head >= this.items.length) return Infinity;
    return this.items[this.head].arrivalMs + (this.policy?.maxQueueDelayMs ?? 0);
  }

  /** Empties the queue, returning what was waiting (e.g. to fail it on shutdown). */
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }

  private advance(end: number): void {
    if (end >= this.items.length) {
      this.items.length = 0;
      this.head = 0;
      return;
    }
    // Clear taken slots so their payloads can be collected.
    for (let i = this.head; i < end; i++) (this.items as unknown[])[i] = undefined;
    this.head = end;
    if (end >= COMPACT_AT && end * 2 >= this.items.length) {
      this.items = this.items.slice(end);
      this.head = 0;
    }
  }
}
