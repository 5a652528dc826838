/**
 * Per-sample FLOPs estimate of an ONNX graph: 2 × multiply-accumulates of its matrix products (Gemm,
 * MatMul, incl. activation × activation as in attention) and convolutions (Conv), plus onnxruntime's fused
 * forms of them. Elementwise ops, normalisation, softmax and pooling are not counted. Pure.
 *
 * Graphs rarely carry shapes for intermediate tensors, so a light forward propagation covers the common
 * MLP/CNN/transformer ops; a product or conv it cannot see through makes the estimate null rather than
 * silently partial. Dim 0 is taken as the batch dim; -1 marks an unknown dim.
 */
import type { onnx } from 'onnx-proto';
import {
  broadcast, flatten, globalPool, int64Values, intAttr, intsAttr, reduce, reshape, toNum, transpose, attr, type Shape,
} from './shape-ops';

export { toNum } from './shape-ops';

const GEMM = new Set(['Gemm', 'FusedGemm']);
const MATMUL = new Set(['MatMul', 'FusedMatMul']);
const CONV = new Set(['Conv', 'FusedConv']);
// onnxruntime's NCHWc layout ops: products whose blocked shapes this estimate does not model.
const OPAQUE_DOMAINS = new Set(['com.microsoft.nchwc']);
// Ops whose output has the shape of their first input.
const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Gelu', 'FastGelu', 'BiasGelu', 'Erf', 'Softmax', 'LogSoftmax',
  'Dropout', 'Identity', 'Cast', 'Clip', 'Elu', 'Selu', 'HardSigmoid', 'Softplus', 'Neg', 'Abs', 'Sqrt', 'Exp',
  'LayerNormalization', 'SkipLayerNormalization', 'BatchNormalization',
]);
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow']);
const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin']);

export function tensorShape(t: onnx.ITypeProto | null | undefined): Shape | null {
  const shape = t?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dimValue != null && toNum(d.dimValue) > 0 ? toNum(d.dimValue) : -1));
}

/** null when the graph has no products or convs, or any of their shapes is unknown. */
export function estimateFlops(graph: onnx.IGraphProto): number | null {
  const shapes = new Map<string, Shape>();
  const values = new Map<string, number[]>();
  for (const t of graph.initializer ?? []) {
    shapes.set(t.name ?? '', (t.dims ?? []).map(toNum));
    const v = int64Values(t);
    if (v) values.set(t.name ?? '', v);
  }
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
    if (GEMM.has(op) || MATMUL.has(op) || CONV.has(op)) {
      products++;
      if (OPAQUE_DOMAINS.has(node.domain ?? '')) return null;
      const r = GEMM.has(op) ? gemm(node, ins[0], ins[1]) : MATMUL.has(op) ? matmul(ins[0], ins[1]) : conv(node, ins[0], ins[1]);
      if (!r) return null;
      macs += r.macs;
      outShape = r.out;
    } else if (SAME_SHAPE.has(op)) {
      outShape = ins[0];
    } else if (BROADCAST.has(op)) {
      outShape = broadcast(ins[0], ins[1]);
    } else if (op === 'Flatten') {
      outShape = flatten(ins[0], intAttr(node, 'axis', 1));
    } else if (op === 'Reshape') {
      outShape = reshape(ins[0], values.get(node.input?.[1] ?? ''), intAttr(node, 'allowzero', 0) === 1);
    } else if (op === 'Transpose') {
      outShape = transpose(ins[0], intsAttr(node, 'perm'));
    } else if (REDUCE.has(op)) {
      outShape = reduce(ins[0], intsAttr(node, 'axes'), intAttr(node, 'keepdims', 1) === 1);
    } else if (op === 'GlobalAveragePool' || op === 'GlobalMaxPool') {
      outShape = globalPool(ins[0]);
    } else if (op === 'Constant') {
      const t = attr(node, 'value')?.t;
      if (t) outShape = (t.dims ?? []).map(toNum);
      const v = int64Values(t);
      if (out && v) values.set(out, v);
    }
    if (out && outShape && !shapes.has(out)) shapes.set(out, outShape);
  }
  return products > 0 ? 2 * macs : null;
}

interface Product { macs: number; out: Shape }

function gemm(node: onnx.INodeProto, a?: Shape, b?: Shape): Product | null {
  if (!b || b.length !== 2 || b.some((d) => d < 0)) return null;
  const [k, n] = intAttr(node, 'transB', 0) ? [b[1], b[0]] : [b[0], b[1]];
  // A is [batch, K]: one row per sample.
  const m = a && a.length === 2 ? (intAttr(node, 'transA', 0) ? a[1] : a[0]) : -1;
  return { macs: k * n, out: [m, n] };
}

/** Weight products ([.., K] × [K, N]) and batched ones ([b, h, M, K] × [b, h, K, N], as in attention). */
function matmul(a?: Shape, b?: Shape): Product | null {
  if (!a || !b || a.length < 2 || b.length < 2) return null;
  // K from either operand: a weight's is always known, an activation's may not be.
  const k = a[a.length - 1] > 0 ? a[a.length - 1] : b[b.length - 2];
  const n = b[b.length - 1];
  const out = b.length === 2 ? [...a.slice(0, -1), n] : [...broadcastDims(a.slice(0, -2), b.slice(0, -2)), a[a.length - 2], n];
  // Per sample: every output dim after the batch dim but the last, times K × N (a 2-D A has one row per sample).
  const rows = out.slice(1, -1);
  if (k < 0 || n < 0 || rows.some((d) => d < 0) || out.length < 2) return null;
  return { macs: rows.reduce((x, y) => x * y, 1) * k * n, out };
}

function broadcastDims(a: Shape, b: Shape): Shape {
  const len = Math.max(a.length, b.length);
  const pa = [...Array<number>(len - a.length).fill(1), ...a];
  const pb = [...Array<number>(len - b.length).fill(1), ...b];
  return pa.map((x, i) => {
    const y = pb[i];
    return x === y || y === 1 ? x : x === 1 ? y : x < 0 ? y : y < 0 ? x : -1;
  });
}

/** X [N, C, spatial...] * W [M, C/group, kernel...]: per sample M × C/group × prod(kernel) × prod(out spatial). */
function conv(node: onnx.INodeProto, x?: Shape, w?: Shape): Product | null {
  if (!x || !w || w.length < 3 || x.length !== w.length || w.some((d) => d < 0)) return null;
  const kernel = w.slice(2);
  const spatial = x.slice(2);
  if (spatial.some((d) => d < 0)) return null;
  const rank = kernel.length;
  const strides = intsAttr(node, 'strides') ?? Array<number>(rank).fill(1);
  const dil = intsAttr(node, 'dilations') ?? Array<number>(rank).fill(1);
  const pads = intsAttr(node, 'pads') ?? Array<number>(2 * rank).fill(0);
  const autoPad = attr(node, 'auto_pad')?.s;
  const mode = autoPad ? new TextDecoder().decode(autoPad) : 'NOTSET';
  const outSpatial = spatial.map((d, i) => {
    if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') return Math.ceil(d / strides[i]);
    const [p0, p1] = mode === 'VALID' ? [0, 0] : [pads[i], pads[i + rank]];
    return Math.floor((d + p0 + p1 - dil[i] * (kernel[i] - 1) - 1) / strides[i]) + 1;
  });
  const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);
  return { macs: w[0] * w[1] * prod(kernel) * prod(outSpatial), out: [x[0], w[0], ...outSpatial] };
}
