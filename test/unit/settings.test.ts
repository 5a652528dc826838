import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { WORKLOAD_DEFAULTS as D, OPEN_LOOP_MAX_SOCKETS } from '../../configs/defaults';
import { validateJobs } from '../../configs/jobs';
import { parseConfig } from '../../configs/load';
import { loadedConfigSchema, type Config } from '../../configs/schema';
import { longestMeasurementMs, resolveSettings, settingsOf, type RequestedSettings, type RunSettings } from '../../configs/settings';

/** A validated config from YAML workload lines (and optional other top-level blocks). */
function config(workload: string, extra = ''): Config {
  return parseConfig(`name: t\nmodel:\n  generate: { family: mlp, layers: 1, hidden: 8, inputShape: [8] }\nworkload:\n${workload}\n${extra}`, 't.yaml');
}

/** What every mode shares when nothing is asked. */
const common = {
  burst: null,
  samples: null,
  trace: null,
  progressive: null,
  sloP99Ms: null,
  warmupMs: D.warmupMs,
  durationMs: D.durationMs,
  minQueries: D.minQueries,
  maxDurationMs: D.maxDurationFactor * D.durationMs,
  earlyStopping: null,
  stability: null,
  windowMs: D.windowMs,
  seed: D.seed,
  requestTimeoutMs: D.requestTimeoutMs,
  batchSize: D.batchSize,
  tensorFormat: D.tensorFormat,
  data: null,
  api: 'kserve-v2',
  burstiness: 1,
  stream: true,
  llmSlo: null,
};

describe('resolveSettings: defaults applied once', () => {
  test('a request naming only the mode and its load gets every default from defaults.ts', () => {
    expect(resolveSettings({ mode: 'concurrency', concurrency: 4 })).toEqual({ mode: 'concurrency', rate: null, concurrency: 4, ...common });
    expect(resolveSettings({ mode: 'server', rate: 50 })).toEqual({ mode: 'server', rate: 50, concurrency: null, ...common });
  });

  test('the schema fills the same defaults (from the same module): a minimal config resolves like a minimal request', () => {
    expect(settingsOf(config('  mode: concurrency\n  concurrency: 4'))).toEqual(resolveSettings({ mode: 'concurrency', concurrency: 4 }));
    expect(settingsOf(config('  mode: server\n  rate: 50'))).toEqual(resolveSettings({ mode: 'server', rate: 50 }));
    // A stability rule given with no keys takes its defaults.
    expect(settingsOf(config('  mode: server\n  rate: 50\n  stability: {}')).stability).toEqual(D.stability);
    expect(resolveSettings({ mode: 'server', rate: 50, stability: {} }).stability).toEqual(D.stability);
  });

  test('the schema writes no constant default of its own in the workload block', () => {
    const src = readFileSync(path.join(__dirname, '../../configs/schema.ts'), 'utf8');
    const workload = src.slice(src.indexOf('const workload = z.strictObject({'), src.indexOf('const slo = z'));
    expect(workload.length).toBeGreaterThan(1000);
    expect(workload.match(/\.default\((?!D\.)[^)]*\)/g)).toBeNull();
  });
});

describe('resolveSettings: user values win', () => {
  test('every key written in the config is the one used', () => {
    const s = settingsOf(
      config(
        [
          '  mode: server',
          '  rate: 75',
          '  batchSize: 4',
          '  warmup: 2s',
          '  duration: 3s',
          '  minQueries: 100',
          '  maxDuration: 7s',
          '  earlyStopping: { percentile: 99 }',
          '  stability: { windows: 4, tolerance: 0.2, window: 500ms }',
          '  seed: 9',
          '  tensorFormat: binary',
          '  requestTimeout: 4s',
        ].join('\n'),
        'slo: { p99Ms: 20 }',
      ),
    );
    expect(s).toEqual({
      ...common,
      mode: 'server',
      rate: 75,
      concurrency: null,
      batchSize: 4,
      warmupMs: 2000,
      durationMs: 3000,
      minQueries: 100,
      maxDurationMs: 7000,
      earlyStopping: { percentile: 99, metric: 'latency' },
      stability: { windows: 4, tolerance: 0.2, windowMs: 500 },
      windowMs: 500, // the stability rule's window is the reported one
      seed: 9,
      tensorFormat: 'binary',
      requestTimeoutMs: 4000,
      sloP99Ms: 20,
    });
  });

  test('LLM keys: api, burstiness, stream, early stopping on TTFT, and the LLM objectives at their percentile', () => {
    const s = settingsOf(
      config(
        '  mode: server\n  rate: 4\n  burstiness: 0.5\n  stream: false\n  earlyStopping: { percentile: 90, metric: ttft }\n  prompts: { inputTokens: 8, outputTokens: 4 }',
        'serving: { api: openai-chat, endpoint: "http://127.0.0.1:8000", model: m }\nslo: { ttftMs: 500, tpotMs: 50 }',
      ),
    );
    expect(s).toMatchObject({
      api: 'openai-chat',
      burstiness: 0.5,
      stream: false,
      earlyStopping: { percentile: 90, metric: 'ttft' },
      llmSlo: { ttftMs: 500, tpotMs: 50, e2eMs: null, percentile: 99 },
      sloP99Ms: null,
    });
    const llmServing = 'serving: { api: openai-chat, endpoint: "http://127.0.0.1:8000", model: m }';
    expect(settingsOf(config('  mode: server\n  rate: 4\n  prompts: { inputTokens: 8, outputTokens: 4 }', `${llmServing}\nslo: { e2eMs: 900, percentile: 90 }`)).llmSlo).toEqual({ ttftMs: null, tpotMs: null, e2eMs: 900, percentile: 90 });
    // A p99 objective alone is no LLM objective.
    expect(settingsOf(config('  mode: server\n  rate: 4', 'slo: { p99Ms: 20 }')).llmSlo).toBeNull();
  });

  test('a request given windowMs keeps it without a stability rule', () => {
    expect(resolveSettings({ mode: 'single-stream', windowMs: 250 }).windowMs).toBe(250);
  });
});

describe('resolveSettings: derived values', () => {
  test('maxDuration is 10 × duration unless given, and follows a swept duration per job', () => {
    expect(resolveSettings({ mode: 'single-stream', durationMs: 3000 }).maxDurationMs).toBe(30_000);
    expect(resolveSettings({ mode: 'single-stream', durationMs: 3000, maxDurationMs: 4000 }).maxDurationMs).toBe(4000);
    const swept = config('  mode: single-stream', 'sweep: { workload.duration: [1s, 2s] }');
    const { jobs } = validateJobs(swept, loadedConfigSchema);
    expect(jobs!.map((j) => settingsOf(j.config).maxDurationMs)).toEqual([10_000, 20_000]);
  });

  test('single-stream keeps one request outstanding; keys of other modes are dropped', () => {
    const s = settingsOf(config('  mode: single-stream\n  rate: 10\n  concurrency: 8\n  burst: { size: 2, every: 1s }'));
    expect(s).toMatchObject({ rate: null, concurrency: 1, burst: null, progressive: null });
  });

  test('offline: 1024 samples, all outstanding up to the socket cap, and at least that many queries', () => {
    expect(resolveSettings({ mode: 'offline' })).toMatchObject({ samples: D.offlineSamples, concurrency: Math.min(D.offlineSamples, OPEN_LOOP_MAX_SOCKETS), minQueries: D.offlineSamples });
    expect(resolveSettings({ mode: 'offline', samples: 5000 })).toMatchObject({ samples: 5000, concurrency: OPEN_LOOP_MAX_SOCKETS, minQueries: 5000 });
    expect(resolveSettings({ mode: 'offline', samples: 10, concurrency: 2, minQueries: 50 })).toMatchObject({ samples: 10, concurrency: 2, minQueries: 50 });
  });

  test('burst: the rate is size / every', () => {
    expect(settingsOf(config('  mode: burst\n  burst: { size: 5, every: 100ms }'))).toMatchObject({ rate: 50, concurrency: null, burst: { size: 5, everyMs: 100 } });
  });

  test('trace: the file, and no rate (it is the file\'s)', () => {
    expect(resolveSettings({ mode: 'trace', trace: '/t.csv' })).toMatchObject({ trace: '/t.csv', rate: null, concurrency: null });
  });

  test('progressive: direction and start from rate or concurrency, factor 2 unless a step, step lengths from duration', () => {
    const overRate = settingsOf(config('  mode: progressive\n  rate: 40\n  duration: 2s'));
    expect(overRate).toMatchObject({ rate: null, concurrency: null });
    expect(overRate.progressive).toEqual({
      over: 'rate',
      start: 40,
      factor: D.progressive.factor,
      step: null,
      maxSteps: D.progressive.maxSteps,
      stepDurationMs: 2000,
      stepMaxDurationMs: D.maxDurationFactor * 2000,
    });
    const overConcurrency = settingsOf(config('  mode: progressive\n  concurrency: 2\n  duration: 1s\n  maxDuration: 5s\n  progressive: { step: 3, maxSteps: 4, stepDuration: 1s }'));
    expect(overConcurrency.progressive).toEqual({ over: 'concurrency', start: 2, factor: null, step: 3, maxSteps: 4, stepDurationMs: 1000, stepMaxDurationMs: 5000 });
    // A maxDuration shorter than a step stretches to the step.
    expect(resolveSettings({ mode: 'progressive', concurrency: 1, maxDurationMs: 500, progressive: { stepDurationMs: 800 } }).progressive!.stepMaxDurationMs).toBe(800);
    expect(() => resolveSettings({ mode: 'progressive' })).toThrow(/progressive mode needs a start level/);
  });

  test('a mode without its load is refused', () => {
    expect(() => resolveSettings({ mode: 'server' })).toThrow(/rate is required/);
    expect(() => resolveSettings({ mode: 'concurrency' })).toThrow(/concurrency is required/);
    expect(() => resolveSettings({ mode: 'burst' })).toThrow(/burst is required/);
  });

  test('the longest measurement: warm-up + maxDuration, per step in progressive', () => {
    expect(longestMeasurementMs(resolveSettings({ mode: 'single-stream', warmupMs: 1000, durationMs: 2000 }))).toBe(21_000);
    const p = resolveSettings({ mode: 'progressive', rate: 10, warmupMs: 1000, durationMs: 2000, progressive: { maxSteps: 3 } });
    expect(longestMeasurementMs(p)).toBe(3 * (1000 + 20_000));
  });
});

describe('resolveSettings is idempotent (runLoad resolves what the follower resolved)', () => {
  const requests: RequestedSettings[] = [
    { mode: 'server', rate: 5, maxDurationMs: 40_000, durationMs: 2000 },
    { mode: 'offline', samples: 3000, minQueries: 10 },
    { mode: 'burst', burst: { size: 3, everyMs: 50 } },
    { mode: 'progressive', rate: 10, durationMs: 2000, maxDurationMs: 3000, progressive: { stepDurationMs: 1000 } },
    { mode: 'progressive', concurrency: 2, durationMs: 2000, progressive: { step: 2, stepDurationMs: 500 } },
    { mode: 'concurrency', concurrency: 3, stability: { tolerance: 0.3 }, earlyStopping: { percentile: 90 } },
    { mode: 'server', rate: 2, api: 'openai-completions', burstiness: 4, stream: false, llmSlo: { tpotMs: 40 }, earlyStopping: { percentile: 99, metric: 'tpot' } },
  ];
  test.each(requests.map((r) => [r.mode, r] as const))('%s', (_, r) => {
    const once = resolveSettings(r);
    expect(resolveSettings(once)).toEqual(once);
    // And through JSON, as the settings travel to the load generator's process and into runs.settings.
    expect(resolveSettings(JSON.parse(JSON.stringify(once)) as RunSettings)).toEqual(once);
  });
});

// Type-level: resolved settings have no optional key, so a consumer has nothing left to default.
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
const noOptionalKeys: [OptionalKeys<RunSettings>] extends [never] ? true : false = true;

describe('no defaults outside configs/defaults.ts', () => {
  const loadgenDir = path.join(__dirname, '../../activities/loadgen');
  const sources = readdirSync(loadgenDir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: readFileSync(path.join(loadgenDir, f), 'utf8') }));

  test('the load generator and the run rules carry no DEFAULT_ constant nor a `?? <value>` fallback for a setting', () => {
    expect(noOptionalKeys).toBe(true);
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(['driver.ts', 'run-rules.ts', 'progressive.ts', 'windows.ts', 'early-stopping.ts', 'limits.ts']));
    const offending = sources.flatMap(({ file, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        // `?? 0`, `?? null`, `?? ''` stand for "nothing" (a count, an absent value, no text), not for a setting's default.
        .filter(({ line }) => /\bDEFAULT_\w+|\?\?\s*(?:[1-9][\d_.]*|'[^']+'|"[^"]+")/.test(line)),
    );
    expect(offending).toEqual([]);
  });

  test('only configs/ reads the defaults module', () => {
    const root = path.join(__dirname, '../..');
    const readers = ['activities', 'workflows', 'cli', 'analysis', 'workers']
      .flatMap((dir) => walk(path.join(root, dir)))
      .filter((f) => /WORKLOAD_DEFAULTS/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(readers).toEqual([]);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}
