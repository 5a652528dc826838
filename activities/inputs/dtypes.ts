/** What each KServe datatype can hold, for generating and checking values. Pure. */

export type DatatypeKind = 'float' | 'int' | 'bool' | 'bytes';

/** Inclusive bounds of the integer datatypes (64-bit ones limited to what a JS number holds exactly). */
export const INT_BOUNDS: Record<string, [number, number]> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

const FLOATS = ['FP16', 'FP32', 'FP64'];

/** The kind of a datatype servebench can send; undefined for the others (BF16, UNSUPPORTED, ...). */
export function kindOf(datatype: string): DatatypeKind | undefined {
  if (FLOATS.includes(datatype)) return 'float';
  if (datatype in INT_BOUNDS) return 'int';
  if (datatype === 'BOOL') return 'bool';
  if (datatype === 'BYTES') return 'bytes';
  return undefined;
}

/** Why `v` cannot be an element of `datatype` ("expected ..."), or null. */
export function valueProblem(datatype: string, v: unknown): string | null {
  const kind = kindOf(datatype);
  if (kind === 'float') return typeof v === 'number' ? null : `expected a number (input is ${datatype})`;
  if (kind === 'bool') return typeof v === 'boolean' ? null : `expected true or false (input is BOOL)`;
  if (kind === 'bytes') return typeof v === 'string' || typeof v === 'number' ? null : 'expected a string (input is BYTES)';
  if (kind === 'int') {
    const [lo, hi] = INT_BOUNDS[datatype];
    return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? null : `expected an integer in [${lo}, ${hi}] (input is ${datatype})`;
  }
  return `expected no value: input datatype ${datatype} cannot be sent`;
}
