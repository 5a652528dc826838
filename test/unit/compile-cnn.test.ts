import { onnx } from 'onnx-proto';
import { buildCnnModel, cnnSpecProblems, generateSpecProblems, readModelInfo, type CnnSpec } from '../../activities/compile';

const spec = (over: Partial<CnnSpec> = {}): CnnSpec => ({
  family: 'cnn', inputShape: [3, 16, 16], layers: 2, channels: 8, dtype: 'float32', seed: 1, ...over,
});
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('buildCnnModel', () => {
  test('deterministic from the seed', () => {
    expect(same(buildCnnModel(spec()).bytes, buildCnnModel(spec()).bytes)).toBe(true);
    expect(same(buildCnnModel(spec()).bytes, buildCnnModel(spec({ seed: 2 })).bytes)).toBe(false);
  });

  test('one stage: parameters and FLOPs follow the conv shapes', () => {
    const [C, H, W, c, L, o] = [3, 16, 16, 8, 2, 10];
    const m = buildCnnModel(spec());
    const block = 2 * (c * c * 9 + c);
    expect(m.parameters).toBe(C * c * 9 + c + L * block + c * o + o);
    expect(m.flops).toBe(2 * (H * W * c * C * 9 + L * 2 * H * W * c * c * 9 + c * o));
  });

  test('stages downsample by 2 and double the channels, with a 1x1 projection on the skip', () => {
    // 3 blocks over 2 stages: stage 0 gets 2 blocks at 8 channels, 16x16; stage 1 one block at 16 channels, 8x8.
    const m = buildCnnModel(spec({ layers: 3, stages: 2 }));
    const stem = { p: 3 * 8 * 9 + 8, macs: 16 * 16 * 8 * 3 * 9 };
    const s0 = { p: 2 * 2 * (8 * 8 * 9 + 8), macs: 2 * 2 * 16 * 16 * 8 * 8 * 9 };
    const s1 = { p: 8 * 16 * 9 + 16 + 16 * 16 * 9 + 16 + 8 * 16 + 16, macs: 8 * 8 * 16 * (8 * 9 + 16 * 9 + 8) };
    const head = { p: 16 * 10 + 10, macs: 16 * 10 };
    expect(m.parameters).toBe(stem.p + s0.p + s1.p + head.p);
    expect(m.flops).toBe(2 * (stem.macs + s0.macs + s1.macs + head.macs));
  });

  test('readModelInfo sees the same parameters and FLOPs, and the image input', () => {
    for (const s of [spec(), spec({ layers: 5, stages: 3, inputShape: [1, 15, 9], outputSize: 4 })]) {
      const m = buildCnnModel(s);
      const info = readModelInfo(m.bytes);
      expect(info.parameters).toBe(m.parameters);
      expect(info.flops).toBe(m.flops);
      expect(info.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, ...s.inputShape] }]);
      expect(info.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [-1, s.outputSize ?? 10] }]);
    }
  });

  test('float16 stores FLOAT16 weights and FP16 input/output, at half the size', () => {
    const m = buildCnnModel(spec({ dtype: 'float16' }));
    const info = readModelInfo(m.bytes);
    expect(info.inputs[0].datatype).toBe('FP16');
    expect(info.outputs[0].datatype).toBe('FP16');
    expect(info.graphName).toBe('cnn_l2_c8_fp16');
    const inits = onnx.ModelProto.decode(m.bytes).graph?.initializer ?? [];
    expect(inits.every((t) => t.dataType === onnx.TensorProto.DataType.FLOAT16)).toBe(true);
    expect(m.parameters).toBe(buildCnnModel(spec()).parameters);
    expect(m.bytes.byteLength).toBeLessThan(buildCnnModel(spec()).bytes.byteLength * 0.6);
  });

  test('invalid specs are rejected with a reason', () => {
    expect(cnnSpecProblems(spec({ inputShape: [3, 16] }))).toEqual([expect.stringContaining('inputShape must be [channels, height, width]')]);
    expect(cnnSpecProblems(spec({ stages: 3 }))).toEqual([expect.stringContaining('stages must be at most layers')]);
    expect(cnnSpecProblems(spec({ channels: 0 }))).toEqual([expect.stringContaining('channels must be an integer >= 1')]);
    expect(generateSpecProblems({ ...spec(), dtype: 'bfloat16' as 'float16' })).toEqual([expect.stringContaining('dtype')]);
    expect(() => buildCnnModel(spec({ layers: 0 }))).toThrow(/layers/);
  });
});
