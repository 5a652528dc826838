/** NumPy .npy files (format versions 1-3, C order, little-endian numeric and bool): parsed into typed arrays. Pure. */
import { allocTyped, ortTypeOf } from '../serve/tensor-codec';
import type { TypedArray } from '../serve/tensor-codec';

export interface NpyArray {
  /** The KServe datatype of its dtype. */
  datatype: string;
  shape: number[];
  data: TypedArray;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** numpy dtype descr -> KServe datatype ('<' little-endian, '|' byte-sized). */
const DESCR: Record<string, string> = {
  '<f2': 'FP16', '<f4': 'FP32', '<f8': 'FP64',
  '|i1': 'INT8', '<i2': 'INT16', '<i4': 'INT32', '<i8': 'INT64',
  '|u1': 'UINT8', '<u2': 'UINT16', '<u4': 'UINT32', '<u8': 'UINT64',
  '|b1': 'BOOL',
};

/** Throws Error saying what is wrong with the bytes. */
export function parseNpy(buf: Buffer): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error('not a .npy file (no \\x93NUMPY magic)');
  const major = buf[6];
  if (major < 1 || major > 3) throw new Error(`unsupported .npy format version ${major}`);
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > buf.length) throw new Error('truncated .npy header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLength);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new Error('Fortran-order arrays are not supported (save with np.ascontiguousarray)');
  const datatype = DESCR[descr];
  if (!datatype) throw new Error(`dtype ${descr} is not supported (supported: ${Object.keys(DESCR).join(' ')}, little-endian)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`malformed .npy shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = allocTyped(ortTypeOf(datatype)!, count);
  const bytes = buf.subarray(start + headerLength);
  if (bytes.length < data.byteLength) throw new Error(`truncated .npy data: shape (${shape.join(', ')}) needs ${data.byteLength} bytes, the file has ${bytes.length}`);
  new Uint8Array(data.buffer).set(bytes.subarray(0, data.byteLength));
  return { datatype, shape, data };
}

/** A .npy file's bytes for a typed array (tests and tools). */
export function encodeNpy(datatype: string, shape: readonly number[], data: TypedArray): Buffer {
  const descr = Object.entries(DESCR).find(([, d]) => d === datatype)?.[0];
  if (!descr) throw new Error(`no .npy dtype for ${datatype}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'; // pad so the data starts 64-byte aligned
  const head = Buffer.alloc(10);
  MAGIC.copy(head);
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
