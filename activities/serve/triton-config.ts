/** Triton's model configuration (GET /v2/models/{name}/config), as perf_analyzer reads it. Pure. */
import type { IoSpec, ModelSpec } from './model-spec';

const TRITON_TYPES: Record<string, string> = {
  BOOL: 'TYPE_BOOL', UINT8: 'TYPE_UINT8', INT8: 'TYPE_INT8', UINT16: 'TYPE_UINT16', INT16: 'TYPE_INT16',
  UINT32: 'TYPE_UINT32', INT32: 'TYPE_INT32', UINT64: 'TYPE_UINT64', INT64: 'TYPE_INT64',
  FP16: 'TYPE_FP16', FP32: 'TYPE_FP32', FP64: 'TYPE_FP64', BYTES: 'TYPE_STRING',
};

export interface TritonConfigOptions {
  instances: number;
  /** Absent = no dynamic batching (max_batch_size 0, dims include the batch dim). */
  batching?: { maxBatchSize: number; maxQueueDelayMs: number };
  /** onnxruntime execution provider: cpu → KIND_CPU, others → KIND_GPU. */
  executionProvider?: string;
}

export function tritonDataType(datatype: string): string {
  return TRITON_TYPES[datatype] ?? 'TYPE_INVALID';
}

export function tritonModelConfig(spec: ModelSpec, o: TritonConfigOptions): Record<string, unknown> {
  const maxBatch = o.batching ? o.batching.maxBatchSize : 0;
  const io = (t: IoSpec) => ({ name: t.name, data_type: tritonDataType(t.datatype), dims: maxBatch > 0 ? t.shape.slice(1) : t.shape });
  const provider = o.executionProvider ?? 'cpu';
  const config: Record<string, unknown> = {
    name: spec.name,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    max_batch_size: maxBatch,
    input: spec.inputs.map(io),
    output: spec.outputs.map(io),
    instance_group: [{ name: `${spec.name}_0`, kind: provider === 'cpu' ? 'KIND_CPU' : 'KIND_GPU', count: o.instances }],
  };
  if (o.batching) {
    config.dynamic_batching = {
      preferred_batch_size: [o.batching.maxBatchSize],
      max_queue_delay_microseconds: Math.round(o.batching.maxQueueDelayMs * 1000),
    };
  }
  return config;
}
