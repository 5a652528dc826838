import { join } from 'node:path';
import { ConfigError, expandAndValidate, loadConfig, parseConfig } from '../../configs/load';
import type { Config } from '../../configs/schema';

/** The ConfigError thrown by parsing `text`, so tests can look at both message and issues. */
function errorOf(text: string, file = 'quickstart.yaml'): ConfigError {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

// Line numbers below refer to this layout.
const base = (workload: string, extra = '') => `name: quickstart
model:
  generate: { family: mlp, layers: 2, hidden: 8, inputShape: [8] }
workload:
${workload}
${extra}`;

describe('field errors', () => {
  test('a bad value names the path, the line, what was expected and what was found', () => {
    const err = errorOf(base('  mode: server\n  rate: fast'));
    expect(err.message).toBe('quickstart.yaml: workload.rate (line 6): expected a positive number, got "fast"');
    expect(err.issues).toEqual([{ path: 'workload.rate', line: 6, message: 'expected a positive number, got "fast"' }]);
  });

  test('a value on its own line is pointed at', () => {
    expect(errorOf(base('  mode: server\n  rate:\n    fast')).issues[0].line).toBe(7);
  });

  test('every issue is listed, one per line, in file order, never as zod JSON', () => {
    const err = errorOf('name: "a b"\nmodel: { path: m.onnx }\nworkload:\n  mode: server\n  rate: 0\n  batchSize: 1.5\nrepeat: -1\n');
    expect(err.message.split('\n')).toEqual([
      'quickstart.yaml: name (line 1): expected a name made of letters, digits, ".", "_" or "-", got "a b"',
      'quickstart.yaml: workload.rate (line 5): expected a positive number, got 0',
      'quickstart.yaml: workload.batchSize (line 6): expected a positive integer, got 1.5',
      'quickstart.yaml: repeat (line 7): expected a positive integer, got -1',
    ]);
    expect(err.message).not.toMatch(/"code"|invalid_type|\[\s*\{/);
  });

  test('enum values are listed', () => {
    const err = errorOf(base('  mode: servr\n  rate: 5'));
    expect(err.message).toContain('workload.mode (line 5): expected one of single-stream | server | constant | burst | concurrency | offline | trace | progressive, got "servr"');
  });

  test('model needs exactly one of generate or path', () => {
    const both = errorOf('name: x\nmodel:\n  path: m.onnx\n  generate: { family: mlp, layers: 1, hidden: 4, inputShape: [4] }\nworkload: { mode: server, rate: 1 }\n');
    expect(both.message).toBe('quickstart.yaml: model (line 2): expected exactly one of model.generate or model.path, got both');
    expect(errorOf('name: x\nmodel: {}\nworkload: { mode: server, rate: 1 }\n').message).toContain('got neither');
  });

  test('an endpoint must be an http(s) URL', () => {
    expect(errorOf(base('  mode: server\n  rate: 5', 'serving: { endpoint: "ftp://h" }')).message).toContain(
      'serving.endpoint (line 7): expected an http:// or https:// URL, got "ftp://h"',
    );
  });

  test('batching limits', () => {
    const err = errorOf(base('  mode: server\n  rate: 5', 'serving:\n  batching: { maxBatchSize: 0, maxQueueDelayMs: -1 }'));
    expect(err.issues.map((i) => `${i.path} ${i.line} ${i.message}`)).toEqual([
      'serving.batching.maxBatchSize 8 expected a positive integer, got 0',
      'serving.batching.maxQueueDelayMs 8 expected a number >= 0, got -1',
    ]);
  });
});

describe('unknown and missing keys', () => {
  test('an unknown key is named on its own line, with a did-you-mean', () => {
    const err = errorOf(base('  mode: server\n  rate: 5\n  duraton: 5s'));
    expect(err.message).toBe('quickstart.yaml: workload.duraton (line 7): unknown key; did you mean "duration"?');
  });

  test('an unknown key with no close match lists the allowed keys', () => {
    expect(errorOf(base('  mode: server\n  rate: 5', 'target: { zone: eu }')).message).toBe(
      'quickstart.yaml: target.zone (line 7): unknown key; allowed here: cluster, device, pricePerHour',
    );
  });

  test('a top-level typo', () => {
    expect(errorOf(base('  mode: server\n  rate: 5', 'servng: {}')).message).toBe(
      'quickstart.yaml: servng (line 7): unknown key; did you mean "serving"?',
    );
  });

  test('a missing required key points at its parent mapping', () => {
    const err = errorOf('name: x\nmodel:\n  generate: { family: mlp, layers: 2, inputShape: [8] }\nworkload: { mode: server, rate: 5 }\n');
    expect(err.message).toBe('quickstart.yaml: model.generate.hidden (line 3): expected a positive integer, got nothing (the key is missing)');
  });

  test('a missing top-level key', () => {
    const err = errorOf('model: { path: m.onnx }\nworkload: { mode: server, rate: 5 }\n');
    expect(err.issues).toEqual([
      { path: 'name', line: 1, message: 'expected a name made of letters, digits, ".", "_" or "-", got nothing (the key is missing)' },
    ]);
  });

  test('open-loop modes need a rate, closed-loop ones a concurrency', () => {
    expect(errorOf(base('  mode: server')).message).toBe(
      'quickstart.yaml: workload.rate (line 4): expected a positive number (mode "server" sends requests at workload.rate per second), got nothing (the key is missing)',
    );
    expect(errorOf(base('  mode: concurrency')).issues[0]).toMatchObject({ path: 'workload.concurrency', line: 4 });
  });

  test('a sweep may supply the rate', () => {
    expect(parseConfig(base('  mode: server', 'sweep:\n  workload.rate: [1, 2]'), 'q.yaml').sweep).toEqual({ 'workload.rate': [1, 2] });
  });
});

describe('mode rules', () => {
  test('burst needs burst.size and burst.every, and a rate only if it matches them', () => {
    expect(errorOf(base('  mode: burst')).message).toContain('workload.burst (line 4): expected { size, every }');
    expect(parseConfig(base('  mode: burst\n  burst: { size: 4, every: 100ms }'), 'q.yaml').workload.burst).toEqual({ size: 4, every: 100 });
    expect(parseConfig(base('  mode: burst\n  rate: 40\n  burst: { size: 4, every: 100ms }'), 'q.yaml').workload.rate).toBe(40);
    expect(errorOf(base('  mode: burst\n  rate: 5\n  burst: { size: 4, every: 100ms }')).message).toBe(
      'quickstart.yaml: workload.rate (line 6): expected 40 (burst.size / burst.every, per second) or no rate: mode "burst" derives its rate, got 5',
    );
  });

  test('trace needs a trace file', () => {
    expect(errorOf(base('  mode: trace')).message).toContain('workload.trace (line 4): expected the path of a trace file');
  });

  test('progressive needs a start level (or the rate/concurrency it steps over), factor or step', () => {
    expect(errorOf(base('  mode: progressive')).message).toContain('workload.progressive.start');
    const cfg = parseConfig(base('  mode: progressive\n  concurrency: 2\n  progressive: { stepDuration: 2s }'), 'q.yaml');
    expect(cfg.workload.progressive).toEqual({ maxSteps: 8, stepDuration: 2000 });
    expect(errorOf(base('  mode: progressive\n  progressive: { start: 1, factor: 2, step: 1 }')).message).toContain('expected factor or step, not both');
    expect(errorOf(base('  mode: progressive\n  progressiveOver: concurrency\n  progressive: { start: 1.5 }')).message).toContain(
      'expected a positive integer (the steps go over concurrency), got 1.5',
    );
    expect(errorOf(base('  mode: progressive\n  progressive: { start: 1, factor: 1 }')).message).toContain('expected a number > 1');
  });

  test('an external endpoint needs serving.model, and serving.model needs an endpoint', () => {
    const err = errorOf(base('  mode: concurrency\n  concurrency: 1', 'serving:\n  endpoint: http://127.0.0.1:8000'));
    expect(err.message).toBe(
      'quickstart.yaml: serving.endpoint (line 8): needs serving.model: the name of the model to benchmark on that server',
    );
    const alone = errorOf(base('  mode: concurrency\n  concurrency: 1', 'serving:\n  model: mlp'));
    expect(alone.message).toContain('serving.model (line 8): only applies with serving.endpoint');
    const ok = parseConfig(base('  mode: concurrency\n  concurrency: 1', 'serving:\n  endpoint: http://127.0.0.1:8000\n  model: mlp'), 'q.yaml');
    expect(ok.serving).toMatchObject({ endpoint: 'http://127.0.0.1:8000', model: 'mlp', executionProvider: 'cpu' });
  });

  test('keys of other modes are ignored, so a sweep over the mode can share them', () => {
    const cfg = parseConfig(base('  mode: server\n  rate: 5\n  samples: 32', 'sweep:\n  workload.mode: [server, offline]'), 'q.yaml');
    expect(cfg.workload.samples).toBe(32);
  });

  test('every mode is supported', () => {
    expect(parseConfig(base('  mode: server\n  rate: 5', 'sweep:\n  workload.mode: [server, constant]'), 'q.yaml').sweep).toEqual({
      'workload.mode': ['server', 'constant'],
    });
  });
});

describe('YAML syntax errors', () => {
  test('report the line and yaml\'s reason', () => {
    const err = errorOf('name: x\nworkload:\n  mode: server\n rate: 5\n');
    expect(err.issues).toEqual([{ path: '', line: 4, message: 'YAML syntax error: All mapping items must start at the same column' }]);
    expect(err.message).toBe('quickstart.yaml: line 4: YAML syntax error: All mapping items must start at the same column');
    expect(errorOf('name: x\nworkload:\n\tmode: server\n').message).toMatch(/^quickstart\.yaml: line 3: YAML syntax error: Tabs/);
  });

  test('duplicate keys are an error', () => {
    expect(errorOf('name: a\nname: b\n').message).toMatch(/line 2: YAML syntax error: Map keys must be unique/);
  });

  test('an empty document or a non-mapping', () => {
    expect(errorOf('').message).toBe('quickstart.yaml: line 1: expected a mapping of config keys (name, model, workload, ...), got an empty document');
    expect(errorOf('- a\n- b\n').message).toContain('got a list ["a","b"]');
  });
});

describe('sweep errors', () => {
  const sweep = (lines: string) => base('  mode: server\n  rate: 5', `sweep:\n${lines}`);

  test('a sweep key that is not a config path gets a did-you-mean on its line', () => {
    const err = errorOf(sweep('  workload.rate: [1]\n  workload.rte: [100, 200]'));
    expect(err.message).toBe('quickstart.yaml: sweep.workload.rte (line 9): "workload.rte" is not a config path; did you mean "workload.rate"?');
  });

  test('a bare leaf name suggests its full path', () => {
    expect(errorOf(sweep('  maxBatchSize: [1, 8]')).message).toContain('did you mean "serving.batching.maxBatchSize"?');
  });

  test('overlapping sweep keys are rejected', () => {
    expect(errorOf(sweep('  serving.batching: [{ maxBatchSize: 2 }]\n  serving.batching.maxBatchSize: [4]')).message).toContain(
      'sweep.serving.batching.maxBatchSize (line 9): "serving.batching.maxBatchSize" overlaps sweep key "serving.batching"',
    );
  });

  test('a bad sweep value is reported at its index and line', () => {
    const err = errorOf(sweep('  workload.rate:\n    - 100\n    - 200\n    - fast'));
    expect(err.message).toBe('quickstart.yaml: sweep.workload.rate[2] (line 11): expected a positive number, got "fast"');
  });

  test('bad values in a flow list, and inside swept objects', () => {
    const err = errorOf(sweep('  workload.rate: [100, -1]\n  serving.batching: [{ maxBatchSize: 2 }, { maxBatchSiz: 3 }]'));
    expect(err.message.split('\n')).toEqual([
      'quickstart.yaml: sweep.workload.rate[1] (line 8): expected a positive number, got -1',
      'quickstart.yaml: sweep.serving.batching[1].maxBatchSize (line 9): expected a positive integer, got nothing (the key is missing)',
      'quickstart.yaml: sweep.serving.batching[1].maxBatchSiz (line 9): unknown key; did you mean "maxBatchSize"?',
    ]);
  });

  test('an issue only some combinations have says which', () => {
    const err = errorOf(base('  mode: concurrency\n  concurrency: 2', 'sweep:\n  workload.mode: [concurrency, server]\n  workload.batchSize: [1, 2]'));
    expect(err.message).toBe(
      'quickstart.yaml: workload.rate (line 4): expected a positive number (mode "server" sends requests at workload.rate per second), got nothing (the key is missing), in the 2 sweep jobs with workload.mode = "server"',
    );
  });

  test('an empty sweep list', () => {
    expect(errorOf(sweep('  workload.rate: []')).message).toBe(
      'quickstart.yaml: sweep.workload.rate (line 8): expected a non-empty list of values, got an empty list',
    );
  });

  test('field and sweep errors are reported together', () => {
    const err = errorOf(base('  mode: server\n  duration: 0s', 'sweep:\n  workload.rate: [1, fast]'));
    expect(err.issues.map((i) => i.path)).toEqual(['workload.duration', 'sweep.workload.rate[1]']);
  });
});

describe('files', () => {
  test('a missing file is a ConfigError naming the file', () => {
    const file = join(__dirname, 'no-such-config.yaml');
    expect(() => loadConfig(file)).toThrow(ConfigError);
    expect(() => loadConfig(file)).toThrow(`${file}: file not found`);
  });
});

describe('expandAndValidate', () => {
  test('rejects a bad value in a programmatic config, without line numbers', () => {
    const cfg = parseConfig(base('  mode: server\n  rate: 5'), 'q.yaml');
    const bad: Config = { ...cfg, sweep: { 'workload.rate': [1, 'fast'] } };
    expect(() => expandAndValidate(bad, 'cli')).toThrow('cli: sweep.workload.rate[1]: expected a positive number, got "fast"');
  });
});
