import { llmSloVerdict, sloVerdict } from '../../analysis/slo';

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

describe('sloVerdict for LLM runs (ttftMs, tpotMs, e2eMs at slo.percentile)', () => {
  const ttft = { p50Ms: 80, p90Ms: 150, p95Ms: 200, p99Ms: 420 };
  const tpot = { p50Ms: 20, p90Ms: 24, p95Ms: 26, p99Ms: 31 };
  const e2e = { p50Ms: 700, p90Ms: 900, p95Ms: 1000, p99Ms: 1400 };
  test('judged at p99 unless slo.percentile says otherwise', () => {
    expect(sloVerdict({ ttftMs: 400 }, e2e, 10, { ttft, tpot })).toEqual({ meets: false, missed: ['TTFT p99 420 > 400 ms'], objective: 'TTFT p99 ≤ 400 ms' });
    expect(sloVerdict({ ttftMs: 400, percentile: 95 }, e2e, 10, { ttft, tpot })).toEqual({ meets: true, missed: [], objective: 'TTFT p95 ≤ 400 ms' });
  });
  test('every objective given must hold, the tensor-latency ones (of E2E) too', () => {
    const v = sloVerdict({ p50Ms: 800, ttftMs: 500, tpotMs: 30, e2eMs: 1200, percentile: 99 }, e2e, 10, { ttft, tpot });
    expect(v).toEqual({ meets: false, missed: ['TPOT p99 31 > 30 ms', 'E2E p99 1400 > 1200 ms'], objective: 'p50 ≤ 800 ms, TTFT p99 ≤ 500 ms, TPOT p99 ≤ 30 ms, E2E p99 ≤ 1200 ms' });
  });
  test('no TTFT measured (not streamed) misses a TTFT objective', () => {
    const none = { p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null };
    expect(sloVerdict({ ttftMs: 500 }, e2e, 10, { ttft: none, tpot }).missed).toEqual(['TTFT p99 — > 500 ms']);
  });
  test('a KServe run (no LLM figures) is judged as before: LLM keys alone give no verdict', () => {
    expect(sloVerdict({ ttftMs: 1 }, lat, 10)).toEqual({ meets: null, missed: [], objective: '' });
    expect(sloVerdict({ p99Ms: 40, ttftMs: 1 }, lat, 10)).toEqual({ meets: true, missed: [], objective: 'p99 ≤ 40 ms' });
  });
  test('llmSloVerdict judges the LLM objectives alone', () => {
    expect(llmSloVerdict({ p50Ms: 1 }, e2e, 10, { ttft, tpot }).meets).toBeNull();
    expect(llmSloVerdict({ p50Ms: 1, tpotMs: 40 }, e2e, 10, { ttft, tpot })).toEqual({ meets: true, missed: [], objective: 'TPOT p99 ≤ 40 ms' });
    expect(llmSloVerdict({ tpotMs: 40 }, e2e, 0, { ttft, tpot })).toEqual({ meets: false, missed: ['no successful requests'], objective: 'TPOT p99 ≤ 40 ms' });
    expect(llmSloVerdict(undefined, e2e, 10, { ttft, tpot }).meets).toBeNull();
  });
});
