import { WindowSeries } from '../../activities/loadgen/windows';

describe('WindowSeries', () => {
  test('per-window throughput (ok only) and p99, by completion time; a partial last window is left out', () => {
    const s = new WindowSeries(1000);
    for (let i = 0; i < 100; i++) s.record(i * 10, i === 99 ? 50 : 5); // window 0: 100 ok, one slow
    s.record(1500, null); // an error: not throughput
    for (let i = 0; i < 50; i++) s.record(2000 + i * 20, 8); // window 2: 50 ok
    s.record(3100, 8); // window 3: partial
    s.roll(3500);
    expect(s.within(3500)).toEqual([
      { startMs: 0, throughput: 100, p50Ms: expect.closeTo(5, 1), p99Ms: expect.closeTo(5, 1) },
      { startMs: 1000, throughput: 0, p50Ms: 0, p99Ms: 0 },
      { startMs: 2000, throughput: 50, p50Ms: expect.closeTo(8, 1), p99Ms: expect.closeTo(8, 1) },
    ]);
    s.release();
  });

  test('window length scales throughput to per second', () => {
    const s = new WindowSeries(500);
    for (let i = 0; i < 10; i++) s.record(i * 40, 1);
    s.roll(500);
    expect(s.done).toEqual([{ startMs: 0, throughput: 20, p50Ms: expect.closeTo(1, 2), p99Ms: expect.closeTo(1, 2) }]);
    s.release();
  });
});
