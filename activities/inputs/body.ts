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
      const data = Array.isArray(t.data)
        ? JSON.stringify(t.data)
        : t.datatype === 'FP32'
          ? float32Json(t.data as Float32Array)
          : encodeData(ortTypeOf(t.datatype) as OrtType, t.data);
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

/**
 * FP32 elements as short JSON numbers: a float32 printed as a double reads 0.12340000271797180, 2.5 times the
 * text of 0.1234, which would make JSON bodies measure number printing. Each value gets the shortest decimal
 * that reads back as the same float32 (the generator's 4-decimal values first).
 */
export function float32Json(data: Float32Array): string {
  const parts = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) parts[i] = float32Text(data[i]);
  return `[${parts.join(',')}]`;
}

function float32Text(v: number): string {
  if (!Number.isFinite(v)) return 'null'; // JSON has no NaN or Infinity
  const short = Math.round(v * 1e4) / 1e4;
  if (Math.fround(short) === v) return String(short);
  for (let p = 6; p < 9; p++) {
    const n = Number(v.toPrecision(p));
    if (Math.fround(n) === v) return String(n);
  }
  return String(Number(v.toPrecision(9))); // 9 significant digits always read back as the same float32
}
