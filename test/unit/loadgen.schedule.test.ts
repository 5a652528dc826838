import { constantSchedule, poissonSchedule } from '../../activities/loadgen/schedule';

function gaps(s: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s[i] - (i === 0 ? 0 : s[i - 1]));
  return out;
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const stddev = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('poissonSchedule', () => {
  it('is deterministic for a seed', () => {
    expect(poissonSchedule(500, 2000, 7)).toEqual(poissonSchedule(500, 2000, 7));
  });

  it('differs between seeds, including adjacent ones', () => {
    const a = poissonSchedule(500, 2000, 1);
    const b = poissonSchedule(500, 2000, 2);
    expect(a[0]).not.toBe(b[0]);
    expect(Array.from(a.slice(0, 20))).not.toEqual(Array.from(b.slice(0, 20)));
  });

  it('is ascending and inside [0, duration)', () => {
    const s = poissonSchedule(1000, 3000, 3);
    for (let i = 0; i < s.length; i++) {
      expect(s[i]).toBeGreaterThanOrEqual(i === 0 ? 0 : s[i - 1]);
      expect(s[i]).toBeLessThan(3000);
    }
  });

  it('has exponential gaps: mean ≈ 1/rate and coefficient of variation ≈ 1', () => {
    const rate = 200; // mean gap 5 ms
    const g = gaps(poissonSchedule(rate, 500_000, 11)); // ~100k samples
    expect(g.length).toBeGreaterThan(90_000);
    expect(mean(g)).toBeCloseTo(1000 / rate, 1); // within 0.05 ms of 5 ms
    expect(stddev(g) / mean(g)).toBeGreaterThan(0.97);
    expect(stddev(g) / mean(g)).toBeLessThan(1.03);
    // Exponential: P(gap > mean) = e^-1.
    const above = g.filter((x) => x > 1000 / rate).length / g.length;
    expect(above).toBeCloseTo(Math.exp(-1), 2);
  });

  it('sends about rate × duration over a long window, for many seeds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = poissonSchedule(1000, 100_000, seed).length; // expect 100k, sd ≈ 316
      expect(Math.abs(n - 100_000)).toBeLessThan(1600); // 5 sd
    }
  });

  it('small seeds do not start with a huge first gap', () => {
    for (let seed = 0; seed < 50; seed++) expect(poissonSchedule(100, 10_000, seed)[0]).toBeLessThan(200); // 20 mean gaps
  });

  it('rejects bad arguments and allows an empty window', () => {
    expect(() => poissonSchedule(0, 1000, 1)).toThrow(/rate/);
    expect(() => poissonSchedule(Number.NaN, 1000, 1)).toThrow(/rate/);
    expect(() => poissonSchedule(10, -1, 1)).toThrow(/duration/);
    expect(poissonSchedule(10, 0, 1).length).toBe(0);
  });
});

describe('constantSchedule', () => {
  it('spaces sends evenly from 0', () => {
    const s = constantSchedule(100, 1000);
    expect(s.length).toBe(100);
    expect(s[0]).toBe(0);
    expect(s[99]).toBeCloseTo(990, 9);
    expect(constantSchedule(100, 1005).length).toBe(101);
    expect(constantSchedule(3, 1000).length).toBe(3);
  });
});
