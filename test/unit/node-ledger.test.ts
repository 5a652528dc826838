import { NodeLedger, type Claim } from '../../activities/probe/node-ledger';

/** A ledger on a hand-driven clock. */
function ledger(cores = 2) {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const l = new NodeLedger({ cores, now: () => t });
  return { l, tick: (ms: number) => (t += ms), at: (ms: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + ms).toISOString() };
}

/** Whether a promise has settled, after pending microtasks ran. */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('NodeLedger', () => {
  test('a compile takes the lowest free core; with all cores measuring it waits for one to end', async () => {
    const { l, tick, at } = ledger();
    const m0 = await l.claimMeasure('a', 'cpu0', [0]);
    const m1 = await l.claimMeasure('b', 'cpu1', [1]);
    const compile = l.claimCompile('c');
    expect(await settled(compile)).toBe(false);
    expect(l.waiting).toBe(1);
    tick(1000);
    m1.release();
    const c = await compile;
    expect(c.cores).toEqual([1]);
    expect(c.activity).toMatchObject({ kind: 'compile', jobId: 'c', cores: [1], startedAt: at(1000), finishedAt: null });
    m0.release();
    c.release();
  });

  test('a measurement waits for a compile on its cores, and reserves them against later compiles', async () => {
    const { l } = ledger();
    const c1 = await l.claimCompile('c1'); // core 0
    const measure = l.claimMeasure('m', 'cpu', [0, 1]);
    expect(await settled(measure)).toBe(false);
    // Core 1 is free, but the waiting measurement wants it: a later compile must not take it.
    const c2 = l.claimCompile('c2');
    expect(await settled(c2)).toBe(false);
    c1.release();
    const m = await measure;
    expect(m.cores).toEqual([0, 1]);
    expect(await settled(c2)).toBe(false);
    m.release();
    expect((await c2).cores).toEqual([0]);
  });

  test('a claim passes a blocked earlier one that wants none of its cores', async () => {
    const { l } = ledger(3);
    const c = await l.claimCompile('c', [0]);
    const blocked = l.claimMeasure('m0', 'cpu0', [0]);
    const free = l.claimMeasure('m1', 'cpu1', [1, 2]);
    expect(await settled(free)).toBe(true);
    expect(await settled(blocked)).toBe(false);
    c.release();
    expect(await settled(blocked)).toBe(true);
  });

  test('measurements on overlapping cores exclude each other, except GPU devices sharing host cores', async () => {
    const { l } = ledger();
    const a = await l.claimMeasure('a', 'cpu', [0, 1]);
    const b = l.claimMeasure('b', 'cpu0', [0]);
    expect(await settled(b)).toBe(false);
    a.release();
    (await b).release();

    const g0 = await l.claimMeasure('g0', 'gpu0', [0, 1], { gpu: true });
    const g1 = l.claimMeasure('g1', 'gpu1', [0, 1], { gpu: true });
    expect(await settled(g1)).toBe(true);
    const compile = l.claimCompile('c');
    expect(await settled(compile)).toBe(false);
    g0.release();
    (await g1).release();
    expect((await compile).cores).toEqual([0]);
  });

  test('single tier: a compile on the device cores waits for exactly those', async () => {
    const { l } = ledger();
    const m = await l.claimMeasure('m', 'cpu1', [1]);
    const onDevice = l.claimCompile('c', [1], { device: 'cpu1' });
    expect(await settled(onDevice)).toBe(false);
    m.release();
    expect((await onDevice).activity).toMatchObject({ kind: 'compile', device: 'cpu1', cores: [1] });
  });

  test('waiting is FIFO: compiles get freed cores in arrival order', async () => {
    const { l } = ledger(1);
    const m = await l.claimMeasure('m', 'cpu', [0]);
    const order: string[] = [];
    const claims = ['c1', 'c2', 'c3'].map((id) => l.claimCompile(id).then((c) => (order.push(id), c)));
    m.release();
    let next: Claim = await claims[0];
    for (const p of claims.slice(1)) {
      next.release();
      next = await p;
    }
    next.release();
    expect(order).toEqual(['c1', 'c2', 'c3']);
  });

  test('an aborted wait is withdrawn, rejects with the reason, and frees its reservation', async () => {
    const { l } = ledger();
    const c = await l.claimCompile('c', [0]);
    const abort = new AbortController();
    const measure = l.claimMeasure('m', 'cpu', [0, 1], { signal: abort.signal });
    const later = l.claimCompile('c2'); // blocked by m's reservation of core 1
    expect(await settled(later)).toBe(false);
    abort.abort(new Error('cancelled'));
    await expect(measure).rejects.toThrow('cancelled');
    expect(l.waiting).toBe(0);
    expect((await later).cores).toEqual([1]);
    c.release();
    await expect(l.claimCompile('x', undefined, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  test('overlapping: what else held cores during an interval, and releases are idempotent', async () => {
    const { l, tick, at } = ledger();
    const m = await l.claimMeasure('m', 'cpu0', [0]);
    tick(100);
    const c = await l.claimCompile('c'); // core 1, while m measures
    tick(100);
    const done = c.release();
    expect(c.release()).toEqual(done);
    tick(100);
    const other = await l.claimMeasure('n', 'cpu1', [1]);
    tick(100);
    const mine = m.release();
    expect(mine).toMatchObject({ startedAt: at(0), finishedAt: at(400) });
    expect(l.overlapping(mine.startedAt, mine.finishedAt!, mine)).toEqual([
      { kind: 'compile', jobId: 'c', cores: [1], startedAt: at(100), finishedAt: at(200) },
      { kind: 'measure', jobId: 'n', device: 'cpu1', cores: [1], startedAt: at(300), finishedAt: null },
    ]);
    // Before the compile started, nothing else ran.
    expect(l.overlapping(at(0), at(50), mine)).toEqual([]);
    other.release();
  });

  test('refuses cores the node has not got', async () => {
    const { l } = ledger();
    await expect(l.claimMeasure('m', 'cpu9', [9])).rejects.toThrow('measure m on cpu9: core 9 not on this node (cores 0-1)');
    await expect(l.claimCompile('c', [])).rejects.toThrow('compile c: no cores');
  });

  test('finished activities are forgotten once past retention and older than every live claim', async () => {
    let t = 0;
    const l = new NodeLedger({ cores: 2, now: () => t, retainMs: 1000 });
    (await l.claimCompile('old')).release();
    const live = await l.claimMeasure('m', 'cpu0', [0]);
    t = 5000;
    (await l.claimCompile('new')).release();
    // 'old' finished before the live measurement started: still kept for it.
    expect(l.overlapping(-1, t + 1).map((a) => a.jobId)).toEqual(['old', 'm', 'new']);
    live.release();
    t = 7000;
    (await l.claimCompile('newest')).release();
    expect(l.overlapping(-1, t + 1).map((a) => a.jobId)).toEqual(['newest']);
  });
});
