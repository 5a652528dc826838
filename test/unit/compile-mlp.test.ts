import { createHash } from 'node:crypto';
import { onnx } from 'onnx-proto';
import { buildMlpModel, mlpSpecProblems, NotOnnxModelError, readModelInfo, type MlpSpec } from '../../activities/compile';

const spec = (over: Partial<MlpSpec> = {}): MlpSpec => ({
  family: 'mlp', layers: 3, hidden: 64, inputShape: [256], dtype: 'float32', seed: 1, ...over,
});

describe('buildMlpModel', () => {
  test('same spec gives byte-identical models', () => {
    expect(Buffer.from(buildMlpModel(spec()).bytes).equals(Buffer.from(buildMlpModel(spec()).bytes))).toBe(true);
  });

  test('a different seed gives different bytes', () => {
    expect(Buffer.from(buildMlpModel(spec()).bytes).equals(Buffer.from(buildMlpModel(spec({ seed: 2 })).bytes))).toBe(false);
  });

  test('bytes are pinned across machines (a change re-keys every cached artifact)', () => {
    const sha = createHash('sha256').update(buildMlpModel(spec({ layers: 2, hidden: 16, inputShape: [8] })).bytes).digest('hex');
    expect(sha).toBe('f1232439fbdef0b529f07bb52e14e34bc0394ab249d2ed1cf3e65913803cb58b');
  });

  test('parameter count and FLOPs follow the layer widths', () => {
    const [d, h, L, o] = [256, 64, 3, 10];
    const m = buildMlpModel(spec());
    expect(m.parameters).toBe(d * h + h + (L - 1) * (h * h + h) + h * o + o);
    expect(m.flops).toBe(2 * (d * h + (L - 1) * h * h + h * o));
  });

  test('multi-dim input is flattened and outputSize is honoured', () => {
    const m = buildMlpModel(spec({ inputShape: [1, 28, 28], layers: 1, hidden: 32, outputSize: 5 }));
    expect(m.parameters).toBe(784 * 32 + 32 + 32 * 5 + 5);
    const info = readModelInfo(m.bytes);
    expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 1, 28, 28] }]);
    expect(info.outputs[0].shape).toEqual([-1, 5]);
    expect(info.flops).toBe(m.flops);
  });

  test('weights are finite and within 1/sqrt(fan_in)', () => {
    const model = onnx.ModelProto.decode(buildMlpModel(spec()).bytes);
    for (const t of model.graph?.initializer ?? []) {
      const fanIn = t.name?.startsWith('fc0.') ? 256 : 64;
      const raw = t.rawData ?? new Uint8Array(0);
      const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect(values.length).toBeGreaterThan(0);
      const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(Number.isFinite(maxAbs) && maxAbs <= 1 / Math.sqrt(fanIn)).toBe(true);
    }
  });

  test('invalid specs are rejected with a reason', () => {
    expect(mlpSpecProblems(spec({ layers: 0 }))).toEqual([expect.stringContaining('layers must be an integer >= 1')]);
    expect(mlpSpecProblems(spec({ inputShape: [] }))).toEqual([expect.stringContaining('inputShape')]);
    expect(mlpSpecProblems(spec({ seed: 1.5 }))).toEqual([expect.stringContaining('seed')]);
    expect(() => buildMlpModel(spec({ hidden: -1 }))).toThrow(/hidden/);
  });
});

describe('readModelInfo', () => {
  test('round-trips the generated model', () => {
    const m = buildMlpModel(spec());
    const info = readModelInfo(m.bytes);
    expect(info.graphName).toBe('mlp_l3_h64');
    expect(info.irVersion).toBe(8);
    expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 256] }]);
    expect(info.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [-1, 10] }]);
    expect(info.parameters).toBe(m.parameters);
    expect(info.flops).toBe(m.flops);
  });

  test('rejects bytes that are not an ONNX model', () => {
    expect(() => readModelInfo(new TextEncoder().encode('definitely not a model\n'))).toThrow(NotOnnxModelError);
    expect(() => readModelInfo(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });

  test('FLOPs are null when a matrix product has unknown shapes', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ version: 17 }],
      graph: {
        name: 'g',
        node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['y'] }],
        input: ['a', 'b'].map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
        output: [{ name: 'y', type: { tensorType: { elemType: 7 } } }],
      },
    });
    const info = readModelInfo(onnx.ModelProto.encode(model).finish());
    expect(info.flops).toBeNull();
    expect(info.outputs).toEqual([{ name: 'y', datatype: 'INT64', shape: [] }]);
  });
});
