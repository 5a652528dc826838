/**
 * KServe v2 infer request bodies from tensors: JSON, or Triton's binary tensor extension (JSON header + raw
 * little-endian bytes, asking for binary outputs too, so the response skips JSON as well). Pure.
 */
import { joinBody, tensorBytes } from '../serve/binary-tensor';
import { encodeData, ortTypeOf, type OrtType, type TypedArray } from '../serve/tensor-codec';
import type { RequestTensor, TensorFormat } from './types';

export interface RequestBody {
  body: Buffer;
  /** Binary format: the JSON header's length, sent as Inference-Header-Content-Length. */
  headerLength?: number;
}

export function encodeRequest(tensors: readonly RequestTensor[], format: TensorFormat): RequestBody {
  if (format === 'json') {
    const inputs = tensors.map((t) => {
      const data = Array.isArray(t.data) ? JSON.stringify(t.data) : encodeData(ortTypeOf(t.datatype) as OrtType, t.data);
      return `{"name":${JSON.stringify(t.name)},"shape":[${t.shape.join(',')}],"datatype":"${t.datatype}","data":${data}}`;
    });
    return { body: Buffer.from(`{"inputs":[${inputs.join(',')}]}`) };
  }
  const raw: Buffer[] = [];
  const inputs = tensors.map((t) => {
    if (Array.isArray(t.data)) throw new Error(`input "${t.name}" is ${t.datatype}: the binary tensor format here carries numeric and bool tensors only (use tensorFormat: json)`);
    const bytes = tensorBytes(t.data as TypedArray);
    raw.push(bytes);
    return { name: t.name, shape: t.shape, datatype: t.datatype, parameters: { binary_data_size: bytes.length } };
  });
  return joinBody(JSON.stringify({ inputs, parameters: { binary_data_output: true } }), raw);
}
