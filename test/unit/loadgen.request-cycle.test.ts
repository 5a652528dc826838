import { LoadLimitError } from '../../activities/loadgen/limits';
import { RequestCycle } from '../../activities/loadgen/request-cycle';

describe('RequestCycle (what every sender does before sending)', () => {
  test('takes the requests in turn, round and round, counting each and its body bytes', () => {
    const cycle = new RequestCycle(['a', 'bb', 'ccc'], (s) => s.length, 10);
    expect([0, 0, 0, 0, 0].map(() => cycle.take(0))).toEqual(['a', 'bb', 'ccc', 'a', 'bb']);
    expect(cycle.taken).toBe(5);
    expect(cycle.bytes).toBe(1 + 2 + 3 + 1 + 2);
  });

  test('at the in-flight bound it refuses with the bound in words, and takes and counts nothing', () => {
    const cycle = new RequestCycle(['a', 'bb'], (s) => s.length, 2000);
    expect(cycle.take(1999)).toBe('a');
    expect(() => cycle.take(2000)).toThrow(new LoadLimitError("requests in flight reached the load generator's bound of 2,000"));
    expect(cycle.taken).toBe(1);
    expect(cycle.bytes).toBe(1);
    expect(cycle.take(0)).toBe('bb'); // the refused turn did not advance the cycle
  });

  test('no requests is a programming error, said at once', () => {
    expect(() => new RequestCycle([], () => 0, 1)).toThrow(RangeError);
  });
});
