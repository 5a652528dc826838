import { sloVerdict } from '../../analysis/slo';

const lat = { p50Ms: 1, p90Ms: 4, p95Ms: 9, p99Ms: 30 };

describe('sloVerdict', () => {
  test('no SLO: no verdict', () => {
    expect(sloVerdict(undefined, lat, 10)).toEqual({ meets: null, missed: [], objective: '' });
  });
  test('every named percentile must hold', () => {
    expect(sloVerdict({ p95Ms: 10, p99Ms: 40 }, lat, 10)).toEqual({ meets: true, missed: [], objective: 'p95 ≤ 10 ms, p99 ≤ 40 ms' });
    expect(sloVerdict({ p95Ms: 8, p99Ms: 40 }, lat, 10)).toEqual({ meets: false, missed: ['p95 9 > 8 ms'], objective: 'p95 ≤ 8 ms, p99 ≤ 40 ms' });
  });
  test('a bound equal to the measurement is met', () => {
    expect(sloVerdict({ p99Ms: 30 }, lat, 10).meets).toBe(true);
  });
  test('a run with no successful request never meets it', () => {
    expect(sloVerdict({ p99Ms: 1000 }, { p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0 }, 0)).toEqual({ meets: false, missed: ['no successful requests'], objective: 'p99 ≤ 1000 ms' });
  });
});
