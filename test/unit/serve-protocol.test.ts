import { concatInputs, splitOutputs } from '../../activities/serve/batch-tensors';
import { BadRequest, encodeInferResponse, parseInferRequest } from '../../activities/serve/infer-protocol';
import { buildModelSpec } from '../../activities/serve/model-spec';
import { decodeData, encodeData, fromHalf, toHalf } from '../../activities/serve/tensor-codec';

const spec = buildModelSpec(
  'm',
  [
    { name: 'x', type: 'float32', shape: ['batch', 2] },
    { name: 'ids', type: 'int64', shape: ['batch', 'len'] },
  ],
  [{ name: 'y', type: 'float32', shape: ['batch', 2] }],
);

const input = (over: Record<string, unknown> = {}) => ({
  inputs: [
    { name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] },
    { name: 'ids', shape: [1, 3], datatype: 'INT64', data: [7, 8, 9] },
  ],
  ...over,
});

describe('tensor codec', () => {
  it('round-trips FP16 through half bits', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, -0]) expect(fromHalf(toHalf(v))).toBe(v);
    expect(toHalf(1 / 3)).toBe(0x3555);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
    expect(fromHalf(toHalf(2.9e-8))).toBe(0); // below half the smallest subnormal
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
  });

  it('flattens nested data and checks the element count', () => {
    expect(Array.from(decodeData('float32', [[1, 2], [3, 4]], 4) as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(() => decodeData('float32', [1, 2, 3], 4)).toThrow('has 3 elements but its shape needs 4');
  });

  it('decodes each datatype and rejects values of the wrong kind', () => {
    expect(decodeData('int64', [1, -2], 2)).toEqual(new BigInt64Array([1n, -2n]));
    expect(decodeData('bool', [true, false, 1], 3)).toEqual(new Uint8Array([1, 0, 1]));
    expect(decodeData('int8', [-3], 1)).toEqual(new Int8Array([-3]));
    expect(() => decodeData('int64', [1.5], 1)).toThrow('not a integer');
    expect(() => decodeData('float32', [1, 'a'], 2)).toThrow('element 1 is "a", not a number');
    expect(() => decodeData('bool', [2], 1)).toThrow('not a boolean');
  });

  it('encodes JSON text, with null for non-finite floats', () => {
    expect(encodeData('float32', new Float32Array([1.5, -2]))).toBe('[1.5,-2]');
    expect(JSON.parse(encodeData('float64', new Float64Array([1, NaN, Infinity])))).toEqual([1, null, null]);
    expect(encodeData('int64', new BigInt64Array([3n, -4n]))).toBe('[3,-4]');
    expect(encodeData('bool', new Uint8Array([1, 0]))).toBe('[true,false]');
    expect(encodeData('float16', new Uint16Array([toHalf(0.5)]))).toBe('[0.5]');
  });
});

describe('infer request parsing', () => {
  it('puts tensors in model input order with batch rows and a merge key', () => {
    const body = input();
    body.inputs.reverse();
    const job = parseInferRequest(body, spec, true);
    expect(job.shapes).toEqual([[1, 2], [1, 3]]);
    expect(job.data[0]).toEqual(new Float32Array([1, 2]));
    expect(job.rows).toBe(1);
    expect(job.key).toBe('2;3');
    expect(job.outputs).toBeNull();
  });

  it.each([
    [{ inputs: 3 }, "request needs an 'inputs' array"],
    [{ inputs: [{ name: 'z', shape: [1], datatype: 'FP32', data: [1] }] }, "unknown input 'z' for model 'm'"],
    [input({ id: 5 }), "'id' must be a string"],
    [input({ outputs: [{ name: 'nope' }] }), "unknown output 'nope'"],
    [{ inputs: input().inputs.slice(0, 1) }, "missing input 'ids'"],
    [{ inputs: [{ ...input().inputs[0], shape: [1, 3] }, input().inputs[1]] }, "input 'x' has shape [1,3] but model expects [-1,2]"],
    [{ inputs: [{ ...input().inputs[0], datatype: 'FP64' }, input().inputs[1]] }, "input 'x' has datatype FP64 but model expects FP32"],
    [{ inputs: [{ ...input().inputs[0], data: [1] }, input().inputs[1]] }, "input 'x' has 1 elements but its shape needs 2"],
    [{ inputs: [input().inputs[0], { ...input().inputs[1], shape: [2, 1], data: [1, 2] }] }, 'inputs disagree on the batch dim'],
  ])('rejects %j', (body, message) => {
    expect(() => parseInferRequest(body, spec, true)).toThrow(BadRequest);
    expect(() => parseInferRequest(body, spec, true)).toThrow(message);
  });

  it('encodes the response with the id and only the requested outputs', () => {
    const two = buildModelSpec('m', [], [
      { name: 'a', type: 'float32', shape: ['b'] },
      { name: 'b', type: 'int32', shape: ['b'] },
    ]);
    const text = encodeInferResponse(two, 'r1', [[1], [2]], [new Float32Array([0.5]), new Int32Array([3, 4])], [1]);
    expect(JSON.parse(text)).toEqual({
      model_name: 'm',
      model_version: '1',
      id: 'r1',
      outputs: [{ name: 'b', datatype: 'INT32', shape: [2], data: [3, 4] }],
    });
  });
});

describe('batch tensors', () => {
  it('concatenates along dim 0 and splits outputs back per request', () => {
    const a = parseInferRequest(input(), spec, true);
    const b = parseInferRequest(
      {
        inputs: [
          { name: 'x', shape: [2, 2], datatype: 'FP32', data: [3, 4, 5, 6] },
          { name: 'ids', shape: [2, 3], datatype: 'INT64', data: [1, 2, 3, 4, 5, 6] },
        ],
      },
      spec,
      true,
    );
    const feeds = concatInputs([a, b], spec.inputs);
    expect(feeds.dims).toEqual([[3, 2], [3, 3]]);
    expect(Array.from(feeds.data[0] as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(feeds.data[1]).toEqual(new BigInt64Array([7n, 8n, 9n, 1n, 2n, 3n, 4n, 5n, 6n]));

    const parts = splitOutputs([a, b], { dims: [[3, 2]], data: [new Float32Array([1, 2, 3, 4, 5, 6])] });
    expect(parts.map((p) => p.dims)).toEqual([[[1, 2]], [[2, 2]]]);
    expect(Array.from(parts[1].data[0] as Float32Array)).toEqual([3, 4, 5, 6]);
    expect(() => splitOutputs([a, b], { dims: [[2, 2]], data: [new Float32Array(4)] })).toThrow('cannot split');
  });

  it('passes a lone request through without copying', () => {
    const a = parseInferRequest(input(), spec, true);
    expect(concatInputs([a], spec.inputs).data[0]).toBe(a.data[0]);
  });
});
