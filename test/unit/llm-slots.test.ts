import { SlotPool } from '../../activities/serve/llm/slots';

test('free slots first, then waiters served in arrival order', async () => {
  const pool = new SlotPool(['a', 'b']);
  expect(await pool.acquire()).toBe('a');
  expect(await pool.acquire()).toBe('b');
  expect(pool.anyFree).toBe(false);
  const order: string[] = [];
  const first = pool.acquire().then((s) => order.push(`first:${s}`));
  const second = pool.acquire().then((s) => order.push(`second:${s}`));
  pool.release('b');
  pool.release('a');
  await Promise.all([first, second]);
  expect(order).toEqual(['first:b', 'second:a']);
  expect(pool.anyFree).toBe(false);
  pool.release('a');
  expect(pool.anyFree).toBe(true);
});

test('a waiter whose signal aborts leaves the queue; the slot goes to the next one', async () => {
  const pool = new SlotPool([1]);
  await pool.acquire();
  const gone = new AbortController();
  const leaving = pool.acquire(gone.signal);
  const staying = pool.acquire();
  gone.abort(new Error('client disconnected'));
  await expect(leaving).rejects.toThrow('client disconnected');
  pool.release(1);
  expect(await staying).toBe(1);
  expect(pool.anyFree).toBe(false);
});

test('an already aborted signal rejects at once, taking no slot', async () => {
  const pool = new SlotPool([1]);
  const gone = new AbortController();
  gone.abort(new Error('gone'));
  expect(() => pool.acquire(gone.signal)).toThrow('gone');
  expect(pool.anyFree).toBe(true);
});
