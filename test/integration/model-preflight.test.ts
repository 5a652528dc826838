/**
 * Model files are checked before anything starts: `servebench validate` and `servebench run` refuse a missing
 * file, a text file named .onnx, a truncated model and inputs the model cannot take, with exit code 2, the
 * YAML path and line, the file and why. The built CLI in a child process, real files (a third-party model
 * from models/third-party/, fetched by npm run setup).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onnx } from 'onnx-proto';
import { inspectModelFile } from '../../activities/compile/preflight';
import { servebench } from '../support/cli';

const SILERO = resolve(__dirname, '..', '..', 'models', 'third-party', 'silero_vad_16k_op15.onnx');

function workspace(model: string, inputs = '', workload = 'workload: { mode: concurrency, concurrency: 1 }'): { file: string; home: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-preflight-'));
  const file = join(dir, 'cfg.yaml');
  writeFileSync(file, `name: pf\nmodel:\n  path: ${model}\n${inputs}${workload}\n`);
  return { file, home: join(dir, '.servebench'), dir };
}

beforeAll(() => {
  if (!existsSync(SILERO)) throw new Error(`${SILERO} is missing: run npm run setup (it fetches the third-party models)`);
});

describe.each(['validate', 'run'])('servebench %s refuses a bad model file with exit 2, starting nothing', (command) => {
  test('a text file named .onnx', async () => {
    const { file, home, dir } = workspace('text.onnx');
    writeFileSync(join(dir, 'text.onnx'), 'this is not a model\n');
    const r = await servebench([command, file], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: model.path (line 3): expected an ONNX model file, got "${join(dir, 'text.onnx')}": not an ONNX model`);
    expect(existsSync(home)).toBe(false); // no Temporal, no results file: nothing started
  });

  test('a truncated model', async () => {
    const { file, home, dir } = workspace('cut.onnx');
    const bytes = readFileSync(SILERO);
    writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = await servebench([command, file], { SERVEBENCH_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`model\\.path \\(line 3\\): expected an ONNX model file, got ".*cut\\.onnx": not an ONNX model \\(truncated, or not ONNX at all\\)`));
    expect(existsSync(home)).toBe(false);
  });
});

test('validate names a missing file, and inputs the model cannot take, at their lines', async () => {
  const missing = workspace('nowhere.onnx');
  const r1 = await servebench(['validate', missing.file], { SERVEBENCH_HOME: missing.home });
  expect(r1.code).toBe(2);
  expect(r1.stderr).toContain(`model.path (line 3): expected an ONNX model file, got "${join(missing.dir, 'nowhere.onnx')}": file not found`);

  const noShape = workspace(SILERO);
  const r2 = await servebench(['validate', noShape.file], { SERVEBENCH_HOME: noShape.home });
  expect(r2.code).toBe(2);
  expect(r2.stderr).toContain('model.inputs.input.shape (line 2): expected a shape for input "input": dimension 1 of [-1, -1] is dynamic');

  const wrong = workspace(SILERO, '  inputs:\n    input: { shape: [1, 512] }\n    sr: { value: true }\n', 'workload: { mode: concurrency, concurrency: 1 }\nsweep:\n  model.inputs.input.shape: [[1, 512], [1, 512, 1]]');
  const r3 = await servebench(['validate', wrong.file], { SERVEBENCH_HOME: wrong.home });
  expect(r3.code).toBe(2);
  expect(r3.stderr).toContain('model.inputs.sr.value (line 6): expected an integer');
  expect(r3.stderr).toContain("sweep.model.inputs.input.shape[1] (line 9): expected 2 dimensions like the model's [-1, -1] (-1: dynamic), got [1, 512, 1]");

  const good = workspace(SILERO, '  inputs:\n    input: { shape: [1, 512] }\n    sr: { value: 16000 }\n');
  const r4 = await servebench(['validate', good.file], { SERVEBENCH_HOME: good.home });
  expect(r4.stderr).toBe('');
  expect(r4.code).toBe(0);
});

test('every cut of a real model is refused, and the whole model accepted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-cuts-'));
  const bytes = readFileSync(SILERO);
  expect(inspectModelFile(SILERO)).toHaveProperty('info');
  const accepted: number[] = [];
  for (let cut = 1; cut < bytes.length; cut += 997) {
    const file = join(dir, `cut.onnx`);
    writeFileSync(file, bytes.subarray(0, cut));
    if (!('problem' in inspectModelFile(file))) accepted.push(cut);
  }
  // Cut right after the graph (protobuf then decodes cleanly): caught by the whole-model checks.
  writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, bytes.length - 4));
  expect(inspectModelFile(join(dir, 'cut.onnx'))).toEqual({ problem: 'not a whole ONNX model: it has no opset_import (the file looks truncated)' });
  expect(accepted).toEqual([]);
  expect(readdirSync(dir)).toEqual(['cut.onnx']);
});

test('a model past 2 GiB, and one whose external data is missing, are refused saying what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-size-'));
  const huge = join(dir, 'huge.onnx');
  writeFileSync(huge, '');
  truncateSync(huge, 2 ** 31 + 10); // sparse: no disk used
  expect(inspectModelFile(huge)).toEqual({ problem: expect.stringMatching(/^2147483658 bytes is past ONNX's 2 GiB single-file limit \(protobuf\); save the weights as external data/) });

  // A MatMul whose weight lives in weights.bin, as onnx.save(..., save_as_external_data=True) writes it.
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const graph = {
    name: 'ext',
    node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
    input: [vi('x', [1, 2])],
    output: [vi('y', [1, 2])],
    initializer: [{ name: 'w', dims: [2, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] }],
  };
  const file = join(dir, 'ext.onnx');
  writeFileSync(file, onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish());
  expect(inspectModelFile(file)).toEqual({ problem: `its external data file "weights.bin" is missing (expected next to the model: ${join(dir, 'weights.bin')})` });
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(16));
  expect(inspectModelFile(file)).toHaveProperty('info.inputs', [{ name: 'x', datatype: 'FP32', shape: [1, 2] }]);
});
