import type { QueueOrder } from '../../workflows/scheduler/messages';
import {
  DEFAULT_AGING_WEIGHT,
  deviceMatches,
  enqueueTime,
  expectedDeviceMs,
  place,
  priority,
  unmatchable,
  type DeviceView,
  type PendingRequest,
} from '../../workflows/scheduler/policy';

const dev = (node: string, device: string, type = device.replace(/\d+$/, ''), over: Partial<DeviceView> = {}): DeviceView => ({
  key: `${node}/${device}`,
  node,
  device,
  type,
  free: true,
  available: true,
  ...over,
});

const req = (requestId: string, over: Partial<PendingRequest> = {}): PendingRequest => ({
  requestId,
  workflowId: `wf-${requestId}`,
  device: 'gpu',
  expectedMs: 1000,
  order: 'sef' as QueueOrder,
  preferNodes: [],
  avoid: [],
  enqueuedAt: 0,
  ...over,
});

describe('deviceMatches / unmatchable', () => {
  test('a type matches every device of that type, a name only that device', () => {
    expect(deviceMatches('gpu', { device: 'gpu0', type: 'gpu' })).toBe(true);
    expect(deviceMatches('gpu', { device: 'cpu0', type: 'cpu' })).toBe(false);
    expect(deviceMatches('cpu', { device: 'cpu', type: 'cpu' })).toBe(true);
    expect(deviceMatches('cpu1', { device: 'cpu1', type: 'cpu' })).toBe(true);
    expect(deviceMatches('cpu1', { device: 'cpu0', type: 'cpu' })).toBe(false);
    expect(deviceMatches('gpu0', { device: 'cpu0', type: 'cpu' })).toBe(false);
  });

  test('unmatchable when no registered device could ever match', () => {
    const cpuOnly = [dev('n1', 'cpu0'), dev('n2', 'cpu1')];
    expect(unmatchable('gpu', cpuOnly)).toBe(true);
    expect(unmatchable('cpu2', cpuOnly)).toBe(true);
    expect(unmatchable('cpu', cpuOnly)).toBe(false);
    expect(unmatchable('cpu1', cpuOnly)).toBe(false);
    expect(unmatchable('cpu', [])).toBe(true);
    // Busy or down devices still count: the request can wait for them.
    expect(unmatchable('cpu', [dev('n1', 'cpu0', 'cpu', { free: false, available: false })])).toBe(false);
  });
});

describe('priority', () => {
  test('SEF: expected time minus the aging term; FIFO: the aging term only', () => {
    expect(priority(req('a', { expectedMs: 5000, enqueuedAt: 1000 }), 3000, 1)).toBe(3000);
    expect(priority(req('a', { expectedMs: 5000, enqueuedAt: 1000 }), 3000, 0.5)).toBe(4000);
    expect(priority(req('a', { expectedMs: 5000, enqueuedAt: 1000, order: 'fifo' }), 3000, 1)).toBe(-2000);
    expect(priority(req('a', { expectedMs: 5000, enqueuedAt: 1000 }), 3000)).toBe(5000 - DEFAULT_AGING_WEIGHT * 2000);
  });
});

describe('enqueueTime: a job placed again after losing its device keeps its place', () => {
  test('now for a first request (or one from an older workflow); the first ask when that was earlier', () => {
    expect(enqueueTime({}, 5_000)).toBe(5_000);
    expect(enqueueTime({ waitingSince: 5_000 }, 5_000)).toBe(5_000);
    expect(enqueueTime({ waitingSince: 1_000 }, 12_000)).toBe(1_000);
    // A sender's clock ahead of the scheduler's does not put it further ahead.
    expect(enqueueTime({ waitingSince: 9_000 }, 5_000)).toBe(5_000);
  });

  test('the re-placed job goes before the jobs that asked after it first did', () => {
    // Job r asked at 1 s, got a device, lost it at 12 s; a, b asked at 2 s and 3 s and still wait.
    const now = 12_000;
    const pending = [req('a', { enqueuedAt: 2_000 }), req('b', { enqueuedAt: 3_000 }), req('r#2', { waitingSince: 1_000, enqueuedAt: 0 })].map((r) => ({
      ...r,
      enqueuedAt: r.requestId === 'r#2' ? enqueueTime(r, now) : r.enqueuedAt,
    }));
    expect(place(pending, [dev('n1', 'gpu0')], now)).toEqual([{ requestId: 'r#2', deviceKey: 'n1/gpu0' }]);
    // Queued anew at the back (the old behaviour), it would have waited for both.
    const atBack = pending.map((r) => (r.requestId === 'r#2' ? { ...r, enqueuedAt: now } : r));
    expect(place(atBack, [dev('n1', 'gpu0')], now)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu0' }]);
  });
});

describe('place', () => {
  test('SEF: the shortest expected request first', () => {
    const pending = [req('long', { expectedMs: 60_000 }), req('short', { expectedMs: 5_000 }), req('mid', { expectedMs: 20_000 })];
    expect(place(pending, [dev('n1', 'gpu0')], 0)).toEqual([{ requestId: 'short', deviceKey: 'n1/gpu0' }]);
    expect(place(pending, [dev('n1', 'gpu0'), dev('n1', 'gpu1'), dev('n2', 'gpu0')], 0)).toEqual([
      { requestId: 'short', deviceKey: 'n1/gpu0' },
      { requestId: 'mid', deviceKey: 'n1/gpu1' },
      { requestId: 'long', deviceKey: 'n2/gpu0' },
    ]);
  });

  test('FIFO: the oldest request first, whatever its expected time (with or without aging)', () => {
    const pending = [
      req('b', { order: 'fifo', expectedMs: 60_000, enqueuedAt: 100 }),
      req('a', { order: 'fifo', expectedMs: 1_000, enqueuedAt: 200 }),
      req('c', { order: 'fifo', expectedMs: 500, enqueuedAt: 300 }),
    ];
    for (const w of [0, 0.5, DEFAULT_AGING_WEIGHT]) {
      expect(place(pending, [dev('n1', 'gpu0')], 1000, w)).toEqual([{ requestId: 'b', deviceKey: 'n1/gpu0' }]);
    }
  });

  test('aging: a long request that has waited long enough goes before a short newcomer', () => {
    const long = req('long', { expectedMs: 100_000, enqueuedAt: 0 });
    const short = (now: number) => req(`short@${now}`, { expectedMs: 10_000, enqueuedAt: now });
    // With weight 1 the long request wins once it has waited more than 100 s − 10 s = 90 s.
    expect(place([long, short(80_000)], [dev('n1', 'gpu0')], 80_000, 1)[0].requestId).toBe('short@80000');
    expect(place([long, short(95_000)], [dev('n1', 'gpu0')], 95_000, 1)[0].requestId).toBe('long');
    // Without aging (pure SEF) it would not.
    expect(place([long, short(1e9)], [dev('n1', 'gpu0')], 1e9, 0)[0].requestId).toBe('short@1000000000');
    // A smaller weight takes longer: 0.5 → 180 s.
    expect(place([long, short(170_000)], [dev('n1', 'gpu0')], 170_000, 0.5)[0].requestId).toBe('short@170000');
    expect(place([long, short(185_000)], [dev('n1', 'gpu0')], 185_000, 0.5)[0].requestId).toBe('long');
  });

  /**
   * One device; a 10-minute job is waiting when a stream of 10-second jobs starts arriving every 5 s (twice what the
   * device can serve, so the queue of short jobs only grows). Runs the queue event by event with `place`.
   */
  function starvationRun(agingWeight: number, horizonMs: number): number | null {
    const devices = [dev('n1', 'gpu0')];
    let pending: PendingRequest[] = [req('long', { expectedMs: 600_000, enqueuedAt: 0 })];
    let busyUntil = 0;
    let nextShort = 0;
    let n = 0;
    for (let now = 0; now <= horizonMs; now = Math.min(busyUntil > now ? busyUntil : Infinity, nextShort)) {
      while (nextShort <= now) {
        pending.push(req(`short${String(n++).padStart(5, '0')}`, { expectedMs: 10_000, enqueuedAt: nextShort }));
        nextShort += 5_000;
      }
      devices[0].free = busyUntil <= now;
      for (const g of place(pending, devices, now, agingWeight)) {
        if (g.requestId === 'long') return now;
        pending = pending.filter((p) => p.requestId !== g.requestId);
        busyUntil = now + 10_000;
      }
    }
    return null;
  }

  test('no starvation: with aging the long job gets the device within a bounded time; without, never', () => {
    // Overtaken only by short jobs that arrive before (600 − 10) s / weight: 118 of them at weight 1 → ~1,180 s.
    const granted = starvationRun(1, 4 * 3600_000);
    expect(granted).not.toBeNull();
    expect(granted!).toBeLessThanOrEqual(1_200_000);
    expect(granted!).toBeGreaterThanOrEqual(590_000);
    // Half the weight: overtaken for twice as long.
    const slower = starvationRun(0.5, 4 * 3600_000);
    expect(slower).not.toBeNull();
    expect(slower!).toBeLessThanOrEqual(2_400_000);
    expect(slower!).toBeGreaterThan(granted!);
    // Pure SEF starves it.
    expect(starvationRun(0, 4 * 3600_000)).toBeNull();
  });

  test('preferNodes: a device on a node that holds the artifact is chosen over the lower key', () => {
    const devices = [dev('n1', 'gpu0'), dev('n2', 'gpu0'), dev('n2', 'gpu1')];
    expect(place([req('a', { preferNodes: ['n2'] })], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n2/gpu0' }]);
    expect(place([req('a', { preferNodes: ['n3'] })], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu0' }]);
    // Only when free: otherwise another node.
    const busy = [dev('n1', 'gpu0'), dev('n2', 'gpu0', 'gpu', { free: false })];
    expect(place([req('a', { preferNodes: ['n2'] })], busy, 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu0' }]);
  });

  test('avoid is soft: another device if one fits, the avoided one otherwise; it outranks preferNodes', () => {
    const devices = [dev('n1', 'gpu0'), dev('n1', 'gpu1')];
    expect(place([req('a', { avoid: ['n1/gpu0'] })], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu1' }]);
    expect(place([req('a', { avoid: ['n1/gpu0'] })], [dev('n1', 'gpu0')], 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu0' }]);
    expect(place([req('a', { avoid: ['n1/gpu0', 'n1/gpu1'] })], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/gpu0' }]);
    // Preferred node, but its only free device was where the job was lost: another node's device instead.
    const two = [dev('n1', 'gpu0'), dev('n2', 'gpu0')];
    expect(place([req('a', { preferNodes: ['n1'], avoid: ['n1/gpu0'] })], two, 0)).toEqual([{ requestId: 'a', deviceKey: 'n2/gpu0' }]);
  });

  test('each device is granted at most once per call; a request for another type still gets its device', () => {
    const pending = [req('g1', { expectedMs: 1 }), req('g2', { expectedMs: 2 }), req('c1', { device: 'cpu', expectedMs: 99_999 })];
    const grants = place(pending, [dev('n1', 'gpu0'), dev('n1', 'cpu0')], 0);
    expect(grants).toEqual([
      { requestId: 'g1', deviceKey: 'n1/gpu0' },
      { requestId: 'c1', deviceKey: 'n1/cpu0' },
    ]);
    // Duplicate views of one device are still one device.
    expect(place(pending, [dev('n1', 'gpu0'), dev('n1', 'gpu0')], 0)).toHaveLength(1);
  });

  test('busy and unavailable devices are skipped; nothing free, nothing granted', () => {
    const devices = [
      dev('n1', 'gpu0', 'gpu', { free: false }),
      dev('n1', 'gpu1', 'gpu', { available: false }),
      dev('n2', 'gpu0', 'gpu', { free: false, available: false }),
      dev('n2', 'gpu1'),
    ];
    expect(place([req('a'), req('b')], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n2/gpu1' }]);
    expect(place([req('a')], devices.slice(0, 3), 0)).toEqual([]);
    expect(place([], devices, 0)).toEqual([]);
  });

  test('a device name request takes that device only', () => {
    const devices = [dev('n1', 'cpu0'), dev('n1', 'cpu1')];
    expect(place([req('a', { device: 'cpu1' })], devices, 0)).toEqual([{ requestId: 'a', deviceKey: 'n1/cpu1' }]);
    expect(place([req('a', { device: 'cpu2' })], devices, 0)).toEqual([]);
  });

  test('deterministic: same input in any order gives the same grants; ties go by enqueuedAt, then requestId', () => {
    const pending = [
      req('r3', { expectedMs: 5000, enqueuedAt: 10 }),
      req('r1', { expectedMs: 5000, enqueuedAt: 10 }),
      req('r2', { expectedMs: 5010, enqueuedAt: 0 }), // same score at now (aging 1) as r1/r3, enqueued earlier
      req('r0', { expectedMs: 7000, enqueuedAt: 0, device: 'cpu' }),
      req('r4', { expectedMs: 100, enqueuedAt: 50, preferNodes: ['n2'] }),
      req('r5', { expectedMs: 100, enqueuedAt: 50, avoid: ['n1/gpu0'] }),
    ];
    const devices = [dev('n2', 'gpu1'), dev('n1', 'gpu0'), dev('n2', 'gpu0'), dev('n1', 'cpu0'), dev('n1', 'gpu1')];
    const expected = place(pending, devices, 1000, 1);
    expect(expected).toEqual([
      { requestId: 'r4', deviceKey: 'n2/gpu0' },
      { requestId: 'r5', deviceKey: 'n1/gpu1' },
      { requestId: 'r2', deviceKey: 'n1/gpu0' },
      { requestId: 'r1', deviceKey: 'n2/gpu1' },
      { requestId: 'r0', deviceKey: 'n1/cpu0' },
    ]);
    // Every rotation and the reversal of both arrays.
    const rotations = <T>(xs: T[]): T[][] => xs.map((_, i) => [...xs.slice(i), ...xs.slice(0, i)]);
    for (const p of [...rotations(pending), [...pending].reverse()]) {
      for (const d of [...rotations(devices), [...devices].reverse()]) {
        expect(place(p, d, 1000, 1)).toEqual(expected);
      }
    }
    // The inputs are not modified.
    expect(pending.map((p) => p.requestId)).toEqual(['r3', 'r1', 'r2', 'r0', 'r4', 'r5']);
  });
});

describe('expectedDeviceMs', () => {
  test('warm-up + duration (× steps when progressive) + server start', () => {
    expect(expectedDeviceMs({ mode: 'server', warmupMs: 2000, durationMs: 10_000 })).toBe(13_500);
    expect(expectedDeviceMs({ mode: 'server', warmupMs: 2000, durationMs: 10_000, steps: 5 })).toBe(13_500);
    expect(expectedDeviceMs({ mode: 'progressive', warmupMs: 2000, durationMs: 10_000, steps: 5 })).toBe(53_500);
    expect(expectedDeviceMs({ mode: 'progressive', warmupMs: 2000, durationMs: 10_000 })).toBe(13_500);
    expect(expectedDeviceMs({ mode: 'offline', warmupMs: 0, durationMs: 1000 }, 0)).toBe(1000);
  });
});
