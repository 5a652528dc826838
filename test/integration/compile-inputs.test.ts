/**
 * The compile's smoke run feeds what the load generator will send (model.inputs, workload.batchSize), not
 * zeros with every dynamic dim at 1: a real onnxruntime session on a model that needs a sequence of at least 3.
 */
import { ApplicationFailure } from '@temporalio/common';
import * as fs from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { compileModel } from '../../activities/compile/compile';

/** y = x[:, 2] (Gather along the sequence): onnxruntime fails when the sequence is shorter than 3. */
function needsSequence3(): Uint8Array {
  const dyn = (p: string) => ({ dimParam: p });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'seq3',
        node: [{ opType: 'Gather', input: ['x', 'two'], output: ['y'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] }],
        initializer: [{ name: 'two', dataType: onnx.TensorProto.DataType.INT64, dims: [], int64Data: [2] }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [dyn('batch'), dyn('seq')] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [dyn('batch')] } } } }],
      },
    }),
  ).finish();
}

let tmp: string;
let file: string;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'compile-inputs-'));
  file = path.join(tmp, 'seq3.onnx');
  await fs.writeFile(file, needsSequence3());
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

test('a model that needs a sequence of 3 compiles when model.inputs gives one', async () => {
  const art = await compileModel(
    { model: { path: file }, graphOptimization: 'all', feed: { inputs: { x: { shape: [-1, 8] } }, batchSize: 2, seed: 1 } },
    { cacheDir: path.join(tmp, 'ok') },
  );
  expect(art.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, -1] }]);
});

test('the smoke run names the shapes it fed when the model refuses them, and the key that is missing', async () => {
  const short = await compileModel(
    { model: { path: file }, graphOptimization: 'all', feed: { inputs: { x: { shape: [-1, 2] } }, batchSize: 1, seed: 1 } },
    { cacheDir: path.join(tmp, 'short') },
  ).catch((e: unknown) => e);
  expect(short).toBeInstanceOf(ApplicationFailure);
  expect((short as ApplicationFailure).type).toBe('InvalidModel');
  expect((short as ApplicationFailure).message).toMatch(/smoke run \(x \[1, 2\]\) failed: .*indices element out of data bounds/);

  const unset = await compileModel({ model: { path: file }, graphOptimization: 'all' }, { cacheDir: path.join(tmp, 'unset') }).catch((e: unknown) => e);
  expect((unset as ApplicationFailure).type).toBe('InvalidModel');
  expect((unset as ApplicationFailure).message).toMatch(/model\.inputs\.x\.shape: expected a shape for input "x"/);
});
