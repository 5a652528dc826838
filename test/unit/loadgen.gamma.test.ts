import { gammaSampler } from '../../activities/loadgen/gamma';
import { gammaArrivals, poissonArrivals } from '../../activities/loadgen/schedule';
import { seededUniform } from '../../activities/rng';

function moments(draw: () => number, n: number): { mean: number; cv: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  const variance = (sumSq - n * mean * mean) / (n - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

describe('gammaSampler (Marsaglia–Tsang, boosted below shape 1)', () => {
  // 200,000 draws with a fixed seed: the sample mean and CV sit within ~1% of the truth (their standard errors are
  // at most 0.5% and 0.6% at shape 0.25, whose kurtosis is the largest); 3% cannot be missed by chance, and a wrong
  // scale (mean off by the shape) or a dropped boost (CV of shape + 1) misses it by far more.
  test.each([0.25, 0.5, 1, 2, 4, 9])('shape %p: mean shape × scale, CV 1/√shape', (shape) => {
    const scale = 3;
    const { mean, cv } = moments(gammaSampler(shape, scale, seededUniform(42)), 200_000);
    expect(Math.abs(mean / (shape * scale) - 1)).toBeLessThan(0.03);
    expect(Math.abs(cv * Math.sqrt(shape) - 1)).toBeLessThan(0.03);
  });

  test('every draw is positive and finite; a shape or scale that is not positive is refused', () => {
    const draws = Array.from({ length: 10_000 }, gammaSampler(0.1, 1, seededUniform(1)));
    expect(draws.filter((x) => !(x > 0 && Number.isFinite(x)))).toEqual([]);
    expect(() => gammaSampler(0, 1, seededUniform(1))).toThrow(/shape/);
    expect(() => gammaSampler(1, -1, seededUniform(1))).toThrow(/scale/);
  });
});

describe('gammaArrivals (workload.burstiness)', () => {
  const take = (next: () => number, n: number): number[] => Array.from({ length: n }, next);

  test('burstiness 1 is Poisson: the very offsets of poissonArrivals for the seed', () => {
    expect(take(gammaArrivals(50, 1, 7), 100)).toEqual(take(poissonArrivals(50, 7), 100));
  });

  test.each([0.5, 2])('burstiness %p keeps the mean rate, with gaps of CV 1/√burstiness, seeded', (b) => {
    const offsets = take(gammaArrivals(100, b, 3), 100_000);
    const gaps = offsets.map((t, i) => t - (i ? offsets[i - 1] : 0));
    const { mean, cv } = moments(
      (() => {
        let i = 0;
        return () => gaps[i++];
      })(),
      gaps.length,
    );
    expect(Math.abs(mean / 10 - 1)).toBeLessThan(0.03); // 100/s: a 10 ms mean gap
    expect(Math.abs(cv * Math.sqrt(b) - 1)).toBeLessThan(0.03);
    expect(gaps.every((g) => g > 0)).toBe(true);
    expect(take(gammaArrivals(100, b, 3), 50)).toEqual(offsets.slice(0, 50));
    expect(take(gammaArrivals(100, b, 4), 50)).not.toEqual(offsets.slice(0, 50));
  });

  test('a burstiness that is not positive is refused', () => {
    expect(() => gammaArrivals(10, 0, 1)).toThrow(/burstiness must be a positive number/);
  });
});
