import { BatchQueue, type Queued } from '../../activities/serve/batcher';

interface Req extends Queued {
  id: number;
}

let nextId = 0;
const req = (arrivalMs: number, rows = 1, key = 'k'): Req => ({ id: nextId++, rows, key, arrivalMs });
const ids = (batch: Req[] | undefined): number[] | undefined => batch?.map((r) => r.id);

beforeEach(() => {
  nextId = 0;
});

describe('BatchQueue without batching', () => {
  it('hands out one request at a time, immediately, in arrival order', () => {
    const q = new BatchQueue<Req>();
    q.push(req(0));
    q.push(req(0, 4));
    q.push(req(1));
    expect(ids(q.take(0))).toEqual([0]);
    expect(ids(q.take(0))).toEqual([1]);
    expect(ids(q.take(0))).toEqual([2]);
    expect(q.take(0)).toBeUndefined();
    expect(q.length).toBe(0);
    expect(q.dueAtMs()).toBe(Infinity);
  });
});

describe('BatchQueue with batching', () => {
  const policy = { maxBatchSize: 4, maxQueueDelayMs: 10 };

  it('waits for the batch to fill until the oldest request has waited maxQueueDelayMs', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(100));
    q.push(req(103));
    expect(q.take(105)).toBeUndefined();
    expect(q.dueAtMs()).toBe(110);
    expect(q.take(109.9)).toBeUndefined();
    expect(ids(q.take(110))).toEqual([0, 1]);
    expect(q.length).toBe(0);
  });

  it('runs a full batch at once, without waiting', () => {
    const q = new BatchQueue<Req>(policy);
    for (let i = 0; i < 6; i++) q.push(req(0));
    expect(ids(q.take(0))).toEqual([0, 1, 2, 3]);
    // The remainder is not full and nothing blocks it: it waits out its delay.
    expect(q.take(5)).toBeUndefined();
    expect(ids(q.take(10))).toEqual([4, 5]);
  });

  it('counts rows, not requests, and never splits a request', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(0, 3));
    q.push(req(0, 2)); // 3 + 2 > 4: cannot join, so the first batch is closed
    q.push(req(0, 2));
    expect(ids(q.take(0))).toEqual([0]);
    expect(ids(q.take(0))).toEqual([1, 2]); // exactly full
  });

  it('runs a request larger than maxBatchSize alone and at once', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(0, 9));
    q.push(req(0, 1));
    expect(ids(q.take(0))).toEqual([0]);
    expect(q.take(0)).toBeUndefined();
  });

  it('does not merge requests with different keys, and does not reorder around them', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(0, 1, 'a'));
    q.push(req(1, 1, 'b'));
    q.push(req(2, 1, 'a'));
    // 'b' blocks: waiting cannot grow the head batch, so it runs now.
    expect(ids(q.take(2))).toEqual([0]);
    // 'b' is blocked by the 'a' behind it in the same way.
    expect(ids(q.take(2))).toEqual([1]);
    expect(q.take(2)).toBeUndefined();
    expect(ids(q.take(12))).toEqual([2]);
  });

  it('is FIFO across many batches', () => {
    const q = new BatchQueue<Req>({ maxBatchSize: 3, maxQueueDelayMs: 0 });
    for (let i = 0; i < 3000; i++) q.push(req(i));
    const seen: number[] = [];
    for (let b = q.take(5000); b; b = q.take(5000)) {
      expect(b.length).toBeLessThanOrEqual(3);
      seen.push(...ids(b)!);
    }
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('with a zero delay runs whatever is queued immediately', () => {
    const q = new BatchQueue<Req>({ maxBatchSize: 8, maxQueueDelayMs: 0 });
    q.push(req(5));
    q.push(req(5));
    expect(ids(q.take(5))).toEqual([0, 1]);
  });

  it('dueAtMs follows the oldest waiting request', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(0, 3));
    q.push(req(1, 3));
    q.push(req(7, 1));
    expect(ids(q.take(1))).toEqual([0]);
    expect(q.dueAtMs()).toBe(11);
  });

  it('drain returns everything still waiting, in order', () => {
    const q = new BatchQueue<Req>(policy);
    q.push(req(0));
    q.push(req(0));
    expect(ids(q.drain())).toEqual([0, 1]);
    expect(q.length).toBe(0);
  });
});
