import { expandAndValidate, parseConfig } from '../../configs/load';
import { countCombinations, deepCopy, expandSweep, getPath, jobKey, setPath } from '../../configs/matrix';
import type { Config } from '../../configs/schema';

const config = (sweep: string, repeat = 1): Config =>
  parseConfig(
    `name: m
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
workload: { mode: server, rate: 10 }
${sweep}
repeat: ${repeat}
`,
    'm.yaml',
  );

describe('expandSweep', () => {
  test('cartesian product in the order written, first key slowest', () => {
    const jobs = expandSweep(config('sweep:\n  workload.rate: [100, 200, 400]\n  serving.batching.maxBatchSize: [1, 8]'));
    expect(jobs.map((j) => [j.index, j.params])).toEqual([
      [0, { 'workload.rate': 100, 'serving.batching.maxBatchSize': 1 }],
      [1, { 'workload.rate': 100, 'serving.batching.maxBatchSize': 8 }],
      [2, { 'workload.rate': 200, 'serving.batching.maxBatchSize': 1 }],
      [3, { 'workload.rate': 200, 'serving.batching.maxBatchSize': 8 }],
      [4, { 'workload.rate': 400, 'serving.batching.maxBatchSize': 1 }],
      [5, { 'workload.rate': 400, 'serving.batching.maxBatchSize': 8 }],
    ]);
    expect(jobs.map((j) => [j.config.workload.rate, j.config.serving.batching?.maxBatchSize])).toEqual([
      [100, 1], [100, 8], [200, 1], [200, 8], [400, 1], [400, 8],
    ]);
  });

  test('params keep the sweep key order', () => {
    const [job] = expandSweep(config('sweep:\n  workload.seed: [3]\n  workload.rate: [5]'));
    expect(Object.keys(job.params)).toEqual(['workload.seed', 'workload.rate']);
  });

  test('repeat multiplies the jobs; every combination runs once before any runs again', () => {
    const jobs = expandSweep(config('sweep:\n  workload.rate: [1, 2]', 3));
    expect(jobs.map(jobKey)).toEqual(['j000-r0', 'j001-r0', 'j000-r1', 'j001-r1', 'j000-r2', 'j001-r2']);
    expect(jobs.map((j) => j.params['workload.rate'])).toEqual([1, 2, 1, 2, 1, 2]);
  });

  test('without a sweep: `repeat` jobs with empty params', () => {
    const jobs = expandSweep(config('', 2));
    expect(jobs.map((j) => [j.index, j.repeat, j.params])).toEqual([
      [0, 0, {}],
      [0, 1, {}],
    ]);
  });

  test('job configs have no sweep, the base config is untouched', () => {
    const cfg = config('sweep:\n  workload.rate: [1, 2]');
    const before = JSON.stringify(cfg);
    const jobs = expandSweep(cfg);
    expect(jobs.every((j) => !('sweep' in j.config))).toBe(true);
    expect(JSON.stringify(cfg)).toBe(before);
  });

  test('jobs are deep copies: mutating one does not affect another', () => {
    const jobs = expandSweep(config('sweep:\n  model.generate.inputShape: [[8], [16]]', 2));
    jobs[0].config.serving.instances = 99;
    (jobs[0].config.model.generate as { inputShape: number[] }).inputShape.push(4);
    (jobs[0].params['model.generate.inputShape'] as number[]).push(5);
    expect(jobs[1].config.serving.instances).toBe(1);
    expect(jobs[2].config.model.generate!.inputShape).toEqual([8]);
    expect(jobs[2].params['model.generate.inputShape']).toEqual([8]);
  });

  test('is deterministic', () => {
    const cfg = config('sweep:\n  workload.rate: [1, 2]\n  workload.seed: [1, 2, 3]', 2);
    expect(JSON.stringify(expandSweep(cfg))).toBe(JSON.stringify(expandSweep(cfg)));
    expect(countCombinations(cfg)).toBe(6);
  });
});

describe('jobKey', () => {
  test('is short and stable', () => {
    expect(jobKey({ index: 3, repeat: 0 })).toBe('j003-r0');
    expect(jobKey({ index: 1234, repeat: 12 })).toBe('j1234-r12');
  });
});

describe('setPath / getPath', () => {
  test('sets a nested value, creating missing mappings', () => {
    const obj: Record<string, unknown> = { serving: { instances: 1 } };
    setPath(obj, 'serving.batching.maxBatchSize', 8);
    expect(obj).toEqual({ serving: { instances: 1, batching: { maxBatchSize: 8 } } });
    expect(getPath(obj, 'serving.batching.maxBatchSize')).toBe(8);
    expect(getPath(obj, 'serving.nothing.here')).toBeUndefined();
  });

  test('refuses to walk through a non-mapping', () => {
    expect(() => setPath({ name: 'x' }, 'name.first', 1)).toThrow(/"name" is not a mapping/);
  });

  test('deepCopy copies nested objects and arrays', () => {
    const src = { a: [{ b: 1 }], c: { d: 'e' } };
    const copy = deepCopy(src);
    expect(copy).toEqual(src);
    copy.a[0].b = 2;
    expect(src.a[0].b).toBe(1);
  });
});

describe('expandAndValidate', () => {
  test('re-validates each job, so a created batching block gets its defaults', () => {
    const cfg = config('sweep:\n  serving.batching.maxBatchSize: [1, 8]');
    expect(expandSweep(cfg)[0].config.serving.batching).toEqual({ maxBatchSize: 1 }); // substitution only
    const jobs = expandAndValidate(cfg);
    expect(jobs.map((j) => j.config.serving.batching)).toEqual([
      { maxBatchSize: 1, maxQueueDelayMs: 1 },
      { maxBatchSize: 8, maxQueueDelayMs: 1 },
    ]);
  });

  test('keeps the order, indexes and params of expandSweep', () => {
    const cfg = config('sweep:\n  workload.rate: [1, 2]\n  workload.seed: [7, 8]', 2);
    const strip = (js: { index: number; repeat: number; params: unknown }[]) => js.map(({ index, repeat, params }) => ({ index, repeat, params }));
    expect(strip(expandAndValidate(cfg))).toEqual(strip(expandSweep(cfg)));
  });

  test('validated jobs are independent copies too', () => {
    const jobs = expandAndValidate(config('sweep:\n  workload.rate: [1]', 2));
    jobs[0].config.workload.rate = 1000;
    jobs[0].params['workload.rate'] = 1000;
    expect(jobs[1].config.workload.rate).toBe(1);
    expect(jobs[1].params['workload.rate']).toBe(1);
  });
});
