import { describeParams, featureSet, fitStandardizer, narrowParams, standardize } from '../../analysis/model/features';

const c = 'workload.concurrency';
const b = 'serving.batching.maxBatchSize';

describe('describeParams', () => {
  test('numbers are numeric (integer, positive flags); anything else is categorical', () => {
    const specs = describeParams([
      { [c]: 4, d: 0, r: 1.5, m: 'all', flag: true },
      { [c]: 1, d: 2, r: 2, m: 'basic', flag: false },
      { [c]: 4, d: 1, r: 2, m: 'all', flag: true },
    ]);
    expect(specs).toEqual([
      { kind: 'numeric', key: 'd', values: [0, 1, 2], integer: true, positive: false },
      { kind: 'categorical', key: 'flag', values: [false, true] },
      { kind: 'categorical', key: 'm', values: ['all', 'basic'] },
      { kind: 'numeric', key: 'r', values: [1.5, 2], integer: false, positive: true },
      { kind: 'numeric', key: c, values: [1, 4], integer: true, positive: true },
    ]);
  });
});

describe('featureSet', () => {
  const params = [1, 2, 4, 8].flatMap((cv) => [1, 8].map((bv) => ({ [c]: cv, [b]: bv, mode: cv > 2 ? 'a' : 'b', fixed: 3 })));
  const specs = describeParams(params);

  test('raw and log of positive parameters, one-hot without the first level, nothing for a fixed one', () => {
    const f = featureSet(specs, 3);
    expect(f.names).toEqual(['mode="b"', b, `log(${b})`, c, `log(${c})`]);
    expect(f.row({ [c]: 4, [b]: 8, mode: 'b', fixed: 3 })).toEqual([1, 8, Math.log(8), 4, Math.log(4)]);
  });

  test('products and hinges at interior measured values, once there are two configurations per main effect', () => {
    expect(featureSet(specs, 9).names).toHaveLength(5);
    const f = featureSet(specs, 10);
    expect(f.names.slice(5)).toEqual([`log(${b})*log(${c})`, `hinge(log(${c}) at 2)`, `hinge(log(${c}) at 4)`]);
    // Shape terms are centred over the measured values: at the middle of the grid the product is 0.
    const [cross, h2, h4] = f.row({ [c]: 2 * Math.SQRT2, [b]: Math.sqrt(8), mode: 'a', fixed: 3 }).slice(5);
    expect(cross).toBeCloseTo(0, 12);
    // Past the knot at 2, not yet past the one at 4.
    expect(h2).toBeGreaterThan(0);
    expect(h4).toBe(0);
    const [, at8h2, at8h4] = f.row({ [c]: 8, [b]: 1, mode: 'a', fixed: 3 }).slice(5);
    // Linear in log c past each knot: from 2 to 8 is twice as far as from 4 to 8.
    expect(at8h2).toBeCloseTo(2 * at8h4, 12);
  });

  test('a non-positive parameter gets no log', () => {
    const f = featureSet(describeParams([{ d: 0 }, { d: 1 }, { d: 2 }]), 1);
    expect(f.names).toEqual(['d']);
  });
});

describe('narrowParams', () => {
  test('a training fold keeps the kinds and positivity of the sweep, with only its own numeric values', () => {
    const specs = describeParams([{ c: 1, m: 'a' }, { c: 2, m: 'b' }, { c: 4, m: 'a' }]);
    expect(narrowParams(specs, [{ c: 4, m: 'a' }, { c: 2, m: 'a' }])).toEqual([
      { kind: 'numeric', key: 'c', values: [2, 4], integer: true, positive: true },
      { kind: 'categorical', key: 'm', values: ['a', 'b'] },
    ]);
  });
});

describe('standardize', () => {
  test('training columns get mean 0 and sd 1; a constant column becomes 0', () => {
    const rows = [[1, 5], [2, 5], [3, 5]];
    const s = fitStandardizer(rows);
    const z = rows.map((r) => standardize(s, r));
    expect(z.map((r) => r[0]).reduce((a, v) => a + v, 0)).toBeCloseTo(0, 12);
    expect(z.map((r) => r[0] ** 2).reduce((a, v) => a + v, 0) / 3).toBeCloseTo(1, 12);
    expect(z.map((r) => r[1])).toEqual([0, 0, 0]);
  });
});
