/** KServe v2 gRPC messages <-> tensors: the client's serialised requests read back by the server's parser, and its responses. */
import * as grpc from '@grpc/grpc-js';
import { encodeGrpcRequest } from '../../activities/inputs/grpc-body';
import { describeGrpcError } from '../../activities/loadgen/grpc-errors';
import { inferenceService, type GrpcInferRequest } from '../../activities/serve/grpc-proto';
import { grpcInferResponse, parseGrpcInferRequest, UnknownModel } from '../../activities/serve/grpc-protocol';
import { BadRequest } from '../../activities/serve/infer-protocol';
import { buildModelSpec } from '../../activities/serve/model-spec';
import { parseGrpcTarget } from '../../configs/grpc-target';

const spec = buildModelSpec(
  'm',
  [
    { name: 'x', type: 'float32', shape: ['batch', 2] },
    { name: 'ids', type: 'int64', shape: ['batch', 3] },
    { name: 'mask', type: 'bool', shape: ['batch', 2] },
  ],
  [{ name: 'y', type: 'float32', shape: ['batch', 2] }, { name: 'h', type: 'float16', shape: ['batch', 1] }],
);

const tensors = [
  { name: 'x', datatype: 'FP32', shape: [1, 2], data: new Float32Array([1.5, -2]) },
  { name: 'ids', datatype: 'INT64', shape: [1, 3], data: new BigInt64Array([7n, 2n ** 53n - 1n, -1n]) },
  { name: 'mask', datatype: 'BOOL', shape: [1, 2], data: new Uint8Array([1, 0]) },
];

/** What the server's deserialiser makes of the client's bytes. */
const onServer = (bytes: Buffer): GrpcInferRequest => inferenceService().ModelInfer.requestDeserialize(bytes) as GrpcInferRequest;

describe('requests: serialised once by the client, validated by the server', () => {
  test.each(['binary', 'json'] as const)('tensorFormat %s (raw_input_contents / typed contents) reads back as the same tensors', (format) => {
    const req = onServer(encodeGrpcRequest('m', tensors, format).body);
    expect(req.model_name).toBe('m');
    expect(req.raw_input_contents ?? []).toHaveLength(format === 'binary' ? 3 : 0);
    const job = parseGrpcInferRequest(req, spec, true);
    expect(job.data[0]).toEqual(new Float32Array([1.5, -2]));
    expect(job.data[1]).toEqual(new BigInt64Array([7n, 2n ** 53n - 1n, -1n])); // typed int64 contents are read as numbers: exact to 2^53 (raw: always)
    expect(job.data[2]).toEqual(new Uint8Array([1, 0]));
    expect(job.shapes).toEqual([[1, 2], [1, 3], [1, 2]]);
    expect(job).toMatchObject({ rows: 1, key: '2;3;2', outputs: null });
  });

  test('FP16 has no typed contents: raw only, and the client says which format to use', () => {
    const half = [{ name: 'h', datatype: 'FP16', shape: [1], data: new Uint16Array([0x3c00]) }];
    expect(() => encodeGrpcRequest('m', half, 'json')).toThrow('input "h" is FP16, which gRPC carries in raw bytes only: use workload.tensorFormat: binary');
    expect(onServer(encodeGrpcRequest('m', half, 'binary').body).raw_input_contents).toEqual([Buffer.from([0x00, 0x3c])]);
  });

  test('what is wrong is said: sizes, counts, names, models', () => {
    const req = onServer(encodeGrpcRequest('m', tensors, 'binary').body);
    const bad = (over: Partial<GrpcInferRequest>) => () => parseGrpcInferRequest({ ...req, ...over }, spec, false);
    expect(bad({ raw_input_contents: [req.raw_input_contents![0]] })).toThrow(new BadRequest('raw_input_contents has 1 entries but the request has 3 inputs (one each, in order)'));
    expect(bad({ raw_input_contents: [Buffer.alloc(4), ...req.raw_input_contents!.slice(1)] })).toThrow("input 'x': raw_input_contents[0] has 4 bytes but its shape and datatype need 8");
    expect(bad({ inputs: req.inputs.slice(0, 2), raw_input_contents: req.raw_input_contents!.slice(0, 2) })).toThrow("missing input 'mask' for model 'm'");
    expect(bad({ outputs: [{ name: 'z' }] })).toThrow("unknown output 'z' for model 'm'");
    expect(bad({ model_name: 'other' })).toThrow(UnknownModel);
    expect(bad({ model_version: '2' })).toThrow("unknown version '2' of model 'm'");
    const typed = onServer(encodeGrpcRequest('m', tensors, 'json').body);
    typed.inputs[0].contents!.fp32_contents = [1];
    expect(() => parseGrpcInferRequest(typed, spec, false)).toThrow("input 'x' contents.fp32_contents has 1 elements but its shape needs 2");
  });
});

describe('responses: raw_output_contents, as Triton answers', () => {
  test('the requested outputs, in order, with their raw bytes and the request id', () => {
    const y = new Float32Array([0.25, 4]);
    const h = new Uint16Array([0x3c00]);
    const res = grpcInferResponse(spec, 'r7', [[1, 2], [1, 1]], [y, h], [1, 0]);
    expect(res).toMatchObject({ model_name: 'm', model_version: '1', id: 'r7', outputs: [{ name: 'h', datatype: 'FP16', shape: [1, 1] }, { name: 'y', datatype: 'FP32', shape: [1, 2] }] });
    expect(res.raw_output_contents).toEqual([Buffer.from(h.buffer), Buffer.from(y.buffer)]);
    // And it survives the wire.
    const back = inferenceService().ModelInfer.responseDeserialize(inferenceService().ModelInfer.responseSerialize(res)) as typeof res;
    expect(back.raw_output_contents[1]).toEqual(Buffer.from(y.buffer));
    expect(back.outputs[1].shape).toEqual([1, 2]);
  });
});

describe('gRPC failures in words', () => {
  test('status name first, then the cause; a refused connection in the words HTTP uses', () => {
    expect(describeGrpcError({ code: grpc.status.UNAVAILABLE, details: 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1234' })).toBe(
      'UNAVAILABLE: connection refused (ECONNREFUSED)',
    );
    expect(describeGrpcError({ code: grpc.status.INVALID_ARGUMENT, details: "unknown input 'x'" })).toBe("INVALID_ARGUMENT: unknown input 'x'");
    expect(describeGrpcError({ code: grpc.status.CANCELLED, details: '' })).toBe('CANCELLED');
  });
});

describe('gRPC endpoint: host:port', () => {
  test('hosts, IPv6 in brackets, and what is not one', () => {
    expect(parseGrpcTarget('127.0.0.1:8001')).toEqual({ host: '127.0.0.1', port: 8001 });
    expect(parseGrpcTarget('triton.local:8001')).toEqual({ host: 'triton.local', port: 8001 });
    expect(parseGrpcTarget('[::1]:8001')).toEqual({ host: '::1', port: 8001 });
    expect(parseGrpcTarget('grpc://h:1')).toHaveProperty('problem');
    expect(parseGrpcTarget('h')).toHaveProperty('problem');
    expect(parseGrpcTarget('h:0')).toEqual({ problem: 'expected a port in 1..65535, got 0' });
  });
});
