import { createHistogram, decodeHistogram, encodeHistogram, latencyBuckets, recordMs, summarize } from '../../activities/loadgen/histogram';

// 3 significant digits: any reported value is within 0.1% of the true one.
const near = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 1e-9);
};

describe('latency histogram', () => {
  it('summarises 1..1000 ms uniformly to hand-computed percentiles', () => {
    const h = createHistogram();
    for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms);
    const s = summarize(h);
    expect(s.count).toBe(1000);
    near(s.minMs!, 1);
    near(s.maxMs!, 1000);
    near(s.meanMs!, 500.5);
    near(s.p50Ms!, 500);
    near(s.p90Ms!, 900);
    near(s.p95Ms!, 950);
    near(s.p99Ms!, 990);
    near(s.p999Ms!, 999);
    // population sd of 1..n is sqrt((n²-1)/12)
    near(s.stddevMs!, Math.sqrt((1000 * 1000 - 1) / 12));
  });

  it('keeps sub-millisecond resolution', () => {
    const h = createHistogram();
    recordMs(h, 0.25);
    recordMs(h, 0.75);
    const s = summarize(h);
    near(s.minMs!, 0.25);
    near(s.maxMs!, 0.75);
  });

  it('clamps values outside 1 µs .. 60 s instead of throwing', () => {
    const h = createHistogram();
    recordMs(h, 0);
    recordMs(h, 120_000);
    const s = summarize(h);
    expect(s.count).toBe(2);
    near(s.minMs!, 0.001);
    near(s.maxMs!, 60_000);
  });

  it('summarises an empty histogram to nulls: no latency is not a latency of 0', () => {
    expect(summarize(createHistogram())).toEqual({
      count: 0, minMs: null, meanMs: null, p50Ms: null, p90Ms: null, p95Ms: null, p99Ms: null, p999Ms: null, maxMs: null, stddevMs: null,
    });
  });

  it('round-trips through the compressed base64 encoding', () => {
    const h = createHistogram();
    for (let i = 0; i < 5000; i++) recordMs(h, 1.0123 + (i % 97) * 0.3711);
    const encoded = encodeHistogram(h);
    expect(encoded).toMatch(/^[A-Za-z0-9+/=]+$/);
    const back = summarize(decodeHistogram(encoded));
    const orig = summarize(h);
    // The decoded copy only knows buckets, so its min is the bucket's lower bound.
    near(back.minMs!, orig.minMs!);
    expect({ ...back, minMs: 0 }).toEqual({ ...orig, minMs: 0 });
    expect(encodeHistogram(createHistogram()).length).toBeGreaterThan(0);
    expect(summarize(decodeHistogram(encodeHistogram(createHistogram()))).count).toBe(0);
  });
});

describe('latencyBuckets', () => {
  test('cover every recorded latency once, with a CDF that ends at 1', () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10); // 0.1 .. 100 ms
    const b = latencyBuckets(h);
    expect(b.reduce((n, x) => n + x.count, 0)).toBe(1000);
    expect(b[b.length - 1].cumulativeCount).toBe(1000);
    expect(b[b.length - 1].cumulativeFraction).toBe(1);
    for (let i = 1; i < b.length; i++) {
      expect(b[i].leMs).toBeGreaterThan(b[i - 1].leMs);
      expect(b[i].cumulativeCount).toBe(b[i - 1].cumulativeCount + b[i].count);
    }
    // The median bucket bound sits at ~50 ms, within HDR's 3 significant digits.
    const median = b.find((x) => x.cumulativeFraction >= 0.5)!;
    expect(median.leMs).toBeCloseTo(50, 0);
  });
  test('an empty histogram has no buckets', () => {
    expect(latencyBuckets(createHistogram())).toEqual([]);
  });
});
