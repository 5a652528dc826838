import { StatsRecorder } from '../../activities/serve/stats';

describe('StatsRecorder: the measured window is the requests the client marks', () => {
  test('unmarked clients (perf_analyzer, curl): every request counts', () => {
    const s = new StatsRecorder();
    s.recordArrival(false);
    s.recordQueued(1, false);
    s.recordRun(1, 1, 100);
    expect(s.snapshot()).toMatchObject({ requests: 1, inferences: 1, batches: 1, batchSizeCounts: { 1: 1 } });
  });

  test('the first marked request starts the window afresh; warm-up requests running later do not count', () => {
    const s = new StatsRecorder();
    for (let i = 0; i < 3; i++) s.recordArrival(false); // warm-up
    s.recordRun(1, 1, 100);
    s.recordArrival(true); // the window opens
    s.recordArrival(false); // a warm-up straggler arriving late
    // One batch serving two warm-up requests (2 rows) and the marked one (1 row): counted at its full size, 1 row.
    s.recordQueued(5, false);
    s.recordQueued(5, true);
    s.recordRun(3, 3, 200, 1, 1);
    s.recordRun(2, 2, 150, 0, 0); // warm-up only: not the window's
    const snap = s.snapshot();
    expect(snap).toMatchObject({ requests: 1, inferences: 1, batches: 1, batchSizeCounts: { 3: 1 } });
    // Triton's cumulative statistics still see everything.
    expect(s.triton.modelStats('m', '1').inference_count).toBe(6);
  });

  test('reset() clears the window and the mark', () => {
    const s = new StatsRecorder();
    s.recordArrival(true);
    s.reset();
    s.recordArrival(false);
    expect(s.snapshot().requests).toBe(1);
  });
});
