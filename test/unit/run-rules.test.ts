import {
  describeErrors,
  judgeRun,
  kendallTau,
  latencyGrowth,
  saturationIssue,
  rulesOf,
  shouldStop,
  stabilityIssues,
  unmetRules,
  type RunFacts,
  type RunRules,
  type WindowSample,
} from '../../activities/loadgen/run-rules';

const steady = (n: number, throughput = 100, p99Ms = 10): WindowSample[] =>
  Array.from({ length: n }, (_, i) => ({ startMs: i * 1000, throughput, p50Ms: p99Ms / 2, p99Ms }));

/** Rules of resolved settings (the defaults themselves are test/unit/settings.test.ts's). */
const rules = (over: Partial<Parameters<typeof rulesOf>[0]> = {}): RunRules =>
  rulesOf({ durationMs: 10_000, minQueries: 0, maxDurationMs: 100_000, earlyStopping: null, stability: null, ...over });

const closedFacts = (over: Partial<RunFacts> = {}): RunFacts => ({
  measuredMs: 10_000,
  queries: 5000,
  ok: 5000,
  errors: 0,
  targetRate: null,
  achievedRate: 500,
  sendLagP99Ms: null,
  loadgenCpuPct: 20,
  windows: steady(10),
  ...over,
});

const openFacts = (over: Partial<RunFacts> = {}): RunFacts =>
  closedFacts({ targetRate: 2000, scheduledRate: 2000, achievedRate: 1995, sendLagP99Ms: 0.3, queries: 19_950, ok: 19_950, ...over });

describe('rulesOf', () => {
  test('the rules of the settings, duration as the minimum', () => {
    expect(rules()).toEqual({ minDurationMs: 10_000, minQueries: 0, maxDurationMs: 100_000, earlyStopping: null, stability: null });
  });

  test('rejects nonsense', () => {
    expect(() => rules({ maxDurationMs: 5000 })).toThrow(/maxDurationMs must be >= durationMs/);
    expect(() => rules({ minQueries: -1 })).toThrow(/minQueries/);
    expect(() => rules({ earlyStopping: { percentile: 98 as 99, metric: 'latency' } })).toThrow(/percentile/);
    expect(() => rules({ stability: { windows: 1, tolerance: 0.1, windowMs: 1000 } })).toThrow(/stability/);
  });
});

describe('shouldStop', () => {
  const at = (elapsedMs: number, queries = 1000, ok = queries, windows: WindowSample[] = []) => ({ elapsedMs, queries, ok, windows });

  test('by default, at minDuration', () => {
    expect(shouldStop(at(9_999), rules())).toBe(false);
    expect(shouldStop(at(10_000), rules())).toBe(true);
  });

  test('minDuration AND minQueries must both hold', () => {
    const r = rules({ minQueries: 5000 });
    expect(shouldStop(at(20_000, 4999), r)).toBe(false);
    expect(shouldStop(at(9_000, 6000), r)).toBe(false);
    expect(shouldStop(at(10_000, 5000), r)).toBe(true);
  });

  test('early stopping counts successful queries', () => {
    const r = rules({ earlyStopping: { percentile: 99, metric: 'latency' } });
    expect(shouldStop(at(10_000, 700, 661), r)).toBe(false);
    expect(shouldStop(at(10_000, 662, 662), r)).toBe(true);
  });

  test('stability: only once the last windows agree', () => {
    const r = rules({ stability: { windows: 3, tolerance: 0.1, windowMs: 1000 } });
    const noisy = [...steady(8), { startMs: 8000, throughput: 150, p50Ms: 5, p99Ms: 10 }, { startMs: 9000, throughput: 100, p50Ms: 5, p99Ms: 10 }];
    expect(shouldStop(at(10_000, 1000, 1000, noisy), r)).toBe(false);
    expect(shouldStop(at(11_000, 1000, 1000, [...noisy, { startMs: 10_000, throughput: 100, p50Ms: 5, p99Ms: 10 }]), r)).toBe(false);
    expect(shouldStop(at(10_000, 1000, 1000, steady(10)), r)).toBe(true);
  });

  test('maxDuration stops whatever is unmet', () => {
    const r = rules({ minQueries: 1e9, earlyStopping: { percentile: 99.9, metric: 'latency' }, stability: { windows: 3, tolerance: 0.01, windowMs: 1000 } });
    expect(shouldStop(at(99_999, 5), r)).toBe(false);
    expect(shouldStop(at(100_000, 5), r)).toBe(true);
  });
});

describe('describeErrors: the dominant error in words', () => {
  test('every request failed', () => {
    expect(describeErrors(0, 7349, [{ message: 'timed out after 10 s', count: 7349 }])).toBe('all 7,349 requests timed out after 10 s');
    expect(describeErrors(0, 12, [{ message: 'HTTP 500: boom', count: 12 }])).toBe('all 12 requests failed: HTTP 500: boom');
    expect(describeErrors(0, 1, [{ message: 'connection refused (ECONNREFUSED)', count: 1 }])).toBe('all 1 request failed: connection refused (ECONNREFUSED)');
    expect(describeErrors(0, 40, [{ message: 'too many open files (EMFILE)', count: 31 }, { message: 'HTTP 503: busy', count: 9 }])).toBe(
      'all 40 requests failed; most (31): too many open files (EMFILE)',
    );
    expect(describeErrors(0, 5, [])).toBe('all 5 requests failed');
  });
  test('some failed', () => {
    expect(describeErrors(100, 3, [{ message: 'HTTP 500: boom', count: 3 }])).toBe('3 errors: HTTP 500: boom');
    expect(describeErrors(100, 40, [{ message: 'timed out after 2 s', count: 31 }, { message: 'HTTP 503: busy', count: 9 }])).toBe('40 errors, most (31): timed out after 2 s');
  });
});

describe('saturation (open loop)', () => {
  // Windows of an overloaded run: completions capped at 436/s, the queue (so latency) growing second by second.
  const growing = Array.from({ length: 10 }, (_, i) => ({ startMs: i * 1000, throughput: 436, p50Ms: 2600 + 230 * i, p99Ms: 3000 + 200 * i }));

  test('completions behind the offered rate, and latency growing through the run: invalid, with both in words', () => {
    const v = judgeRun(openFacts({ targetRate: 800, scheduledRate: 800, achievedRate: 800, sent: 8000, completedInWindow: 4360, windows: growing }), rules());
    expect(v.valid).toBe(false);
    expect(v.reasons).toEqual(['server saturated: 436 of 800 req/s completed; latency grew through the run (p50 2.8 s → 4.4 s, p99 3.2 s → 4.6 s)']);
  });

  test('a server that kept up is not saturated: in-flight requests at the end are within the slack', () => {
    expect(judgeRun(openFacts({ sent: 20_000, completedInWindow: 19_990 }), rules()).valid).toBe(true);
    // A short, slow run: 20 sent, 5 still in flight at the end (the 10-request floor covers it).
    expect(saturationIssue({ ...openFacts(), measuredMs: 2000, sent: 20, completedInWindow: 15, windows: [] }, 10)).toBeNull();
    expect(saturationIssue({ ...openFacts(), sent: 20_000, completedInWindow: 18_900 }, 2000)).toBe('server saturated: 1,890 of 2,000 req/s completed');
  });

  test('burst: one burst in flight at the end is not a shortfall', () => {
    const f = { ...openFacts(), sent: 1000, completedInWindow: 900, windows: [] };
    expect(saturationIssue({ ...f, burstSize: 100 }, 100)).toBeNull();
    expect(saturationIssue(f, 100)).toMatch(/^server saturated: 90 of 2,000 req\/s completed/);
  });

  test('latency growth alone is saturation too; noise on sub-millisecond latencies and empty windows are not', () => {
    expect(saturationIssue({ ...openFacts(), windows: growing }, 2000)).toMatch(/^server saturated: latency grew through the run/);
    const subMs = Array.from({ length: 9 }, (_, i) => ({ startMs: i * 1000, throughput: 100, p50Ms: i < 3 ? 0.4 : 1.2, p99Ms: 2 }));
    expect(latencyGrowth(subMs)).toBeNull(); // 3x, but under 5 ms more
    const bursty = Array.from({ length: 9 }, (_, i) => ({ startMs: i * 1000, throughput: i % 2 ? 0 : 50, p50Ms: i % 2 ? 0 : 40, p99Ms: i % 2 ? 0 : 60 }));
    expect(latencyGrowth(bursty)).toBeNull();
    expect(latencyGrowth(growing.slice(0, 2))).toBeNull(); // too few windows to judge
    // Measured on this project's 2-core host at 200 req/s, another process stealing the CPU in windows 7-8:
    // a bump that falls again is not a queue building (the thirds alone said 3.4 → 11.7 ms).
    const bump = [2.345, 3.435, 4.927, 3.595, 2.863, 2.069, 2.745, 11.663, 13.583, 1.752].map((p50Ms, i) => ({ startMs: i * 1000, throughput: 195, p50Ms, p99Ms: 4 * p50Ms }));
    expect(latencyGrowth(bump)).toBeNull();
  });

  test('kendallTau', () => {
    expect(kendallTau([1, 2, 3, 4])).toBe(1);
    expect(kendallTau([4, 3, 2, 1])).toBe(-1);
    expect(kendallTau([1, 3, 2, 4])).toBeCloseTo(4 / 6);
    expect(kendallTau([5])).toBe(0);
  });

  test('closed loop is never judged saturated (it cannot offer more than the server takes)', () => {
    expect(judgeRun(closedFacts({ sent: 5000, completedInWindow: 10, windows: growing }), rules()).valid).toBe(true);
  });
});

describe('stabilityIssues', () => {
  const rule = { windows: 3, tolerance: 0.1, windowMs: 1000 };
  test('within ±10% of the mean is stable', () => {
    expect(stabilityIssues([...steady(5), ...steady(3, 105, 10.5)], rule)).toEqual([]);
  });
  test('says what varied, by how much, and when there are too few windows', () => {
    const w = [
      { startMs: 0, throughput: 100, p50Ms: 5, p99Ms: 10 },
      { startMs: 1000, throughput: 77, p50Ms: 5, p99Ms: 10 },
      { startMs: 2000, throughput: 123, p50Ms: 5, p99Ms: 10 },
    ];
    expect(stabilityIssues(w, rule)).toEqual(['not stable: throughput varied 23% over the last 3 windows']);
    expect(stabilityIssues(steady(2), rule)).toEqual(['not stable: 2 of 3 windows measured']);
    expect(stabilityIssues(steady(3, 100, 0), rule)).toEqual(['not stable: p99 latency varied from nothing over the last 3 windows']);
  });
});

describe('judgeRun', () => {
  test('a clean closed-loop run is valid', () => {
    expect(judgeRun(closedFacts(), rules())).toEqual({ valid: true, reasons: [] });
  });

  test('errors make a run invalid', () => {
    expect(judgeRun(closedFacts({ errors: 3, ok: 4997 }), rules())).toEqual({ valid: false, reasons: ['3 errors'] });
    expect(judgeRun(closedFacts({ errors: 3, ok: 4997, errorCounts: [{ message: 'HTTP 500: boom', count: 3 }] }), rules()).reasons).toEqual(['3 errors: HTTP 500: boom']);
    expect(judgeRun(closedFacts({ errors: 1 }), rules()).reasons).toEqual(['1 error']);
    expect(judgeRun(closedFacts({ queries: 0, ok: 0, windows: [] }), rules()).reasons).toEqual(['no queries completed']);
  });

  test('minimums, with numbers in words', () => {
    const v = judgeRun(closedFacts({ queries: 412, ok: 412 }), rules({ minQueries: 1000, earlyStopping: { percentile: 99, metric: 'latency' } }));
    expect(v.valid).toBe(false);
    expect(v.reasons).toEqual(['412 queries, minQueries 1,000', '412 queries, p99 needs 662']);
    expect(judgeRun(closedFacts({ measuredMs: 10_000 }), rules({ durationMs: 12_000 })).reasons).toEqual(['ran 10.0 s, minDuration 12 s']);
  });

  test('cut by maxDuration: says so, and what was unmet', () => {
    const v = judgeRun(closedFacts({ measuredMs: 20_000, queries: 9000, ok: 9000 }), rules({ minQueries: 10_000, maxDurationMs: 20_000 }));
    expect(v).toEqual({ valid: false, reasons: ['stopped at maxDuration 20 s before the rules were met', '9,000 queries, minQueries 10,000'] });
  });

  test('an interrupted run is not valid', () => {
    expect(judgeRun(closedFacts({ measuredMs: 4200, aborted: true }), rules()).reasons).toEqual(['interrupted after 4.2 s', 'ran 4.2 s, minDuration 10 s']);
  });

  test('open loop: a sender that kept up is valid; lag AND shortfall together mark it behind', () => {
    expect(judgeRun(openFacts(), rules())).toEqual({ valid: true, reasons: [] });
    expect(judgeRun(openFacts({ achievedRate: 1870, sendLagP99Ms: 14.2 }), rules()).reasons).toEqual([
      'achieved 1,870 of 2,000 req/s',
      'load generator fell behind: send lag p99 14.2 ms',
    ]);
    // A lag blip without a shortfall, or a shortfall without lag, is not "behind".
    expect(judgeRun(openFacts({ sendLagP99Ms: 14.2 }), rules()).valid).toBe(true);
    expect(judgeRun(openFacts({ achievedRate: 1870 }), rules()).valid).toBe(true);
  });

  test('open loop: the lag limit is max(1 ms, 5% of the mean gap) and the rate is compared with the schedule', () => {
    // 10 req/s: gaps of 100 ms, so up to 5 ms of lag is tolerated.
    const slow = (lag: number, achieved: number) =>
      judgeRun(openFacts({ targetRate: 10, scheduledRate: 9.6, achievedRate: achieved, sendLagP99Ms: lag }), rules()).valid;
    expect(slow(4.9, 9)).toBe(true);
    expect(slow(5.1, 9)).toBe(false);
    // The Poisson schedule drew 9.6 req/s in this window; achieving 9.55 is keeping up with it.
    expect(slow(50, 9.55)).toBe(true);
    expect(judgeRun(openFacts({ targetRate: 10, scheduledRate: 9.6, achievedRate: 9, sendLagP99Ms: 50 }), rules()).reasons[0]).toBe(
      'achieved 9 of 9.6 req/s',
    );
  });

  test('a saturated load generator is not a measurement of the server', () => {
    expect(judgeRun(closedFacts({ loadgenCpuPct: 96.4 }), rules()).reasons).toEqual(['load generator saturated: CPU 96% of one core']);
    expect(judgeRun(closedFacts({ loadgenCpuPct: null }), rules()).valid).toBe(true);
  });

  test('stability and early stopping reasons come through', () => {
    const w = [...steady(9), { startMs: 9000, throughput: 100, p50Ms: 5, p99Ms: 20 }];
    const v = judgeRun(closedFacts({ windows: w, ok: 100, queries: 100 }), rules({ earlyStopping: { percentile: 90, metric: 'latency' }, stability: { windows: 3, tolerance: 0.1, windowMs: 1000 } }));
    expect(v.reasons).toEqual(['not stable: p99 latency varied 50% over the last 3 windows']);
  });

  test('unmetRules is empty exactly when the run may stop before maxDuration', () => {
    const r = rules({ minQueries: 10 });
    expect(unmetRules({ elapsedMs: 10_000, queries: 10, ok: 10, windows: [] }, r)).toEqual([]);
    expect(unmetRules({ elapsedMs: 10_000, queries: 9, ok: 9, windows: [] }, r)).toEqual(['9 queries, minQueries 10']);
  });
});
