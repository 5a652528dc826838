import { candidateGrid, numericCandidates } from '../../analysis/model/candidates';
import { describeParams, type NumericParam } from '../../analysis/model/features';
import { sweepSnippet } from '../../analysis/model/snippet';
import { configKey } from '../../analysis/model/types';

const numeric = (values: number[]): NumericParam => ({
  kind: 'numeric',
  key: 'x',
  values,
  integer: values.every(Number.isInteger),
  positive: values.every((v) => v > 0),
});

describe('numericCandidates', () => {
  test('positive integers: geometric midpoints and one step beyond each end, rounded, at least 1', () => {
    // 1..4: √4 = 2; 4..16: 8; below 1·1/4 → 1 (kept positive, a duplicate); above 16·16/4 = 64.
    expect(numericCandidates(numeric([1, 4, 16]))).toEqual([1, 2, 4, 8, 16, 64]);
    expect(numericCandidates(numeric([2, 8]))).toEqual([1, 2, 4, 8, 32]);
    // √2 rounds back onto 1: no duplicate.
    expect(numericCandidates(numeric([1, 2]))).toEqual([1, 2, 4]);
  });

  test('positive reals: geometric, to three significant figures', () => {
    expect(numericCandidates(numeric([100, 200.5]))).toEqual([49.9, 100, 142, 200.5, 402]);
  });

  test('a parameter measured at 0 stays non-negative and steps arithmetically', () => {
    expect(numericCandidates(numeric([0, 2, 4]))).toEqual([0, 1, 2, 3, 4, 6]);
  });

  test('one measured value: nothing to extend from', () => {
    expect(numericCandidates(numeric([8]))).toEqual([8]);
  });
});

describe('candidateGrid', () => {
  const measured = [1, 4, 16].flatMap((c) => [1, 8].map((b) => ({ 'workload.concurrency': c, 'serving.batching.maxBatchSize': b, mode: 'all' })));
  const specs = describeParams(measured);
  const keys = specs.map((s) => s.key);
  const measuredKeys = new Set(measured.map((p) => configKey(p, keys)));

  test('the product of candidate values, minus what was measured; categories only as measured', () => {
    const grid = candidateGrid(specs, measuredKeys);
    // concurrency 1,2,4,8,16,64 × batch 1,3,8,64 (√8 ≈ 2.8 → 3) × mode all, minus the 6 measured.
    expect(grid).toHaveLength(6 * 4 - 6);
    expect(grid.some((p) => measuredKeys.has(configKey(p, keys)))).toBe(false);
    expect(new Set(grid.map((p) => p.mode))).toEqual(new Set(['all']));
    expect(grid.every((p) => Number.isInteger(p['workload.concurrency']) && (p['workload.concurrency'] as number) > 0)).toBe(true);
    expect(grid).toContainEqual({ mode: 'all', 'serving.batching.maxBatchSize': 3, 'workload.concurrency': 2 });
  });

  test('a product over the cap is a seeded sample of exactly the cap, still without measured points', () => {
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((a) => [1, 2, 3, 4, 5, 6, 7, 8].map((b) => ({ a, b, c: a % 2 ? 10 : 20 })));
    const big = describeParams(runs);
    // a and b: 1..8 plus 16 (no new integer midpoints), c: 5, 10, 14, 20, 40 → 405 points, 64 of them measured.
    const measuredBig = new Set(runs.map((p) => configKey(p, ['a', 'b', 'c'])));
    expect(candidateGrid(big, measuredBig)).toHaveLength(9 * 9 * 5 - 64);
    const grid = candidateGrid(big, measuredBig, { max: 50, seed: 3 });
    expect(grid).toHaveLength(50);
    expect(candidateGrid(big, measuredBig, { max: 50, seed: 3 })).toEqual(grid);
    expect(new Set(grid.map((p) => JSON.stringify(p))).size).toBe(50);
    expect(grid.some((p) => measuredBig.has(configKey(p, ['a', 'b', 'c'])))).toBe(false);
  });
});

describe('sweepSnippet', () => {
  test('one value per path, in YAML flow syntax', () => {
    expect(sweepSnippet({ 'workload.concurrency': 6, 'compile.graphOptimization': 'basic' })).toBe(
      'sweep:\n  workload.concurrency: [6]\n  compile.graphOptimization: ["basic"]',
    );
  });
});
