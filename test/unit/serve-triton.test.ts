/** Triton extensions, pure parts: binary tensor codec, model configuration, statistics. */
import { BinaryReader, joinBody, splitBody, tensorBytes } from '../../activities/serve/binary-tensor';
import { executionProviderProblem } from '../../activities/serve/execution-provider';
import { BadRequest, encodeBinaryInferResponse, parseInferRequest } from '../../activities/serve/infer-protocol';
import { buildModelSpec } from '../../activities/serve/model-spec';
import { tritonModelConfig } from '../../activities/serve/triton-config';
import { TritonStats } from '../../activities/serve/triton-stats';

const spec = buildModelSpec(
  'm',
  [
    { name: 'x', type: 'float32', shape: ['batch', 2] },
    { name: 'ids', type: 'int64', shape: ['batch', 3] },
  ],
  [
    { name: 'y', type: 'float32', shape: ['batch', 2] },
    { name: 'k', type: 'int32', shape: ['batch'] },
  ],
);

const le = (arr: ArrayBufferView) => Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);

describe('binary tensor data codec', () => {
  it('splits a body at the header length and rejects lengths outside it', () => {
    const { body, headerLength } = joinBody('{"a":1}', [Buffer.from([1, 2, 3])]);
    expect(headerLength).toBe(7);
    const parts = splitBody(body, headerLength);
    expect(parts.header).toBe('{"a":1}');
    expect([...parts.binary]).toEqual([1, 2, 3]);
    expect(() => splitBody(body, 11)).toThrow(RangeError);
    expect(() => splitBody(body, NaN)).toThrow('Inference-Header-Content-Length');
  });

  it('reads little-endian tensors in order and checks their sizes', () => {
    const tail = Buffer.concat([le(new Float32Array([1.5, -2])), le(new BigInt64Array([7n]))]);
    const r = new BinaryReader(tail);
    expect(Array.from(r.take('float32', 8, 2) as Float32Array)).toEqual([1.5, -2]);
    expect(r.remaining).toBe(8);
    expect((r.take('int64', 8, 1) as BigInt64Array)[0]).toBe(7n);
    expect(() => new BinaryReader(tail).take('float32', 4, 2)).toThrow('datatype need 8 bytes');
    expect(() => new BinaryReader(Buffer.alloc(4)).take('float32', 8, 2)).toThrow('binary data has 4 bytes');
  });

  it('parses a request whose inputs are binary, and its binary output choices', () => {
    const header = {
      inputs: [
        { name: 'x', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
        { name: 'ids', shape: [1, 3], datatype: 'INT64', data: [1, 2, 3] },
      ],
      outputs: [{ name: 'k', parameters: { binary_data: true } }, { name: 'y' }],
    };
    const job = parseInferRequest(header, spec, true, le(new Float32Array([3, 4])));
    expect(Array.from(job.data[0] as Float32Array)).toEqual([3, 4]);
    expect(Array.from(job.data[1] as BigInt64Array)).toEqual([1n, 2n, 3n]);
    expect(job.outputs).toEqual([1, 0]);
    expect(job.binaryOutputs).toEqual([true, false]);

    const all = parseInferRequest({ inputs: header.inputs, parameters: { binary_data_output: true } }, spec, true, le(new Float32Array([3, 4])));
    expect(all.binaryOutputs).toEqual([true, true]);
    expect(parseInferRequest({ inputs: header.inputs.slice(1).concat([{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] } as never]) }, spec, true).binaryOutputs).toBeNull();
  });

  it('refuses binary inputs without a header, wrong sizes and unclaimed bytes', () => {
    const inputs = [
      { name: 'x', shape: [1, 2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
      { name: 'ids', shape: [1, 3], datatype: 'INT64', data: [1, 2, 3] },
    ];
    expect(() => parseInferRequest({ inputs }, spec, true)).toThrow('no Inference-Header-Content-Length');
    expect(() => parseInferRequest({ inputs }, spec, true, Buffer.alloc(12))).toThrow('4 bytes of binary data are not claimed');
    const bad = [{ ...inputs[0], parameters: { binary_data_size: 4 } }, inputs[1]];
    expect(() => parseInferRequest({ inputs: bad }, spec, true, Buffer.alloc(4))).toThrow(BadRequest);
  });

  it('encodes a response with binary outputs after the JSON header', () => {
    const y = new Float32Array([0.5, 1]);
    const k = new Int32Array([9]);
    const r = encodeBinaryInferResponse(spec, 'r1', [[1, 2], [1]], [y, k], null, [false, true]);
    expect(JSON.parse(r.header)).toEqual({
      model_name: 'm',
      model_version: '1',
      id: 'r1',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.5, 1] },
        { name: 'k', datatype: 'INT32', shape: [1], parameters: { binary_data_size: 4 } },
      ],
    });
    expect(r.tensors).toHaveLength(1);
    expect(r.tensors[0].readInt32LE(0)).toBe(9);
    expect(tensorBytes(y).readFloatLE(4)).toBe(1);
  });
});

describe('Triton model configuration', () => {
  it('drops the batch dim when batching and reports the batcher', () => {
    const c = tritonModelConfig(spec, { instances: 2, batching: { maxBatchSize: 8, maxQueueDelayMs: 1.5 } });
    expect(c).toMatchObject({
      name: 'm',
      platform: 'onnxruntime_onnx',
      max_batch_size: 8,
      input: [
        { name: 'x', data_type: 'TYPE_FP32', dims: [2] },
        { name: 'ids', data_type: 'TYPE_INT64', dims: [3] },
      ],
      output: [
        { name: 'y', data_type: 'TYPE_FP32', dims: [2] },
        { name: 'k', data_type: 'TYPE_INT32', dims: [] },
      ],
      dynamic_batching: { max_queue_delay_microseconds: 1500 },
      instance_group: [{ kind: 'KIND_CPU', count: 2 }],
    });
  });

  it('keeps full dims and max_batch_size 0 without batching', () => {
    const c = tritonModelConfig(spec, { instances: 1 });
    expect(c.max_batch_size).toBe(0);
    expect((c.input as { dims: number[] }[])[0].dims).toEqual([-1, 2]);
    expect(c.dynamic_batching).toBeUndefined();
  });
});

describe('Triton statistics', () => {
  it('accumulates counts and nanoseconds per request and per batch size', () => {
    const t = new TritonStats();
    t.recordQueued(100);
    t.recordQueued(300);
    t.recordRun(3, 2, 1000);
    t.recordDone(true, 5000);
    t.recordDone(true, 7000);
    const s = t.modelStats('m', '1') as any;
    expect(s).toMatchObject({ name: 'm', version: '1', inference_count: 3, execution_count: 1 });
    expect(s.inference_stats.success).toEqual({ count: 2, ns: 12000 });
    expect(s.inference_stats.queue).toEqual({ count: 2, ns: 400 });
    expect(s.inference_stats.compute_infer).toEqual({ count: 2, ns: 2000 });
    expect(s.batch_stats).toEqual([
      { batch_size: 3, compute_input: { count: 1, ns: 0 }, compute_infer: { count: 1, ns: 1000 }, compute_output: { count: 1, ns: 0 } },
    ]);
  });
});

describe('execution providers', () => {
  it('accepts an available provider and names the choices otherwise', () => {
    expect(executionProviderProblem('cpu', ['cpu', 'webgpu'])).toBeNull();
    expect(executionProviderProblem('cuda', ['cpu', 'webgpu'])).toBe(
      'serving.executionProvider: "cuda" is not available in this onnxruntime-node; available: cpu, webgpu',
    );
    expect(executionProviderProblem('cpu')).toBeNull();
  });
});
