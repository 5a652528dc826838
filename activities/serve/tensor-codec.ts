/**
 * KServe v2 JSON tensor data <-> typed arrays as onnxruntime takes them.
 * Decoding validates while it copies (one pass); encoding writes JSON text
 * directly, since JSON.stringify cannot take typed arrays without a copy.
 */
import { fromHalf, toHalf } from '../float16';

export type OrtType =
  | 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32'
  | 'uint64' | 'int64' | 'float16' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | BigUint64Array | BigInt64Array | Float32Array | Float64Array;

const KSERVE_TO_ORT: Record<string, OrtType> = {
  BOOL: 'bool', UINT8: 'uint8', INT8: 'int8', UINT16: 'uint16', INT16: 'int16', UINT32: 'uint32',
  INT32: 'int32', UINT64: 'uint64', INT64: 'int64', FP16: 'float16', FP32: 'float32', FP64: 'float64',
};
const ORT_TO_KSERVE: Record<string, string> = {};
for (const [k, o] of Object.entries(KSERVE_TO_ORT)) ORT_TO_KSERVE[o] = k;
// onnxruntime's name for ONNX string tensors; served as BYTES but not supported for inference here.
ORT_TO_KSERVE.string = 'BYTES';

/** KServe datatype for an onnxruntime type name; 'UNSUPPORTED' when KServe has none. */
export function kserveDatatype(ortType: string): string {
  return ORT_TO_KSERVE[ortType] ?? 'UNSUPPORTED';
}

/** onnxruntime type for a KServe datatype we can carry, else undefined. */
export function ortTypeOf(datatype: string): OrtType | undefined {
  return KSERVE_TO_ORT[datatype];
}

type NumCtor = new (n: number) => Exclude<TypedArray, BigInt64Array | BigUint64Array>;
const NUMERIC: Partial<Record<OrtType, NumCtor>> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float64: Float64Array,
};

/** Allocates an empty typed array of the right kind (used to concatenate batches). */
export function allocTyped(type: OrtType, count: number): TypedArray {
  switch (type) {
    case 'float32': return new Float32Array(count);
    case 'bool': return new Uint8Array(count);
    case 'float16': return new Uint16Array(count);
    case 'int64': return new BigInt64Array(count);
    case 'uint64': return new BigUint64Array(count);
    default: return new (NUMERIC[type] as NumCtor)(count);
  }
}

/**
 * Copies KServe JSON `data` (flat, or nested: flattened here) into a typed array
 * of `count` elements. Throws TypeError with a user-facing reason on bad data.
 */
export function decodeData(type: OrtType, data: unknown[], count: number): TypedArray {
  if (data.length > 0 && Array.isArray(data[0])) data = (data as unknown[][]).flat(Infinity as 1);
  if (data.length !== count) {
    throw new TypeError(`has ${data.length} elements but its shape needs ${count}`);
  }
  switch (type) {
    case 'float32': return decodeF32(data, count);
    case 'bool': return decodeBool(data, count);
    case 'float16': return decodeF16(data, count);
    case 'int64': case 'uint64': return decodeBig(type, data, count);
    default: return decodeNumbers(new (NUMERIC[type] as NumCtor)(count), data, count);
  }
}

// FP32 is the common case: its own loop keeps the element stores monomorphic.
function decodeF32(data: unknown[], count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw notA('number', i, v);
    out[i] = v;
  }
  return out;
}

function decodeNumbers<A extends Exclude<TypedArray, BigInt64Array | BigUint64Array>>(out: A, data: unknown[], count: number): A {
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw notA('number', i, v);
    out[i] = v;
  }
  return out;
}

function decodeBig(type: 'int64' | 'uint64', data: unknown[], count: number): BigInt64Array | BigUint64Array {
  const out = type === 'int64' ? new BigInt64Array(count) : new BigUint64Array(count);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw notA('integer', i, v);
    out[i] = BigInt(v);
  }
  return out;
}

function decodeBool(data: unknown[], count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0) throw notA('boolean', i, v);
  }
  return out;
}

function decodeF16(data: unknown[], count: number): Uint16Array {
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw notA('number', i, v);
    out[i] = toHalf(v);
  }
  return out;
}

function notA(what: string, i: number, v: unknown): TypeError {
  return new TypeError(`element ${i} is ${JSON.stringify(v) ?? String(v)}, not a ${what}`);
}

/** JSON array text for a tensor's elements. */
export function encodeData(type: OrtType, data: TypedArray): string {
  switch (type) {
    case 'bool': return encodeBool(data as Uint8Array);
    case 'float16': return encodeFloats(Array.from(data as Uint16Array, fromHalf));
    case 'float32': case 'float64': return encodeFloats(data as Float32Array);
    // String outputs (BYTES) arrive as string[]: they need quoting.
    case 'string' as OrtType: return JSON.stringify(data);
    // Integers (BigInt included) print as valid JSON numbers; join is native and fast.
    default: return '[' + data.join(',') + ']';
  }
}

function encodeFloats(data: Float32Array | Float64Array | number[]): string {
  const s = data.join(',');
  // NaN / ±Infinity have no JSON form; fall back to JSON.stringify (→ null) only when present.
  if (s.indexOf('N') !== -1 || s.indexOf('I') !== -1) return JSON.stringify(Array.from(data));
  return '[' + s + ']';
}

function encodeBool(data: Uint8Array): string {
  let s = '[';
  for (let i = 0; i < data.length; i++) s += (i ? ',' : '') + (data[i] ? 'true' : 'false');
  return s + ']';
}

// Re-exported: tests and callers know them as the codec's.
export { fromHalf, toHalf };
