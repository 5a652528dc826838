import { onnx } from 'onnx-proto';
import { buildTransformerModel, readModelInfo, transformerSpecProblems, type TransformerSpec } from '../../activities/compile';

const spec = (over: Partial<TransformerSpec> = {}): TransformerSpec => ({
  family: 'transformer', seqLen: 8, hidden: 32, heads: 4, layers: 2, dtype: 'float32', seed: 1, ...over,
});
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('buildTransformerModel', () => {
  test('deterministic from the seed', () => {
    expect(same(buildTransformerModel(spec()).bytes, buildTransformerModel(spec()).bytes)).toBe(true);
    expect(same(buildTransformerModel(spec()).bytes, buildTransformerModel(spec({ seed: 9 })).bytes)).toBe(false);
  });

  test('parameters: per block 2 LayerNorms, 4 projections and the FFN; then final LayerNorm and head', () => {
    const [d, f, L, o] = [32, 128, 2, 10];
    const block = 2 * 2 * d + 4 * (d * d + d) + (d * f + f) + (f * d + d);
    expect(buildTransformerModel(spec()).parameters).toBe(L * block + 2 * d + d * o + o);
    expect(buildTransformerModel(spec({ ffn: 48, outputSize: 3 })).parameters).toBe(L * (2 * 2 * d + 4 * (d * d + d) + 2 * d * 48 + 48 + d) + 2 * d + d * 3 + 3);
  });

  test('FLOPs: projections, QK^T, attention x V, FFN, head', () => {
    const [s, d, f, L, o] = [8, 32, 128, 2, 10];
    expect(buildTransformerModel(spec()).flops).toBe(2 * (L * (4 * s * d * d + 2 * s * s * d + 2 * s * d * f) + d * o));
  });

  test('readModelInfo sees the same parameters and FLOPs (shape constants are not parameters)', () => {
    for (const s of [spec(), spec({ seqLen: 5, hidden: 24, heads: 3, layers: 1, ffn: 40, outputSize: 2 })]) {
      const m = buildTransformerModel(s);
      const info = readModelInfo(m.bytes);
      expect(info.parameters).toBe(m.parameters);
      expect(info.flops).toBe(m.flops);
      expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, s.seqLen, s.hidden] }]);
      expect(info.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [-1, s.outputSize ?? 10] }]);
    }
  });

  test('float16: FLOAT16 weights and constants, FP16 input/output', () => {
    const m = buildTransformerModel(spec({ dtype: 'float16' }));
    const info = readModelInfo(m.bytes);
    expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP16', shape: [-1, 8, 32] }]);
    expect(info.outputs[0].datatype).toBe('FP16');
    expect(info.flops).toBe(m.flops);
    const graph = onnx.ModelProto.decode(m.bytes).graph!;
    expect((graph.initializer ?? []).every((t) => t.dataType === onnx.TensorProto.DataType.FLOAT16)).toBe(true);
    const scale = (graph.node ?? []).find((n) => n.output?.[0] === 'attn_scale')!;
    expect(scale.attribute?.[0].t?.dataType).toBe(onnx.TensorProto.DataType.FLOAT16);
  });

  test('invalid specs are rejected with a reason', () => {
    expect(transformerSpecProblems(spec({ heads: 5 }))).toEqual(['heads must divide hidden (got hidden 32, heads 5)']);
    expect(transformerSpecProblems(spec({ seqLen: 0 }))).toEqual([expect.stringContaining('seqLen must be an integer >= 1')]);
    expect(transformerSpecProblems(spec({ ffn: 2.5 }))).toEqual([expect.stringContaining('ffn')]);
    expect(transformerSpecProblems(spec({ hidden: 2 ** 16, ffn: 2 ** 16 }))).toEqual([expect.stringContaining('model too large')]);
    expect(() => buildTransformerModel(spec({ heads: 0 }))).toThrow(/heads/);
  });
});
