/** The FLOPs estimate on hand-written graphs, and the float16 encoding the generators use. */
import { onnx } from 'onnx-proto';
import { estimateFlops } from '../../activities/compile/flops';
import { toHalfBits } from '../../activities/compile/onnx-build';

const T = onnx.TensorProto.DataType;
const vi = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});
const weight = (name: string, dims: number[]): onnx.ITensorProto => ({ name, dims, dataType: T.FLOAT });
const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const str = (name: string, s: string): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });

describe('estimateFlops', () => {
  test('Conv: explicit pads and strides, then auto_pad SAME_UPPER, then a Gemm after pooling', () => {
    const graph: onnx.IGraphProto = {
      input: [vi('x', ['batch', 3, 9, 9])],
      initializer: [weight('w1', [4, 3, 3, 3]), weight('w2', [6, 4, 1, 1]), weight('fc', [2, 6])],
      node: [
        { opType: 'Conv', input: ['x', 'w1'], output: ['c1'], attribute: [ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])] },
        { opType: 'Conv', input: ['c1', 'w2'], output: ['c2'], attribute: [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 2])] },
        { opType: 'GlobalAveragePool', input: ['c2'], output: ['p'] },
        { opType: 'Flatten', input: ['p'], output: ['f'] },
        { opType: 'Gemm', input: ['f', 'fc'], output: ['y'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      ],
    };
    // c1: 9x9 → 5x5 (stride 2, pad 1); c2: 5x5 → 3x3.
    expect(estimateFlops(graph)).toBe(2 * (4 * 3 * 9 * 25 + 6 * 4 * 9 + 6 * 2));
  });

  test('batched MatMul of two activations through Reshape and Transpose', () => {
    const shape: onnx.ITensorProto = { name: 's', dims: [4], dataType: T.INT64, int64Data: [0, 5, 2, 4] };
    const graph: onnx.IGraphProto = {
      input: [vi('x', ['batch', 5, 8])],
      node: [
        { opType: 'Constant', output: ['shape'], attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: shape }] },
        { opType: 'Reshape', input: ['x', 'shape'], output: ['r'] },
        { opType: 'Transpose', input: ['r'], output: ['q'], attribute: [ints('perm', [0, 2, 1, 3])] },
        { opType: 'Transpose', input: ['r'], output: ['k'], attribute: [ints('perm', [0, 2, 3, 1])] },
        { opType: 'MatMul', input: ['q', 'k'], output: ['y'] },
      ],
    };
    // [b, 2, 5, 4] x [b, 2, 4, 5]: 2 heads x 5 x 5 x 4 MACs per sample.
    expect(estimateFlops(graph)).toBe(2 * 2 * 5 * 5 * 4);
  });

  test("null for onnxruntime's NCHWc convs and for convs over unknown spatial dims", () => {
    const conv = (domain: string, dims: (number | string)[]): onnx.IGraphProto => ({
      input: [vi('x', dims)],
      initializer: [weight('w', [4, 3, 3, 3])],
      node: [{ opType: 'Conv', domain, input: ['x', 'w'], output: ['y'] }],
    });
    expect(estimateFlops(conv('com.microsoft.nchwc', ['batch', 3, 8, 8]))).toBeNull();
    expect(estimateFlops(conv('', ['batch', 3, 'h', 'w']))).toBeNull();
    expect(estimateFlops(conv('', ['batch', 3, 8, 8]))).toBe(2 * 4 * 3 * 9 * 36);
  });
});

describe('toHalfBits', () => {
  test.each([
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [1 / 3, 0x3555],
    [65504, 0x7bff], [65520, 0x7c00], [Infinity, 0x7c00], [6e-8, 0x0001], [1e-8, 0x0000], [6.1035156e-5, 0x0400],
    // Ties round to even: 1 + 2^-11 is halfway between 1 and the next half.
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
  ])('%p → %p', (x, bits) => {
    expect(toHalfBits(x)).toBe(bits);
  });

  test('NaN stays NaN', () => {
    expect(toHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalfBits(NaN) & 0x3ff).not.toBe(0);
  });
});
