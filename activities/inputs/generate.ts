/**
 * Deterministic tensor data per datatype: random within a range (integers inclusive, floats half-open),
 * or one value everywhere. Pure apart from the seeded stream it is given.
 */
import { toHalf } from '../float16';
import type { Uniform } from '../rng';
import { allocTyped, ortTypeOf } from '../serve/tensor-codec';
import { INT_BOUNDS, kindOf } from './dtypes';
import type { TensorData } from './types';

/** Default ranges: floats in [-1, 1) are valid for any float model; small non-negative ints are safe as indices. */
export const DEFAULT_FLOAT_RANGE: [number, number] = [-1, 1];
export const DEFAULT_INT_RANGE: [number, number] = [0, 15];

export interface Fill {
  range?: [number, number];
  value?: number | boolean;
}

/** `count` elements of `datatype`; throws on a datatype it cannot make (resolveInputs reports those first). */
export function generateTensor(datatype: string, count: number, fill: Fill, u: Uniform): TensorData {
  const kind = kindOf(datatype);
  if (kind === 'bytes') return Array.from({ length: count }, () => (fill.value !== undefined ? String(fill.value) : `s${Math.floor(u() * 1e6)}`));
  const type = ortTypeOf(datatype);
  if (!kind || !type) throw new Error(`cannot generate datatype ${datatype}`);
  const out = allocTyped(type, count);
  const set = elementSetter(datatype, out);
  if (fill.value !== undefined) {
    const v = typeof fill.value === 'boolean' ? Number(fill.value) : fill.value;
    for (let i = 0; i < count; i++) set(i, v);
    return out;
  }
  if (kind === 'bool') {
    for (let i = 0; i < count; i++) set(i, u() < 0.5 ? 1 : 0);
    return out;
  }
  if (kind === 'int') {
    const [lo, hi] = clampInt(datatype, fill.range ?? DEFAULT_INT_RANGE);
    const span = hi - lo + 1;
    for (let i = 0; i < count; i++) set(i, lo + Math.floor(u() * span));
    return out;
  }
  const [lo, hi] = fill.range ?? DEFAULT_FLOAT_RANGE;
  // 4 decimals keep JSON bodies short, as the load generator always did.
  for (let i = 0; i < count; i++) set(i, Math.floor((lo + u() * (hi - lo)) * 1e4) / 1e4);
  return out;
}

function clampInt(datatype: string, [lo, hi]: [number, number]): [number, number] {
  const [min, max] = INT_BOUNDS[datatype];
  return [Math.max(min, Math.ceil(lo)), Math.min(max, Math.floor(hi))];
}

/** Writes a JS number into the typed array the way its datatype stores it (FP16 as half bits, 64-bit ints as BigInt). */
function elementSetter(datatype: string, out: TensorData): (i: number, v: number) => void {
  if (datatype === 'FP16') return (i, v) => ((out as Uint16Array)[i] = toHalf(v));
  if (datatype === 'INT64' || datatype === 'UINT64') return (i, v) => ((out as BigInt64Array)[i] = BigInt(v));
  return (i, v) => ((out as Float32Array)[i] = v);
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
