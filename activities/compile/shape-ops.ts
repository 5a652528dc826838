/**
 * Output shapes of the shape-moving ops the FLOPs estimate must see through (Reshape, Transpose, pooling,
 * reductions, Constant). Pure. Dim 0 is the batch dim; -1 marks an unknown dim.
 */
import { onnx } from 'onnx-proto';

export type Shape = number[];
type Int64 = number | { toNumber(): number };

export const toNum = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

export function attr(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((x) => x.name === name);
}
export function intAttr(node: onnx.INodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? toNum(a.i) : dflt;
}
export function intsAttr(node: onnx.INodeProto, name: string): number[] | undefined {
  return attr(node, name)?.ints?.map(toNum);
}

/** Values of a small int64 tensor (a Reshape target), or undefined when it is not stored plainly. */
export function int64Values(t: onnx.ITensorProto | null | undefined): number[] | undefined {
  if (!t || t.dataType !== onnx.TensorProto.DataType.INT64) return undefined;
  if (t.int64Data && t.int64Data.length > 0) return t.int64Data.map(toNum);
  const raw = t.rawData;
  if (!raw) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

export function reshape(a: Shape | undefined, target: number[] | undefined, allowZero: boolean): Shape | undefined {
  if (!a || !target) return undefined;
  const out = target.map((d, i) => (d === 0 && !allowZero ? (a[i] ?? -1) : d));
  const inferred = out.indexOf(-1);
  // One -1 is inferred from the element count; only computable when everything else is known.
  if (inferred >= 0 && out.lastIndexOf(-1) === inferred && a.every((d) => d > 0)) {
    const known = out.reduce((x, d, i) => (i === inferred ? x : x * d), 1);
    out[inferred] = a.reduce((x, y) => x * y, 1) / known;
  }
  return out;
}

export function transpose(a: Shape | undefined, perm: number[] | undefined): Shape | undefined {
  if (!a) return undefined;
  return (perm ?? a.map((_, i) => a.length - 1 - i)).map((p) => a[p] ?? -1);
}

/** ReduceMean & co. (opset < 18: axes is an attribute). */
export function reduce(a: Shape | undefined, axes: number[] | undefined, keepDims: boolean): Shape | undefined {
  if (!a) return undefined;
  const ax = new Set((axes ?? a.map((_, i) => i)).map((x) => (x < 0 ? x + a.length : x)));
  return keepDims ? a.map((d, i) => (ax.has(i) ? 1 : d)) : a.filter((_, i) => !ax.has(i));
}

export function globalPool(a: Shape | undefined): Shape | undefined {
  return a && a.length >= 3 ? [a[0], a[1], ...a.slice(2).map(() => 1)] : undefined;
}

export function flatten(a: Shape | undefined, axis: number): Shape | undefined {
  if (!a) return undefined;
  const ax = axis < 0 ? axis + a.length : axis;
  const prod = (s: Shape) => (s.some((d) => d < 0) ? -1 : s.reduce((x, y) => x * y, 1));
  return [prod(a.slice(0, ax)), prod(a.slice(ax))];
}

export function broadcast(a?: Shape, b?: Shape): Shape | undefined {
  if (!a || !b) return undefined;
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  // Common case (bias add, residual): the smaller operand broadcasts into the larger one.
  const tail = long.slice(long.length - short.length);
  return short.every((d, i) => d === 1 || d === tail[i]) ? long : undefined;
}
