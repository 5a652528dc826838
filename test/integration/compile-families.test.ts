/**
 * Every generated family in both dtypes through the real compile step (onnxruntime-node CPU): the artifact
 * runs at batch 3 with the right output shape and finite outputs. float16 models run on CPU because
 * onnxruntime wraps ops that lack fp16 CPU kernels in Casts to float32 (and saves them in the artifact).
 */
import { ApplicationFailure } from '@temporalio/common';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { compileModel, type GenerateSpec } from '../../activities/compile';

const FAMILIES: GenerateSpec[] = [
  { family: 'mlp', layers: 2, hidden: 32, inputShape: [4, 4], dtype: 'float32', seed: 1 },
  { family: 'cnn', inputShape: [3, 16, 16], layers: 3, channels: 8, stages: 2, outputSize: 5, dtype: 'float32', seed: 1 },
  { family: 'transformer', seqLen: 8, hidden: 32, heads: 4, layers: 2, outputSize: 6, dtype: 'float32', seed: 1 },
];
const CASES = FAMILIES.flatMap((s) => (['float32', 'float16'] as const).map((dtype) => ({ ...s, dtype }) as GenerateSpec));

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'servebench-families-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A float16 is finite unless its exponent bits are all ones. */
const finite = (t: Tensor): boolean =>
  t.type === 'float16'
    ? Array.from(t.data as Uint16Array).every((h) => (h & 0x7c00) !== 0x7c00)
    : Array.from(t.data as Float32Array).every(Number.isFinite);

test.each(CASES.map((s) => [`${s.family} ${s.dtype}`, s] as const))('%s compiles and runs at batch 3', async (_, spec) => {
  const art = await compileModel({ model: { generate: spec }, graphOptimization: 'all' }, { cacheDir: tmp });
  const fp16 = spec.dtype === 'float16';
  const input = art.inputs[0];
  expect(input.datatype).toBe(fp16 ? 'FP16' : 'FP32');
  expect(art.outputs).toEqual([{ name: 'output', datatype: input.datatype, shape: [-1, spec.outputSize ?? 10] }]);
  expect(art.parameters).toBeGreaterThan(0);
  expect(art.flops).toBeGreaterThan(0);

  const dims = [3, ...input.shape.slice(1)];
  const n = dims.reduce((a, b) => a * b, 1);
  // Distinct rows (0.25, 0.5, 0.75), so a batch mix-up would not go unnoticed as identical outputs.
  const row = n / 3;
  const x = fp16
    ? new Tensor('float16', Uint16Array.from({ length: n }, (_, i) => [0x3400, 0x3800, 0x3a00][Math.floor(i / row)]), dims)
    : new Tensor('float32', Float32Array.from({ length: n }, (_, i) => 0.25 * (1 + Math.floor(i / row))), dims);
  const session = await InferenceSession.create(art.path);
  try {
    const out = (await session.run({ [input.name]: x })).output;
    expect(out.dims).toEqual([3, spec.outputSize ?? 10]);
    expect(out.type).toBe(fp16 ? 'float16' : 'float32');
    expect(finite(out)).toBe(true);
  } finally {
    await session.release();
  }
});

test('float16 halves the source model and keeps the parameter and FLOPs counts', async () => {
  const spec = FAMILIES[2];
  const [f32, f16] = await Promise.all(
    (['float32', 'float16'] as const).map((dtype) => compileModel({ model: { generate: { ...spec, dtype } as GenerateSpec }, graphOptimization: 'disabled' }, { cacheDir: tmp })),
  );
  expect(f16.sourceBytes).toBeLessThan(f32.sourceBytes * 0.6);
  expect([f16.parameters, f16.flops]).toEqual([f32.parameters, f32.flops]);
  expect(f16.modelName).toBe('transformer_l2_h32_a4_s8_fp16');
});

test('a family constraint is a non-retryable InvalidModel', async () => {
  const spec: GenerateSpec = { family: 'transformer', seqLen: 4, hidden: 30, heads: 4, layers: 1, dtype: 'float32', seed: 1 };
  const err = await compileModel({ model: { generate: spec }, graphOptimization: 'all' }, { cacheDir: tmp }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ nonRetryable: true, type: 'InvalidModel', message: 'model.generate: heads must divide hidden (got hidden 30, heads 4)' });
});
