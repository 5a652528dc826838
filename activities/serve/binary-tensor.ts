/**
 * Triton's binary tensor data extension, pure: a request or response body is a
 * JSON header of `Inference-Header-Content-Length` bytes followed by raw
 * little-endian tensor bytes, each tensor's length given by its
 * `parameters.binary_data_size`, in the order the header lists them.
 */
import { allocTyped, type OrtType, type TypedArray } from './tensor-codec';

export const HEADER_LENGTH_HEADER = 'inference-header-content-length';

const ELEMENT_BYTES: Record<OrtType, number> = {
  bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, float16: 2,
  uint32: 4, int32: 4, float32: 4, uint64: 8, int64: 8, float64: 8,
};

export function elementBytes(type: OrtType): number {
  return ELEMENT_BYTES[type];
}

/** Splits a body into its JSON header text and the binary tail; throws RangeError on a bad length. */
export function splitBody(body: Buffer, headerLength: number): { header: string; binary: Buffer } {
  if (!Number.isSafeInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
    throw new RangeError(`Inference-Header-Content-Length ${headerLength} is not within the body's ${body.length} bytes`);
  }
  return { header: body.subarray(0, headerLength).toString('utf8'), binary: body.subarray(headerLength) };
}

/** Reads consecutive tensors out of a binary tail. */
export class BinaryReader {
  private offset = 0;
  constructor(private readonly binary: Buffer) {}

  /** `size` bytes as a typed array of `count` elements (copied, so it is aligned and owned). Throws TypeError. */
  take(type: OrtType, size: number, count: number): TypedArray {
    if (!Number.isSafeInteger(size) || size < 0) throw new TypeError(`has binary_data_size ${String(size)}, not a byte count`);
    const want = count * ELEMENT_BYTES[type];
    if (size !== want) throw new TypeError(`has binary_data_size ${size} but its shape and datatype need ${want} bytes`);
    if (this.offset + size > this.binary.length) {
      throw new TypeError(`needs ${size} bytes at offset ${this.offset} but the binary data has ${this.binary.length} bytes`);
    }
    const out = allocTyped(type, count);
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(this.binary.subarray(this.offset, this.offset + size));
    this.offset += size;
    return out;
  }

  /** Bytes not consumed by any input. */
  get remaining(): number {
    return this.binary.length - this.offset;
  }
}

/** A tensor's raw bytes, without a copy. */
export function tensorBytes(data: TypedArray): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A tensor's raw bytes (no copy for numbers); BYTES elements (strings) each behind a 4-byte little-endian length, as Triton lays them out. */
export function rawTensorBytes(data: TypedArray | readonly string[]): Buffer {
  if (ArrayBuffer.isView(data)) return tensorBytes(data);
  const parts: Buffer[] = [];
  for (const s of data) {
    const b = Buffer.from(String(s), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

/** A whole binary body: header then tensors; `headerLength` goes in Inference-Header-Content-Length. */
export function joinBody(header: string, tensors: readonly Buffer[]): { body: Buffer; headerLength: number } {
  const head = Buffer.from(header, 'utf8');
  return { body: Buffer.concat([head, ...tensors]), headerLength: head.length };
}
