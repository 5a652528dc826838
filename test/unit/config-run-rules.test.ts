import { expandAndValidate, parseConfig, revalidateConfig } from '../../configs/load';
import { allPaths } from '../../configs/schema-paths';
import { configSchema } from '../../configs/schema';

const withWorkload = (lines: string) => `name: t
model:
  path: m.onnx
workload:
  mode: server
  rate: 10
${lines
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

describe('workload run rules', () => {
  test('defaults: minQueries 0; maxDuration, earlyStopping and stability unset', () => {
    const w = parseConfig(withWorkload('duration: 5s'), 't.yaml').workload;
    expect(w.minQueries).toBe(0);
    expect(w.maxDuration).toBeUndefined();
    expect(w.earlyStopping).toBeUndefined();
    expect(w.stability).toBeUndefined();
  });

  test('all keys parse, durations to ms, stability defaults filled in', () => {
    const w = parseConfig(withWorkload('duration: 5s\nminQueries: 1000\nmaxDuration: 1m\nearlyStopping: { percentile: 99.9 }\nstability: { tolerance: 0.05 }'), 't.yaml').workload;
    expect(w).toMatchObject({ duration: 5000, minQueries: 1000, maxDuration: 60_000, earlyStopping: { percentile: 99.9 } });
    expect(w.stability).toEqual({ windows: 3, tolerance: 0.05, window: 1000 });
  });

  test('a loaded config revalidates to itself (ms stay ms)', () => {
    const cfg = parseConfig(withWorkload('maxDuration: 30s\nstability: { window: 500ms, windows: 4 }'), 't.yaml');
    expect(revalidateConfig(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
  });

  test.each([
    ['minQueries: -1', /workload\.minQueries \(line \d+\): expected an integer >= 0/],
    ['earlyStopping: { percentile: 98 }', /workload\.earlyStopping\.percentile \(line \d+\): expected one of 90 \| 95 \| 99 \| 99\.9, got 98/],
    ['earlyStopping: { p: 99 }', /workload\.earlyStopping/],
    ['stability: { windows: 1 }', /workload\.stability\.windows \(line \d+\): expected an integer >= 2/],
    ['stability: { tolerance: 0 }', /workload\.stability\.tolerance \(line \d+\): expected a fraction in \(0, 1\]/],
    ['maxDuration: 0s', /workload\.maxDuration \(line \d+\): expected a duration/],
  ])('%s is rejected', (line, message) => {
    expect(() => parseConfig(withWorkload(line), 't.yaml')).toThrow(message);
  });

  test('maxDuration must be at least duration', () => {
    expect(() => parseConfig(withWorkload('duration: 10s\nmaxDuration: 5s'), 't.yaml')).toThrow(
      /workload\.maxDuration \(line \d+\): expected at least workload\.duration \(10000 ms\), got 5000 ms/,
    );
    expect(parseConfig(withWorkload('duration: 10s\nmaxDuration: 10s'), 't.yaml').workload.maxDuration).toBe(10_000);
  });

  test('with a swept duration, maxDuration is checked per job', () => {
    const cfg = parseConfig(withWorkload('maxDuration: 20s') + 'sweep:\n  workload.duration: [5s, 20s]\n', 't.yaml');
    expect(expandAndValidate(cfg).map((j) => j.config.workload.duration)).toEqual([5000, 20_000]);
    expect(() => parseConfig(withWorkload('maxDuration: 20s') + 'sweep:\n  workload.duration: [5s, 30s]\n', 't.yaml')).toThrow(/maxDuration/);
  });

  test('the rules are sweepable paths', () => {
    const paths = allPaths(configSchema);
    for (const p of ['workload.minQueries', 'workload.maxDuration', 'workload.earlyStopping.percentile', 'workload.stability.tolerance']) {
      expect(paths).toContain(p);
    }
    const cfg = parseConfig(withWorkload('') + 'sweep:\n  workload.earlyStopping.percentile: [90, 99]\n', 't.yaml');
    expect(expandAndValidate(cfg).map((j) => j.config.workload.earlyStopping)).toEqual([{ percentile: 90 }, { percentile: 99 }]);
  });
});
