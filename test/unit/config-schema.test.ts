import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseDuration } from '../../configs/duration';
import { expandAndValidate, loadConfig, parseConfig, revalidateConfig } from '../../configs/load';
import { configSchema, WORKLOAD_MODES, type Config } from '../../configs/schema';
import { SUPPORTED_MODES, validateConfig } from '../../configs/validate';

const CONFIGS = join(__dirname, '../../configs');

const minimal = (workload = 'mode: concurrency\n  concurrency: 2') => `name: t
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
workload:
  ${workload}
`;

describe('example configs', () => {
  test('quickstart parses, with defaults and durations in ms', () => {
    const cfg: Config = loadConfig(join(CONFIGS, 'quickstart.yaml'));
    expect(cfg.name).toBe('quickstart');
    expect(cfg.model.generate).toEqual({ family: 'mlp', layers: 3, hidden: 256, inputShape: [256], outputSize: 10, dtype: 'float32', seed: 1 });
    expect(cfg.workload).toMatchObject({ mode: 'concurrency', concurrency: 2, warmup: 1000, duration: 3000 });
    expect(cfg.slo).toEqual({ p99Ms: 50 });
    expect(cfg.sweep).toEqual({ 'serving.batching.maxBatchSize': [1, 4], 'workload.concurrency': [1, 4] });
    expect(expandAndValidate(cfg)).toHaveLength(4);
  });

  test.each(['examples/open-loop-poisson.yaml', 'examples/onnx-file.yaml', 'examples/batching.yaml', 'examples/grpc.yaml'])('%s parses', (file) => {
    expect(() => expandAndValidate(loadConfig(join(CONFIGS, file)))).not.toThrow();
  });

  test('a relative model.path is resolved against the config file directory', () => {
    const cfg = loadConfig(join(CONFIGS, 'examples/onnx-file.yaml'));
    expect(cfg.model.path).toBe(join(CONFIGS, 'examples/models/tiny-mlp.onnx'));
    expect(isAbsolute(cfg.model.path!)).toBe(true);
  });

  test('parseConfig leaves model.path as written unless given a baseDir', () => {
    const text = 'name: t\nmodel: { path: m.onnx }\nworkload: { mode: server, rate: 5 }\n';
    expect(parseConfig(text, 't.yaml').model.path).toBe('m.onnx');
    expect(parseConfig(text, 't.yaml', { baseDir: '/models' }).model.path).toBe('/models/m.onnx');
  });
});

describe('defaults', () => {
  test('optional blocks are filled in', () => {
    const cfg = parseConfig(minimal(), 't.yaml');
    expect(cfg.compile).toEqual({ graphOptimization: 'all' });
    expect(cfg.serving).toEqual({ instances: 1, intraOpThreads: 1, interOpThreads: 1, executionProvider: 'cpu', system: 'builtin', protocol: 'http' });
    expect(cfg.target).toEqual({ cluster: 'local', device: 'cpu' });
    expect(cfg.workload).toEqual({ mode: 'concurrency', concurrency: 2, batchSize: 1, warmup: 1000, duration: 10_000, minQueries: 0, seed: 1, tensorFormat: 'json', requestTimeout: 10_000 });
    expect(cfg.repeat).toBe(1);
    expect(cfg.slo).toBeUndefined();
    expect(cfg.sweep).toBeUndefined();
  });

  test('batching gets a default maxQueueDelayMs', () => {
    const cfg = parseConfig(minimal() + 'serving:\n  batching: { maxBatchSize: 8 }\n', 't.yaml');
    expect(cfg.serving.batching).toEqual({ maxBatchSize: 8, maxQueueDelayMs: 1 });
  });

  test('an endpoint must be an http(s) URL', () => {
    expect(() => parseConfig(minimal() + 'serving: { endpoint: "ftp://host:8000" }\n', 't.yaml')).toThrow(
      /serving\.endpoint \(line \d+\): expected an http:\/\/ or https:\/\/ URL/,
    );
  });
});

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['3', 3000],
    [2, 2000],
    [0.25, 250],
    ['0s', 0],
  ])('%p -> %p ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each(['soon', '2 days', '-1s', '', '1.5.2s', true, null, -3])('%p is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  test('warmup and duration are parsed to milliseconds', () => {
    const cfg = parseConfig(minimal('mode: server\n  rate: 10\n  warmup: 500ms\n  duration: 1.5s'), 't.yaml');
    expect(cfg.workload.warmup).toBe(500);
    expect(cfg.workload.duration).toBe(1500);
  });

  test('warmup may be 0 but duration must be > 0', () => {
    expect(parseConfig(minimal('mode: server\n  rate: 10\n  warmup: 0'), 't.yaml').workload.warmup).toBe(0);
    expect(() => parseConfig(minimal('mode: server\n  rate: 10\n  duration: 0s'), 't.yaml')).toThrow(/workload\.duration \(line 7\).*greater than 0, got "0s"/);
  });

  test('swept durations are stored in ms, so expanding the loaded config stays in ms', () => {
    const cfg = parseConfig(minimal() + 'sweep:\n  workload.warmup: [250ms, 2s, 1]\n', 't.yaml');
    expect(cfg.sweep).toEqual({ 'workload.warmup': [250, 2000, 1000] });
    expect(expandAndValidate(cfg).map((j) => j.config.workload.warmup)).toEqual([250, 2000, 1000]);
  });
});

describe('schema vs runnable modes', () => {
  test('the schema accepts every mode name, and every one runs', () => {
    const raw = { name: 'x', model: { path: 'm.onnx' }, workload: { mode: 'burst', burst: { size: 2, every: '1s' } } };
    const parsed = configSchema.safeParse(raw);
    expect(parsed.success).toBe(true);
    expect(validateConfig(parsed.data!)).toEqual([]);
    expect([...SUPPORTED_MODES].sort()).toEqual([...WORKLOAD_MODES].sort());
  });

  test.each([
    ['single-stream', ''],
    ['constant', '\n  rate: 5'],
    ['offline', '\n  samples: 64'],
    ['progressive', '\n  rate: 5'],
  ])('mode %s loads', (mode, rest) => {
    expect(parseConfig(minimal(`mode: ${mode}${rest}`), 't.yaml').workload.mode).toBe(mode);
  });

  test('a relative trace path is resolved against the config file, like model.path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-trace-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, minimal('mode: trace\n  trace: traces/t.txt'));
      expect(loadConfig(file).workload.trace).toBe(join(dir, 'traces/t.txt'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('revalidateConfig', () => {
  test('is idempotent on a loaded config (durations stay in ms)', () => {
    const cfg = loadConfig(join(CONFIGS, 'quickstart.yaml'));
    expect(revalidateConfig(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
  });

  test('rejects a broken config object with readable issues', () => {
    expect(() => revalidateConfig({ name: 'x', model: { path: 'm' }, workload: { mode: 'server', rate: -1 } }, 'arg')).toThrow(
      'arg: workload.rate: expected a positive number, got -1',
    );
  });
});
