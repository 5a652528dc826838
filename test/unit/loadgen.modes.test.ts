import { burstArrivals, constantArrivals, constantSchedule, poissonArrivals, traceArrivals, tracePeriodMs, traceRate } from '../../activities/loadgen/schedule';
import { parseTrace, TraceError } from '../../activities/loadgen/trace';
import { chooseKnee, levelAt, progressiveLevels, stopReason, type StepSummary } from '../../activities/loadgen/progressive';

const take = (next: () => number, n: number): number[] => Array.from({ length: n }, () => next());

describe('lazy schedules', () => {
  it('constantArrivals matches constantSchedule', () => {
    expect(take(constantArrivals(250), 50)).toEqual(Array.from(constantSchedule(250, 200)));
  });

  it('poissonArrivals is deterministic for a seed', () => {
    expect(take(poissonArrivals(100, 9), 100)).toEqual(take(poissonArrivals(100, 9), 100));
  });

  it('burstArrivals: size sends at each multiple of every', () => {
    expect(take(burstArrivals(3, 100), 8)).toEqual([0, 0, 0, 100, 100, 100, 200, 200]);
    expect(() => burstArrivals(0, 100)).toThrow(/burst size/);
    expect(() => burstArrivals(2, 0)).toThrow(/burst interval/);
  });

  it('traceArrivals replays the offsets, then repeats them every last + mean gap', () => {
    const offsets = [0, 10, 40];
    expect(tracePeriodMs(offsets)).toBe(60);
    expect(traceRate(offsets)).toBe(50);
    expect(take(traceArrivals(offsets), 7)).toEqual([0, 10, 40, 60, 70, 100, 120]);
    expect(take(traceArrivals([5, 15]), 4)).toEqual([5, 15, 30, 40]);
    expect(() => tracePeriodMs([3])).toThrow(/at least 2/);
    expect(() => tracePeriodMs([3, 3])).toThrow(/more than 0 ms/);
    expect(() => tracePeriodMs([3, 1])).toThrow(/ascending/);
  });
});

describe('parseTrace', () => {
  it('reads one offset per line, skipping blanks and comments', () => {
    expect(Array.from(parseTrace('# offsets\n0\n\n1.5\n 20 \n', 't.txt'))).toEqual([0, 1.5, 20]);
  });

  it('reads CSV with a time_ms column', () => {
    expect(Array.from(parseTrace('id,time_ms,size\na,0,1\nb,12.5,1\r\nc,30,2\n', 't.csv'))).toEqual([0, 12.5, 30]);
    expect(Array.from(parseTrace('"time_ms"\n1\n2\n', 't.csv'))).toEqual([1, 2]);
  });

  it('reads a JSON array', () => {
    expect(Array.from(parseTrace(' [0, 5, 5, 9]', 't.json'))).toEqual([0, 5, 5, 9]);
  });

  it('names the file and line of what is wrong', () => {
    const err = (text: string, file = 't.txt'): TraceError => {
      try {
        parseTrace(text, file);
      } catch (e) {
        return e as TraceError;
      }
      throw new Error('no error');
    };
    expect(err('0\n5\nfast\n').message).toBe('t.txt:3: expected a send offset in ms, got "fast"');
    expect(err('0\n-5\n').message).toBe('t.txt:2: expected a send offset >= 0 ms, got -5');
    expect(err('0\n10\n# x\n5\n').message).toBe('t.txt:4: send offsets must not go back in time: 5 after 10 (line 2)');
    expect(err('id,t\n1,2\n', 'a.csv').message).toBe('a.csv:1: header has no "time_ms" column (columns: id, t)');
    expect(err('time_ms,id\n1,a\n,b\n', 'a.csv').message).toBe('a.csv:3: expected a send offset in ms, got ""');
    expect(err('0,1\n', 'a.csv').message).toBe('a.csv:1: CSV lines need a header line with a "time_ms" column');
    expect(err('[0, "x"]', 'a.json').message).toBe('a.json: element 1: expected a send offset >= 0 ms, got "x"');
    expect(err('[0, 1', 'a.json').message).toMatch(/^a\.json: invalid JSON/);
    expect(err('7\n').message).toBe('t.txt: a trace needs at least 2 send offsets, got 1');
    expect(err('').message).toBe('t.txt: a trace needs at least 2 send offsets, got 0');
    expect(err('3\n3\n').message).toMatch(/more than 0 ms/);
  });
});

describe('progressive policy', () => {
  const step = (level: number, throughput: number, p99Ms: number, valid = true): StepSummary => ({ level, throughput, p99Ms, valid });

  it('levels: factor, additive step, integer concurrency that always rises', () => {
    expect(progressiveLevels({ over: 'rate', start: 50, factor: 2, step: null, maxSteps: 4 })).toEqual([50, 100, 200, 400]);
    expect(progressiveLevels({ over: 'rate', start: 10, factor: null, step: 15, maxSteps: 3 })).toEqual([10, 25, 40]);
    expect(progressiveLevels({ over: 'concurrency', start: 1, factor: 1.2, step: null, maxSteps: 4 })).toEqual([1, 2, 3, 4]);
    expect(levelAt({ over: 'concurrency', start: 2, factor: 2, step: null, maxSteps: 9 }, 3)).toBe(16);
    expect(() => progressiveLevels({ over: 'rate', start: 1, factor: 2, step: 1, maxSteps: 2 })).toThrow(/not both/);
    // The plan is resolved (configs/settings.ts fills factor 2): the policy has no default of its own.
    expect(() => progressiveLevels({ over: 'rate', start: 1, factor: null, step: null, maxSteps: 2 })).toThrow(/needs a factor or a step/);
    expect(() => progressiveLevels({ over: 'concurrency', start: 1.5, factor: 2, step: null, maxSteps: 2 })).toThrow(/integer/);
  });

  it('stops when p99 breaks the SLO or throughput grows < 5%', () => {
    expect(stopReason([], 10)).toBeNull();
    expect(stopReason([step(1, 100, 5)], 10)).toBeNull();
    expect(stopReason([step(1, 100, 5), step(2, 180, 12)], 10)).toMatch(/exceeds the SLO 10 ms/);
    expect(stopReason([step(1, 100, 5), step(2, 104, 6)], 10)).toMatch(/grew less than 5%/);
    expect(stopReason([step(1, 100, 5), step(2, 104, 60)], null)).toMatch(/grew less than 5%/);
    expect(stopReason([step(1, 100, 5), step(2, 200, 60)], null)).toBeNull();
  });

  it('stops after an invalid step (a saturated server: more load measures the queue) or one with no success', () => {
    const saturated = { ...step(2, 436, 40, false), reasons: ['server saturated: 436 of 800 req/s completed'] };
    expect(stopReason([step(1, 400, 5), saturated], null)).toBe('step invalid: server saturated: 436 of 800 req/s completed');
    expect(stopReason([step(1, 400, 5), { level: 2, throughput: 0, p99Ms: null, valid: false }], null)).toBe('no request succeeded');
    expect(chooseKnee([step(1, 400, 5), saturated], null)).toEqual({ level: 1, index: 0 });
  });

  it('the knee is the last step that met the SLO and still grew', () => {
    // Grows, grows, breaks the SLO.
    expect(chooseKnee([step(1, 100, 5), step(2, 190, 6), step(4, 300, 15)], 10)).toEqual({ level: 2, index: 1 });
    // Saturates: the flat step met the SLO but did not grow.
    expect(chooseKnee([step(1, 100, 5), step(2, 190, 6), step(4, 195, 8)], 10)).toEqual({ level: 2, index: 1 });
    // All grew within the SLO (maxSteps): the last.
    expect(chooseKnee([step(1, 100, 5), step(2, 190, 6)], 10)).toEqual({ level: 2, index: 1 });
    // An invalid step does not qualify.
    expect(chooseKnee([step(1, 100, 5), step(2, 190, 6, false)], 10)).toEqual({ level: 1, index: 0 });
    // The first step already breaks the SLO.
    expect(chooseKnee([step(1, 100, 50)], 10)).toBeNull();
    expect(chooseKnee([], 10)).toBeNull();
    // Without an SLO, saturation alone.
    expect(chooseKnee([step(1, 100, 50), step(2, 150, 90), step(4, 151, 200)], null)).toEqual({ level: 2, index: 1 });
  });
});
