import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelPreflight } from '../../activities/compile/preflight';
import { ConfigError, expandAndValidate, loadConfig, parseConfig } from '../../configs/load';

// Line numbers below refer to this layout.
const config = (inputs: string, workload = '') => `name: inputs
model:
  path: m.onnx
  inputs:
${inputs}
workload:
  mode: concurrency
  concurrency: 1
${workload}`;

function issuesOf(text: string): string[] {
  try {
    parseConfig(text, 'c.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('model.inputs and the workload input keys', () => {
  test('are read with their defaults: JSON tensors, a 10 s request timeout', () => {
    const cfg = parseConfig(config('    input_ids: { shape: [-1, 128], range: [0, 30000] }\n    sr: { value: 16000 }', '  tensorFormat: binary\n  requestTimeout: 90s'), 'c.yaml');
    expect(cfg.model.inputs).toEqual({ input_ids: { shape: [-1, 128], range: [0, 30000] }, sr: { value: 16000 } });
    expect(cfg.workload).toMatchObject({ tensorFormat: 'binary', requestTimeout: 90_000 });
    const plain = parseConfig(config('    x: {}'), 'c.yaml');
    expect(plain.workload).toMatchObject({ tensorFormat: 'json', requestTimeout: 10_000 });
  });

  test('bad values name the YAML path and line', () => {
    expect(issuesOf(config('    x: { shape: [1, two], range: [5, 1] }\n    y: { value: 1, data: y.npy, shap: [1] }', '  tensorFormat: protobuf\n  requestTimeout: soon'))).toEqual([
      'c.yaml: model.inputs.x.shape[1] (line 5): expected an integer >= -1, got "two"',
      'c.yaml: model.inputs.x.range (line 5): expected [lo, hi] with lo <= hi, got [5, 1]',
      'c.yaml: model.inputs.y.shap (line 6): unknown key; did you mean "shape"?',
      'c.yaml: model.inputs.y.data (line 6): expected one of range, value or data, got value and data',
      'c.yaml: workload.tensorFormat (line 10): expected one of json | binary, got "protobuf"',
      expect.stringMatching(/^c\.yaml: workload\.requestTimeout \(line 11\): expected a duration like .*, got "soon"$/),
    ]);
  });

  test('model.inputs.<name> paths can be swept; other unknown paths still cannot', () => {
    const cfg = parseConfig(config('    x: { shape: [-1, 8] }', 'sweep:\n  model.inputs.x.shape: [[-1, 8], [-1, 16]]\n  workload.tensorFormat: [json, binary]'), 'c.yaml');
    const jobs = expandAndValidate(cfg);
    expect(jobs.map((j) => [j.config.model.inputs?.x.shape, j.config.workload.tensorFormat])).toEqual([
      [[-1, 8], 'json'], [[-1, 8], 'binary'], [[-1, 16], 'json'], [[-1, 16], 'binary'],
    ]);
    expect(issuesOf(config('    x: {}', 'sweep:\n  model.inputs.x.shapes: [[1]]'))).toEqual([
      expect.stringMatching(/^c\.yaml: sweep\.model\.inputs\.x\.shapes \(line 10\): "model\.inputs\.x\.shapes" is not a config path/),
    ]);
  });

  test('data files (workload.data, model.inputs.<name>.data) are resolved against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-inputs-'));
    try {
      const file = join(dir, 'c.yaml');
      writeFileSync(file, config('    x: { data: data/x.npy }', '  data: data/in.jsonl'));
      const cfg = loadConfig(file);
      expect(cfg.model.inputs?.x.data).toBe(join(dir, 'data/x.npy'));
      expect(cfg.workload.data).toBe(join(dir, 'data/in.jsonl'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model preflight of a generated model', () => {
  test('checks model.inputs against its one input, `input` [batch, ...inputShape], at the YAML lines', () => {
    const text = `name: g
model:
  generate: { family: mlp, layers: 1, hidden: 8, inputShape: [4] }
  inputs:
    inptu: { value: 1 }
    input: { shape: [-1, 5], range: [0, 2] }
workload: { mode: concurrency, concurrency: 1 }
`;
    expect(() => parseConfig(text, 'g.yaml', { checks: modelPreflight() })).toThrow(
      [
        'g.yaml: model.inputs.inptu (line 5): expected the name of a model input (input), got "inptu"',
        "g.yaml: model.inputs.input.shape[1] (line 6): expected 4 (fixed in the model's [-1, 4]), got 5",
      ].join('\n'),
    );
    const fixed = text.replace(/ {4}inptu.*\n/, '').replace('[-1, 5]', '[-1, 4]');
    expect(parseConfig(fixed, 'g.yaml', { checks: modelPreflight() }).model.inputs).toEqual({ input: { shape: [-1, 4], range: [0, 2] } });
  });
});
