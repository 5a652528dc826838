import {
  earlyStoppingMinQueries,
  earlyStoppingRank,
  logBinomialCdf,
  minPassingQueries,
  queriesToBound,
} from '../../activities/loadgen/early-stopping';

// Reference values: LoadGen's loadgen/early_stopping.cc (find_min_passing, confidence 0.99, tolerance 0),
// compiled and run as is. Each row: percentile, h for t = 0, then h + t for t = 1, 2, 3, 5, 10, 50, 100.
const LOADGEN: [number, number, number[]][] = [
  [0.9, 44, [64, 81, 97, 127, 197, 681, 1246]],
  [0.95, 90, [130, 165, 198, 259, 398, 1372, 2504]],
  [0.99, 459, [662, 838, 1001, 1307, 2010, 6898, 12571]],
  [0.999, 4603, [6636, 8403, 10042, 13105, 20140, 69058, 125826]],
];
const OVERAGES = [1, 2, 3, 5, 10, 50, 100];

describe('LoadGen early stopping', () => {
  test('published floors: 64 / 662 / 6636 queries for p90 / p99 / p99.9', () => {
    expect(earlyStoppingMinQueries(0.9)).toBe(64);
    expect(earlyStoppingMinQueries(0.99)).toBe(662);
    expect(earlyStoppingMinQueries(0.999)).toBe(6636);
  });

  test.each(LOADGEN)('p%p matches LoadGen for t = 0 and t > 0', (p, h0, totals) => {
    expect(minPassingQueries(0, p)).toBe(h0);
    expect(OVERAGES.map((t) => queriesToBound(t, p))).toEqual(totals);
  });

  test('the binomial CDF agrees with a direct sum', () => {
    const direct = (t: number, n: number, q: number): number => {
      let sum = 0;
      let c = 1; // C(n, x)
      for (let x = 0; x <= t; x++) {
        sum += c * q ** x * (1 - q) ** (n - x);
        c = (c * (n - x)) / (x + 1);
      }
      return sum;
    };
    for (const [t, n, q] of [
      [0, 10, 0.1],
      [3, 40, 0.1],
      [7, 200, 0.01],
      [20, 20, 0.5],
    ]) {
      expect(Math.exp(logBinomialCdf(t, n, q))).toBeCloseTo(direct(t, n, q), 12);
    }
  });

  test('rank: none below the floor, then the t-th largest latency as n grows', () => {
    expect(earlyStoppingRank(661, 0.99)).toBeNull();
    expect(earlyStoppingRank(662, 0.99)).toBe(1);
    expect(earlyStoppingRank(837, 0.99)).toBe(1);
    expect(earlyStoppingRank(838, 0.99)).toBe(2);
    expect(earlyStoppingRank(12_571, 0.99)).toBe(100);
    // Large n stays fast and below the naive rank n(1 − p).
    const r = earlyStoppingRank(1_000_000, 0.99)!;
    expect(r).toBeGreaterThan(9_000);
    expect(r).toBeLessThan(10_000);
  });

  test('rejects nonsense', () => {
    expect(() => minPassingQueries(-1, 0.99)).toThrow(RangeError);
    expect(() => minPassingQueries(0, 99)).toThrow(/fraction/);
  });
});
