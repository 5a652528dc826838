import { movesFromHistory, recovery, reportLines, verdict, type Fault, type HistoryEvent, type Move } from '../../perf/chaos/verdict';

const fault = (over: Partial<Fault> = {}): Fault => ({ name: 'kill-follower', startMs: 1_000, endMs: 1_000, jobs: ['j1'], ...over });

describe('recovery: from the end of a fault to the affected job moving again', () => {
  test('the first move at or after the fault counts; earlier ones and other jobs do not', () => {
    const moves: Move[] = [
      { jobId: 'j1', atMs: 900, kind: 'activity-completed', activity: 'compile' },
      { jobId: 'j2', atMs: 1_100, kind: 'activity-completed', activity: 'measure' },
      { jobId: 'j1', atMs: 13_000, kind: 'activity-completed', activity: 'measure' },
      { jobId: 'j1', atMs: 12_000, kind: 'attempt-started', activity: 'measure' },
    ];
    const r = recovery(fault(), moves);
    expect(r.recoveryMs).toBe(11_000);
    expect(r.firstMoves.j1).toEqual({ jobId: 'j1', atMs: 12_000, kind: 'attempt-started', activity: 'measure' });
  });

  test('a lasting fault is measured from when it was lifted', () => {
    const r = recovery(fault({ startMs: 1_000, endMs: 6_000 }), [
      { jobId: 'j1', atMs: 3_000, kind: 'attempt-started', activity: 'recordJob' },
      { jobId: 'j1', atMs: 6_500, kind: 'activity-completed', activity: 'recordJob' },
    ]);
    expect(r.recoveryMs).toBe(500);
  });

  test('several affected jobs: the slowest one; one that never moves makes it null', () => {
    const moves: Move[] = [
      { jobId: 'j1', atMs: 2_000, kind: 'activity-completed' },
      { jobId: 'j2', atMs: 9_000, kind: 'workflow-completed' },
    ];
    expect(recovery(fault({ jobs: ['j1', 'j2'] }), moves).recoveryMs).toBe(8_000);
    expect(recovery(fault({ jobs: ['j1', 'j3'] }), moves).recoveryMs).toBeNull();
  });
});

describe('moves in a job history', () => {
  test('a started attempt counts only when it completed; completions and the workflow end count', () => {
    const events: HistoryEvent[] = [
      { type: 'scheduled', atMs: 0, eventId: 5, activity: 'measure' },
      { type: 'started', atMs: 100, eventId: 6, scheduledEventId: 5 },
      { type: 'timed-out', atMs: 11_000, eventId: 7, scheduledEventId: 5 },
      { type: 'scheduled', atMs: 12_000, eventId: 9, activity: 'measure' },
      { type: 'started', atMs: 12_500, eventId: 10, scheduledEventId: 9 },
      { type: 'completed', atMs: 16_000, eventId: 11, scheduledEventId: 9 },
      { type: 'workflow-completed', atMs: 17_000, eventId: 20 },
    ];
    expect(movesFromHistory('j', events)).toEqual([
      { jobId: 'j', atMs: 12_500, kind: 'attempt-started', activity: 'measure' },
      { jobId: 'j', atMs: 16_000, kind: 'activity-completed', activity: 'measure' },
      { jobId: 'j', atMs: 17_000, kind: 'workflow-completed' },
    ]);
  });
});

describe('verdict on the results rows', () => {
  const planned = ['a', 'b', 'c'];
  test('every planned job with one completed job row and one clean run: nothing lost, duplicated or damaged', () => {
    const v = verdict(planned, planned.map((jobId) => ({ jobId, status: 'completed' })), planned.map((jobId) => ({ jobId, errors: 0 })));
    expect(v).toEqual({ jobsPlanned: 3, lost: [], duplicated: [], damaged: [] });
  });

  test('missing rows, a failed job, a job without a run: lost', () => {
    const v = verdict(planned, [{ jobId: 'a', status: 'completed' }, { jobId: 'b', status: 'failed' }], [{ jobId: 'b', errors: 0 }]);
    expect(v.lost).toEqual(['a', 'b', 'c']);
  });

  test('two rows of a job, or rows of a job nobody planned: duplicated', () => {
    const jobs = [...planned, 'a', 'x'].map((jobId) => ({ jobId, status: 'completed' }));
    const runs = [...planned, 'x'].map((jobId) => ({ jobId, errors: 0 }));
    expect(verdict(planned, jobs, runs).duplicated).toEqual(['a', 'x']);
  });

  test('a run with failed requests: damaged, not a result', () => {
    const v = verdict(planned, planned.map((jobId) => ({ jobId, status: 'completed' })), planned.map((jobId) => ({ jobId, errors: jobId === 'c' ? 40 : 0 })));
    expect(v.damaged).toEqual(['c']);
  });
});

describe('report lines', () => {
  const clean = verdict(['a'], [{ jobId: 'a', status: 'completed' }], [{ jobId: 'a', errors: 0 }]);
  const rec = (ms: number | null, jobs = ['a']) => ({ fault: fault({ jobs }), recoveryMs: ms, firstMoves: {} });

  test('chaos_ok=1 last when nothing is lost and every fault recovered within the target', () => {
    const { lines, ok } = reportLines({ verdict: clean, recoveries: [rec(12_000)], faultsPlanned: ['kill-follower'], targetMs: 30_000 });
    expect(ok).toBe(true);
    expect(lines).toContain('jobs_lost=0');
    expect(lines).toContain('jobs_duplicated=0');
    expect(lines).toContain('recovery_s_max=12.0');
    expect(lines.at(-1)).toBe('chaos_ok=1');
  });

  test('a slow recovery, a job that never moved, or a fault that hit nothing: chaos_ok=0', () => {
    for (const recoveries of [[rec(31_000)], [rec(null)], [rec(null, [])]]) {
      const { lines, ok } = reportLines({ verdict: clean, recoveries, faultsPlanned: ['kill-follower'], targetMs: 30_000 });
      expect(ok).toBe(false);
      expect(lines.at(-1)).toBe('chaos_ok=0');
    }
  });

  test('a lost job: chaos_ok=0', () => {
    const lost = verdict(['a'], [], []);
    expect(reportLines({ verdict: lost, recoveries: [rec(1_000)], faultsPlanned: ['kill-follower'], targetMs: 30_000 }).ok).toBe(false);
  });
});
