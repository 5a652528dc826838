/**
 * KServe v2 gRPC infer requests from tensors, serialised once (the load generator sends these bytes as they are):
 * `binary` puts the tensors in raw_input_contents, as tritonclient and perf_analyzer do; `json` in the typed
 * `contents` of each input. Pure.
 */
import { rawTensorBytes } from '../serve/binary-tensor';
import { serializeInferRequest, type GrpcInferInput } from '../serve/grpc-proto';
import { contentsField } from '../serve/grpc-protocol';
import type { TypedArray } from '../serve/tensor-codec';
import type { RequestBody } from './body';
import type { RequestTensor, TensorData, TensorFormat } from './types';

export function encodeGrpcRequest(modelName: string, tensors: readonly RequestTensor[], format: TensorFormat): RequestBody {
  const inputs: GrpcInferInput[] = tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }));
  if (format === 'binary') {
    return { body: serializeInferRequest({ model_name: modelName, inputs, raw_input_contents: tensors.map((t) => rawTensorBytes(t.data)) }) };
  }
  tensors.forEach((t, i) => {
    const field = contentsField(t.datatype);
    if (!field) throw new Error(`input "${t.name}" is ${t.datatype}, which gRPC carries in raw bytes only: use workload.tensorFormat: binary`);
    inputs[i].contents = { [field]: typedValues(t.datatype, t.data) };
  });
  return { body: serializeInferRequest({ model_name: modelName, inputs }) };
}

/** Elements as the typed field takes them: booleans for BOOL, decimal strings for 64-bit integers (exact), Buffers for BYTES. */
function typedValues(datatype: string, data: TensorData): unknown[] {
  if (Array.isArray(data)) return data.map((s) => Buffer.from(s, 'utf8'));
  if (datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, String);
  return Array.from(data as Exclude<TypedArray, BigInt64Array | BigUint64Array>);
}
