/**
 * Per-sample FLOPs estimate of an ONNX graph's matrix products (Gemm, MatMul
 * and onnxruntime's fused forms). Pure.
 *
 * Graphs rarely carry shapes for intermediate tensors, so a light forward
 * propagation covers the common MLP/transformer-block ops; anything it cannot
 * see through makes the estimate null rather than silently partial.
 * Dim 0 is taken as the batch dim; -1 marks an unknown dim.
 */
import { onnx } from 'onnx-proto';

type Shape = number[];
type Int64 = number | { toNumber(): number };

export const toNum = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

const GEMM = new Set(['Gemm', 'FusedGemm']);
const MATMUL = new Set(['MatMul', 'FusedMatMul']);
// Ops whose output has the shape of their first input.
const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Gelu', 'FastGelu', 'BiasGelu', 'Erf', 'Softmax', 'LogSoftmax',
  'Dropout', 'Identity', 'Cast', 'Clip', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Neg', 'Abs', 'Sqrt', 'Exp',
  'LayerNormalization', 'SkipLayerNormalization', 'BatchNormalization',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow']);

export function tensorShape(t: onnx.ITypeProto | null | undefined): Shape | null {
  const shape = t?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dimValue != null && toNum(d.dimValue) > 0 ? toNum(d.dimValue) : -1));
}

/** null when the graph has no matrix products or any of their shapes is unknown. */
export function estimateFlops(graph: onnx.IGraphProto): number | null {
  const shapes = new Map<string, Shape>();
  for (const t of graph.initializer ?? []) shapes.set(t.name ?? '', (t.dims ?? []).map(toNum));
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const s = tensorShape(v.type);
    if (s && !shapes.has(v.name ?? '')) shapes.set(v.name ?? '', s);
  }

  let macs = 0;
  let products = 0;
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const ins = (node.input ?? []).map((n) => shapes.get(n));
    const out = node.output?.[0];
    let outShape: Shape | undefined;
    if (GEMM.has(op) || MATMUL.has(op)) {
      products++;
      const r = GEMM.has(op) ? gemm(node, ins[0], ins[1]) : matmul(ins[0], ins[1]);
      if (!r) return null;
      macs += r.macs;
      outShape = r.out;
    } else if (SAME_SHAPE.has(op)) {
      outShape = ins[0];
    } else if (BROADCAST.has(op)) {
      outShape = broadcast(ins[0], ins[1]);
    } else if (op === 'Flatten') {
      outShape = flatten(ins[0], intAttr(node, 'axis', 1));
    }
    if (out && outShape && !shapes.has(out)) shapes.set(out, outShape);
  }
  return products > 0 ? 2 * macs : null;
}

function gemm(node: onnx.INodeProto, a?: Shape, b?: Shape): { macs: number; out: Shape } | null {
  if (!b || b.length !== 2 || b.some((d) => d < 0)) return null;
  const [k, n] = intAttr(node, 'transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  // A is [batch, K]: one row per sample.
  const m = a && a.length === 2 ? (intAttr(node, 'transA', 0) ? a[1] : a[0]) : -1;
  return { macs: k * n, out: [m, n] };
}

function matmul(a?: Shape, b?: Shape): { macs: number; out: Shape } | null {
  if (!a || !b || b.length !== 2 || a.length < 2 || b.some((d) => d < 0)) return null;
  const [k, n] = b;
  // Rows per sample: every dim of A after the batch dim except the contracted one.
  const rows = a.length === 2 ? [1] : a.slice(1, -1);
  if (rows.some((d) => d < 0)) return null;
  return { macs: rows.reduce((x, y) => x * y, 1) * k * n, out: [...a.slice(0, -1), n] };
}

function broadcast(a?: Shape, b?: Shape): Shape | undefined {
  if (!a || !b) return undefined;
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  // Common case (bias add, residual): the smaller operand broadcasts into the larger one.
  const tail = long.slice(long.length - short.length);
  return short.every((d, i) => d === 1 || d === tail[i]) ? long : undefined;
}

function flatten(a: Shape | undefined, axis: number): Shape | undefined {
  if (!a) return undefined;
  const ax = axis < 0 ? axis + a.length : axis;
  const prod = (s: Shape) => (s.some((d) => d < 0) ? -1 : s.reduce((x, y) => x * y, 1));
  return [prod(a.slice(0, ax)), prod(a.slice(ax))];
}

function intAttr(node: onnx.INodeProto, name: string, dflt: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a ? toNum(a.i) : dflt;
}
