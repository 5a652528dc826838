/**
 * Reads what the benchmark needs to know about an ONNX model from its bytes:
 * size, cost, and the input/output tensors the load generator must fill.
 */
import { onnx } from 'onnx-proto';
import { estimateFlops, tensorShape, toNum } from './flops';
import type { TensorInfo } from './types';

export interface ModelInfo {
  graphName: string;
  irVersion: number;
  /** Sum of initializer element counts. */
  parameters: number;
  /** Per-sample FLOPs of Gemm/MatMul nodes; null when a shape is unknown or there are none. */
  flops: number | null;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** Thrown when the bytes do not decode as an ONNX ModelProto. */
export class NotOnnxModelError extends Error {
  override name = 'NotOnnxModelError';
}

const DT = onnx.TensorProto.DataType;
const KSERVE_DATATYPE: Record<number, string> = {
  [DT.FLOAT]: 'FP32',
  [DT.FLOAT16]: 'FP16',
  [DT.BFLOAT16]: 'BF16',
  [DT.DOUBLE]: 'FP64',
  [DT.INT8]: 'INT8',
  [DT.INT16]: 'INT16',
  [DT.INT32]: 'INT32',
  [DT.INT64]: 'INT64',
  [DT.UINT8]: 'UINT8',
  [DT.UINT16]: 'UINT16',
  [DT.UINT32]: 'UINT32',
  [DT.UINT64]: 'UINT64',
  [DT.BOOL]: 'BOOL',
  [DT.STRING]: 'BYTES',
};

export function readModelInfo(bytes: Uint8Array): ModelInfo {
  return modelInfoOf(decodeModel(bytes));
}

/** ModelInfo of an already decoded model (see decodeModel). */
export function modelInfoOf(model: onnx.ModelProto): ModelInfo {
  const graph = model.graph!;
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name));
  let parameters = 0;
  for (const t of graph.initializer ?? []) parameters += (t.dims ?? []).reduce<number>((n, d) => n * toNum(d), 1);
  return {
    graphName: graph.name ?? '',
    irVersion: toNum(model.irVersion),
    parameters,
    flops: estimateFlops(graph),
    // Models from IR < 4 also list initializers as inputs; those are weights, not request tensors.
    inputs: (graph.input ?? []).filter((v) => !initNames.has(v.name)).map(tensorInfo),
    outputs: (graph.output ?? []).map(tensorInfo),
  };
}

/** The ModelProto in `bytes`; throws NotOnnxModelError when they are not one. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new NotOnnxModelError(`not an ONNX model (truncated, or not ONNX at all): protobuf decoding failed (${(e as Error).message})`);
  }
  // Arbitrary bytes can happen to parse as protobuf; a real model has an IR version and a graph.
  if (toNum(model.irVersion) <= 0 || !model.graph || (model.graph.node ?? []).length === 0) {
    throw new NotOnnxModelError('not an ONNX model: no ir_version or no graph nodes');
  }
  return model;
}

function tensorInfo(v: onnx.IValueInfoProto): TensorInfo {
  const elemType = v.type?.tensorType?.elemType;
  return {
    name: v.name ?? '',
    datatype: (elemType != null && KSERVE_DATATYPE[elemType]) || 'UNSUPPORTED',
    // Unknown rank is reported as [] (indistinguishable from a scalar; rare in served models).
    shape: tensorShape(v.type) ?? [],
  };
}
