import { complement, groupedFolds } from '../../analysis/model/folds';

describe('grouped folds', () => {
  // 7 configurations with 1-3 repeats each, interleaved the way a sweep records them.
  const groups = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'a', 'c', 'e', 'g', 'a', 'g'];

  test('never split a configuration, and cover every run exactly once', () => {
    const folds = groupedFolds(groups, 5, 1);
    expect(folds).toHaveLength(5);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(groups.map((_, i) => i));
    for (const g of new Set(groups)) {
      const holding = folds.filter((f) => f.some((i) => groups[i] === g));
      expect(holding).toHaveLength(1);
      expect(holding[0].filter((i) => groups[i] === g)).toHaveLength(groups.filter((x) => x === g).length);
    }
  });

  test('k is capped at the number of configurations; every fold holds some', () => {
    const folds = groupedFolds(['x', 'y', 'x', 'z'], 10);
    expect(folds).toHaveLength(3);
    expect(folds.every((f) => f.length > 0)).toBe(true);
  });

  test('deterministic for a seed, whatever the row order of the groups', () => {
    expect(groupedFolds(groups, 3, 7)).toEqual(groupedFolds(groups, 3, 7));
  });

  test('complement', () => {
    expect(complement(5, [1, 3])).toEqual([0, 2, 4]);
  });
});
