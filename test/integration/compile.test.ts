/**
 * The compile step against the real onnxruntime-node (CPU) and a real temp filesystem.
 */
import { ApplicationFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { buildMlpModel, compileModel, type CompileSpec, type MlpSpec } from '../../activities/compile';
import { findCompiled } from '../../activities/compile/compile';

const mlp: MlpSpec = { family: 'mlp', layers: 2, hidden: 32, inputShape: [16], dtype: 'float32', seed: 1 };
const generated = (over: Partial<CompileSpec> = {}): CompileSpec => ({ model: { generate: mlp }, graphOptimization: 'all', ...over });

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'servebench-compile-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function invalidModelFailure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.nonRetryable).toBe(true);
  expect(failure.type).toBe('InvalidModel');
  return failure;
}

test('compiles a generated MLP, caches it by content, and the artifact runs', async () => {
  const cacheDir = path.join(tmp, 'cache');
  const first = await compileModel(generated(), { cacheDir });
  expect(first).toMatchObject({
    cached: false,
    modelName: 'mlp_l2_h32',
    parameters: 16 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10,
    flops: 2 * (16 * 32 + 32 * 32 + 32 * 10),
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 16] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 10] }],
  });
  expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(first.path).toBe(path.join(cacheDir, first.hash, 'model.onnx'));
  expect((await fs.stat(first.path)).size).toBe(first.bytes);
  expect(existsSync(path.join(cacheDir, first.hash, 'meta.json'))).toBe(true);
  expect(first.compileSeconds).toBeGreaterThan(0);

  const again = await compileModel(generated(), { cacheDir });
  expect(again).toEqual({ ...first, cached: true });

  const basic = await compileModel(generated({ graphOptimization: 'basic' }), { cacheDir });
  expect(basic.hash).not.toBe(first.hash);
  expect(basic.cached).toBe(false);
  // Only finished artifacts are visible: no staging dirs left behind (by-spec is the index of generated models).
  expect((await fs.readdir(cacheDir)).sort()).toEqual([first.hash, basic.hash, 'by-spec'].sort());
  expect((await fs.readdir(path.join(cacheDir, 'by-spec'))).filter((f) => f.startsWith('.'))).toEqual([]);

  const session = await InferenceSession.create(first.path);
  const out = await session.run({ input: new Tensor('float32', new Float32Array(3 * 16).fill(0.5), [3, 16]) });
  expect(out.output.dims).toEqual([3, 10]);
  expect(Array.from(out.output.data as Float32Array).every(Number.isFinite)).toBe(true);
  await session.release();
});

test('concurrent compiles of the same model publish one artifact', async () => {
  const cacheDir = path.join(tmp, 'cache');
  const results = await Promise.all([1, 2, 3].map(() => compileModel(generated(), { cacheDir })));
  expect(new Set(results.map((r) => r.hash)).size).toBe(1);
  // One compile published; the others got its artifact.
  expect(results.filter((r) => !r.cached)).toHaveLength(1);
  expect((await fs.readdir(cacheDir)).filter((f) => f !== 'by-spec')).toEqual([results[0].hash]);
});

test('a generated model is found by its spec: no generating, no compiling', async () => {
  const cacheDir = path.join(tmp, 'cache');
  expect(await findCompiled(generated(), { cacheDir })).toBeNull();
  const first = await compileModel(generated(), { cacheDir });
  // The same spec with its keys in another order is the same model.
  const reordered = generated();
  reordered.model.generate = Object.fromEntries(Object.entries(reordered.model.generate!).reverse()) as typeof reordered.model.generate;
  expect(await findCompiled(reordered, { cacheDir })).toEqual({ ...first, cached: true });
  expect(await findCompiled(generated({ graphOptimization: 'basic' }), { cacheDir })).toBeNull();
});

test('a damaged cache entry is rebuilt, not served', async () => {
  const cacheDir = path.join(tmp, 'cache');
  const first = await compileModel(generated(), { cacheDir });
  await fs.rm(path.join(cacheDir, first.hash, 'meta.json'));
  const rebuilt = await compileModel(generated(), { cacheDir });
  expect(rebuilt).toMatchObject({ hash: first.hash, cached: false });
  expect(existsSync(path.join(cacheDir, first.hash, 'meta.json'))).toBe(true);
});

test('a model file is measured with readModelInfo, and a relative path resolves against configDir', async () => {
  const m = buildMlpModel({ ...mlp, inputShape: [1, 4, 4] });
  await fs.writeFile(path.join(tmp, 'tiny.onnx'), m.bytes);
  const art = await compileModel({ model: { path: 'tiny.onnx' }, graphOptimization: 'extended' }, { cacheDir: path.join(tmp, 'cache'), configDir: tmp });
  expect(art).toMatchObject({ modelName: 'tiny', parameters: m.parameters, flops: m.flops, sourceBytes: m.bytes.byteLength });
  expect(art.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 1, 4, 4] }]);
});

test('a file that is not an ONNX model is a non-retryable InvalidModel naming the file', async () => {
  const file = path.join(tmp, 'garbage.onnx');
  await fs.writeFile(file, 'this is not a model, just some text\n');
  const failure = await invalidModelFailure(compileModel({ model: { path: file }, graphOptimization: 'all' }, { cacheDir: tmp }));
  expect(failure.message).toContain(file);
  expect(failure.message).toMatch(/not an ONNX model/);
});

test('a missing file is a non-retryable InvalidModel naming the file', async () => {
  const file = path.join(tmp, 'nope', 'missing.onnx');
  const failure = await invalidModelFailure(compileModel({ model: { path: file }, graphOptimization: 'all' }, { cacheDir: tmp }));
  expect(failure.message).toBe(`model.path: file not found: ${file}`);
});

test('a model onnxruntime rejects is a non-retryable InvalidModel with its reason', async () => {
  // Decodes fine as ONNX, but the Gemm reads a tensor nothing produces.
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: 'broken',
      node: [{ opType: 'Gemm', input: ['x', 'w_missing'], output: ['y'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
    },
  });
  const file = path.join(tmp, 'broken.onnx');
  await fs.writeFile(file, onnx.ModelProto.encode(model).finish());
  const failure = await invalidModelFailure(compileModel({ model: { path: file }, graphOptimization: 'all' }, { cacheDir: tmp }));
  expect(failure.message).toContain(file);
  expect(failure.message).toMatch(/onnxruntime rejected the model: .*w_missing/);
  expect((await fs.readdir(tmp)).filter((f) => f.startsWith('.tmp'))).toEqual([]);
});

test('invalid specs are non-retryable InvalidModel failures', async () => {
  const opts = { cacheDir: tmp };
  expect((await invalidModelFailure(compileModel({ model: { generate: { ...mlp, layers: 0 } }, graphOptimization: 'all' }, opts))).message)
    .toMatch(/^model\.generate: layers must be an integer >= 1/);
  expect((await invalidModelFailure(compileModel({ model: {}, graphOptimization: 'all' }, opts))).message).toMatch(/exactly one/);
  await invalidModelFailure(compileModel({ model: { generate: mlp }, graphOptimization: 'max' as CompileSpec['graphOptimization'] }, opts));
});
