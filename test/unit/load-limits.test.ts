import { modelLimitIssues } from '../../activities/compile/model-limits';
import {
  FD_RESERVE,
  MAX_INFLIGHT,
  MAX_SEND_RATE,
  MAX_TIMER_MS,
  OPEN_LOOP_MAX_SOCKETS,
  loadLimitIssues,
  type HostFacts,
} from '../../activities/loadgen/limits';
import { ephemeralPorts, fdSoftLimit } from '../../activities/probe/host-limits';
import { ConfigError, parseConfig, revalidateConfig } from '../../configs/load';
import { preflightChecks } from '../../configs/preflight';
import type { Config } from '../../configs/schema';

const GB = 1e9;
const host: HostFacts = { fdLimit: 20_000, ephemeralPorts: 28_232, memoryBytes: 16 * GB };

/** A validated job config from YAML workload lines (and optional other top-level blocks). */
function job(workload: string, extra = '', model = 'generate: { family: mlp, layers: 1, hidden: 8, inputShape: [8] }'): Config {
  return parseConfig(`name: t\nmodel:\n  ${model}\nworkload:\n${workload}\n${extra}`, 't.yaml');
}

describe('loadLimitIssues: send rate and requests in flight', () => {
  test('a rate one load-generator process cannot send is refused at workload.rate, with the rate and the ceiling', () => {
    expect(loadLimitIssues(job('  mode: server\n  rate: 1e9'), host)).toEqual([
      { path: ['workload', 'rate'], message: '1,000,000,000 requests/s exceed what one load-generator process can send (at most 100,000: it sends from one JS thread)' },
    ]);
    expect(loadLimitIssues(job(`  mode: constant\n  rate: ${MAX_SEND_RATE}`), host)).toEqual([]);
  });

  test('burst and progressive rates count too, at the key that sets them', () => {
    expect(loadLimitIssues(job('  mode: burst\n  burst: { size: 1000, every: 1ms }'), host)).toEqual([
      { path: ['workload', 'burst'], message: expect.stringContaining('1,000,000 requests/s exceed') },
    ]);
    const [issue] = loadLimitIssues(job('  mode: progressive\n  rate: 1000\n  progressive: { factor: 10, maxSteps: 6 }'), host);
    expect(issue).toEqual({ path: ['workload', 'progressive', 'maxSteps'], message: expect.stringMatching(/^the last of 6 progressive steps: 100,000,000 requests\/s exceed/) });
  });

  test('rate x request timeout past MAX_INFLIGHT is refused; the host memory bounds it on a small host', () => {
    // 100,000/s x 10 s = 1,000,000 <= 2^20: fits; a 20 s timeout would not.
    expect(loadLimitIssues(job('  mode: server\n  rate: 100000'), host)).toEqual([]);
    const longTimeout = job('  mode: server\n  rate: 100000');
    (longTimeout.workload as Record<string, unknown>).requestTimeout = 20_000;
    expect(loadLimitIssues(longTimeout, host)).toEqual([
      { path: ['workload', 'rate'], message: `100,000 requests/s x a 20 s request timeout can hold 2,000,000 requests in flight, more than the load generator's bound of ${MAX_INFLIGHT.toLocaleString('en-US')}` },
    ]);
    expect(loadLimitIssues(job('  mode: server\n  rate: 50000'), { ...host, memoryBytes: 0.2 * GB })).toEqual([
      { path: ['workload', 'rate'], message: expect.stringContaining('500,000 requests in flight (~128 MB), more than half of this host\'s 200 MB of memory') },
    ]);
  });
});

describe('loadLimitIssues: connections', () => {
  test('closed-loop concurrency past the fd limit (less what each process needs besides) is refused with the limit and the most', () => {
    expect(loadLimitIssues(job('  mode: concurrency\n  concurrency: 100000'), host)).toEqual([
      {
        path: ['workload', 'concurrency'],
        message:
          "100,000 connections exceed this host's file-descriptor limit of 20,000 (ulimit -n; the load generator and the built-in server each hold one per connection); at most ~19,700",
      },
    ]);
    expect(loadLimitIssues(job(`  mode: concurrency\n  concurrency: ${20_000 - FD_RESERVE}`), host)).toEqual([]);
    const external = job('  mode: concurrency\n  concurrency: 100000', 'serving: { endpoint: "http://127.0.0.1:8000", model: m }');
    expect(loadLimitIssues(external, host)[0].message).toContain('(ulimit -n; the load generator holds one per connection)');
  });

  test('where ephemeral ports are fewer than descriptors they bind instead', () => {
    const many = { ...host, fdLimit: 1_048_576 };
    expect(loadLimitIssues(job('  mode: concurrency\n  concurrency: 30000'), many)).toEqual([
      { path: ['workload', 'concurrency'], message: expect.stringContaining("30,000 connections exceed this host's 28,232 ephemeral ports (net.ipv4.ip_local_port_range") },
    ]);
    expect(loadLimitIssues(job('  mode: concurrency\n  concurrency: 30000'), { ...many, ephemeralPorts: null })).toEqual([]);
    expect(loadLimitIssues(job('  mode: concurrency\n  concurrency: 30000'), { ...host, fdLimit: null, ephemeralPorts: null })).toEqual([]);
  });

  test('an open loop may open up to the socket cap: refused only where the host cannot hold that many', () => {
    const small = { ...host, fdLimit: 1024 };
    expect(loadLimitIssues(job('  mode: server\n  rate: 10'), small)).toEqual([
      { path: ['workload', 'rate'], message: expect.stringContaining(`${OPEN_LOOP_MAX_SOCKETS.toLocaleString('en-US')} connections exceed this host's file-descriptor limit of 1,024`) },
    ]);
    expect(loadLimitIssues(job('  mode: server\n  rate: 10'), { ...host, fdLimit: OPEN_LOOP_MAX_SOCKETS + FD_RESERVE })).toEqual([]);
    expect(loadLimitIssues(job('  mode: single-stream'), { ...host, fdLimit: FD_RESERVE + 1 })).toEqual([]);
  });

  test('offline defaults to min(samples, 1024) connections; progressive over concurrency to its last step', () => {
    const small = { ...host, fdLimit: FD_RESERVE + 100 };
    expect(loadLimitIssues(job('  mode: offline\n  samples: 50'), small)).toEqual([]);
    expect(loadLimitIssues(job('  mode: offline\n  samples: 500'), small)[0].path).toEqual(['workload', 'concurrency']);
    const [issue] = loadLimitIssues(job('  mode: progressive\n  concurrency: 1000\n  progressive: { maxSteps: 8 }'), host);
    expect(issue.message).toMatch(/^the last of 8 progressive steps: 128,000 connections exceed/);
  });
});

describe('loadLimitIssues: run length', () => {
  test('warm-up + maxDuration past a Node timer is refused at the key that set it', () => {
    expect(loadLimitIssues(job('  mode: single-stream\n  duration: 72h'), host)).toEqual([
      { path: ['workload', 'duration'], message: expect.stringContaining('a run of up to 30 days (warm-up + maxDuration, default 10 x duration) exceeds what a Node timer can hold') },
    ]);
    expect(loadLimitIssues(job('  mode: single-stream\n  duration: 24h\n  maxDuration: 720h'), host)[0].path).toEqual(['workload', 'maxDuration']);
    expect(loadLimitIssues(job(`  mode: single-stream\n  duration: ${Math.floor(MAX_TIMER_MS / 10_000)}`), host)).toEqual([]);
  });
});

describe('modelLimitIssues', () => {
  test("a generated model past ONNX's 2 GiB is refused before it is built, with its parameter count", () => {
    const cfg = job('  mode: single-stream', '', 'generate: { family: mlp, layers: 1, hidden: 1000000000, inputShape: [1000000000] }');
    expect(modelLimitIssues(cfg, host)).toEqual([
      { path: ['model', 'generate'], message: expect.stringMatching(/^model too large: 1,000,000,011,000,000,000 float32 parameters .* exceed ONNX's 2 GiB single-file limit$/) },
    ]);
  });

  test('one under 2 GiB is checked against memory: compile (2 x weights) and one copy per instance plus the file', () => {
    // 20,000 x 20,000 float32 = 1.6 GB of weights.
    const cfg = job('  mode: single-stream', 'serving: { instances: 4 }', 'generate: { family: mlp, layers: 1, hidden: 20000, inputShape: [20000], outputSize: 1 }');
    expect(modelLimitIssues(cfg, host)).toEqual([]);
    expect(modelLimitIssues(cfg, { memoryBytes: 4 * GB })).toEqual([
      { path: ['model', 'generate'], message: expect.stringMatching(/^a model of 400,040,001 float32 parameters \(1\.6 GB of weights\) needs at least 8 GB of memory to compile and serve with 4 instances, more than this host's 4 GB$/) },
    ]);
    const external = { ...cfg, serving: { ...cfg.serving, endpoint: 'http://127.0.0.1:1', model: 'm' } };
    expect(modelLimitIssues(external, { memoryBytes: 4 * GB })).toEqual([]);
  });

  test('a model file is not this check’s', () => {
    expect(modelLimitIssues(job('  mode: single-stream', '', 'path: /nonexistent.onnx'), { memoryBytes: 1 })).toEqual([]);
  });
});

describe('preflight through the config loader', () => {
  const yaml = `name: t
model:
  generate: { family: mlp, layers: 1, hidden: 8, inputShape: [8] }
workload:
  mode: server
  rate: 100
sweep:
  workload.rate: [100, 1000, 1e9]
  serving.instances: [1, 2]
`;
  test('a swept value is named by its index and line, once for every job it is in', () => {
    let err: unknown;
    try {
      parseConfig(yaml, 'my.yaml', { checks: preflightChecks(host) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      'my.yaml: sweep.workload.rate[2] (line 8): 1,000,000,000 requests/s exceed what one load-generator process can send (at most 100,000: it sends from one JS thread)',
    );
  });

  test('a swept duration is named by its index; an issue under an unswept path names the sweep jobs it affects', () => {
    const swept = yaml.replace('workload.rate: [100, 1000, 1e9]', 'workload.duration: [1s, 72h]');
    expect(() => parseConfig(swept, 'my.yaml', { checks: preflightChecks(host) })).toThrow(
      /^my\.yaml: sweep\.workload\.duration\[1\] \(line 8\): a run of up to 30 days/,
    );
    // 596 h + 1 s fits a timer, 596 h + 1 h does not.
    const unswept = yaml.replace('  rate: 100\n', '  rate: 100\n  maxDuration: 596h\n').replace('workload.rate: [100, 1000, 1e9]', 'workload.warmup: [1s, 1h]');
    expect(() => parseConfig(unswept, 'my.yaml', { checks: preflightChecks(host) })).toThrow(
      /^my\.yaml: workload\.maxDuration \(line 7\): a run of up to 24\.9 days .*, in the 2 sweep jobs with workload\.warmup = 3600000$/,
    );
  });

  test('a config object (a sweep started with `config`, not YAML) gets the same checks, without lines', () => {
    const loaded = parseConfig(yaml, 'my.yaml');
    expect(() => revalidateConfig(loaded, 'config', preflightChecks(host))).toThrow(
      /^config: sweep\.workload\.rate\[2\]: 1,000,000,000 requests\/s exceed/,
    );
    expect(revalidateConfig(loaded, 'config').name).toBe('t');
  });

  test('without checks (or with none failing) the config loads as before', () => {
    expect(parseConfig(yaml.replace(', 1e9', ''), 'my.yaml', { checks: preflightChecks(host) }).sweep?.['workload.rate']).toEqual([100, 1000]);
    expect(parseConfig(yaml, 'my.yaml').name).toBe('t');
  });
});

describe('host probe parsers', () => {
  test('fdSoftLimit reads the soft column of Max open files', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                1048576              files\n';
    expect(fdSoftLimit(limits)).toBe(20_000);
    expect(fdSoftLimit('Max open files            unlimited            unlimited            files')).toBeNull();
    expect(fdSoftLimit(null)).toBeNull();
  });

  test('ephemeralPorts counts the inclusive range', () => {
    expect(ephemeralPorts('32768\t60999\n')).toBe(28_232);
    expect(ephemeralPorts('')).toBeNull();
    expect(ephemeralPorts(null)).toBeNull();
  });
});
