import { applyPatch, configPatch } from '../../configs/patch';
import { expandAndValidate, parseConfig } from '../../configs/load';

const YAML = `
name: patch
model:
  generate: { family: mlp, layers: 2, hidden: 64, inputShape: [32], dtype: float32, seed: 1 }
serving: { instances: 1, batching: { maxBatchSize: 8, maxQueueDelayMs: 1 } }
workload: { mode: server, rate: 100, duration: 2s }
sweep:
  workload.duration: [1s, 3s]
  serving.batching.maxBatchSize: [1, 16]
  model.generate.inputShape: [[32], [16, 16]]
repeat: 2
`;

test('every job of a sweep is its base config plus its patch, exactly', () => {
  const config = parseConfig(YAML, 'patch.yaml', { baseDir: '/tmp' });
  const jobs = expandAndValidate(config, 'patch.yaml');
  expect(jobs).toHaveLength(16);
  for (const job of jobs) {
    const patch = configPatch(config, job.config);
    expect(applyPatch(config, patch)).toEqual(JSON.parse(JSON.stringify(job.config)));
    // Only what the sweep changes (and the sweep key itself, where jobs drop it) travels.
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(job.config).length / 2);
  }
});

test('patches add, change, replace arrays whole and delete keys; the base is left alone', () => {
  const base = { a: { b: 1, c: [1, 2], d: 'x' }, e: true };
  const target = { a: { b: 2, c: [1], f: null }, g: { h: 1 } };
  const patch = configPatch(base, target);
  expect(patch).toEqual([
    { path: ['a', 'b'], value: 2 },
    { path: ['a', 'c'], value: [1] },
    { path: ['a', 'f'], value: null },
    { path: ['a', 'd'], del: true },
    { path: ['g'], value: { h: 1 } },
    { path: ['e'], del: true },
  ]);
  expect(applyPatch(base, patch)).toEqual(target);
  expect(base).toEqual({ a: { b: 1, c: [1, 2], d: 'x' }, e: true });
  expect(configPatch(target, target)).toEqual([]);
});
