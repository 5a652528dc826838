/**
 * Triton (through PyTriton) configured from serving settings: what triton_serve.py turns into a ModelConfig
 * (dynamic batcher, instance group) and a TritonConfig (every endpoint on 127.0.0.1).
 */
import type { Config } from '../../../configs/schema';

export interface TritonPorts {
  http: number;
  grpc: number;
  metrics: number;
}

/** The JSON argument of triton_serve.py. */
export interface TritonSpec {
  model: string;
  name: string;
  httpPort: number;
  grpcPort: number;
  metricsPort: number;
  /** Triton's instance group count: one callable, with its own onnxruntime session, per instance. */
  instances: number;
  intraOpThreads: number;
  interOpThreads: number;
  /** Dynamic batcher's max_batch_size; null = no batching (each request runs alone). */
  maxBatchSize: number | null;
  /** Dynamic batcher's max_queue_delay_microseconds. */
  maxQueueDelayUs: number;
  /** PyTriton's workspace (its Triton copy, model store, sockets): a directory the caller removes afterwards. */
  workspace: string;
}

export function tritonSpec(serving: Config['serving'], model: { path: string; modelName: string }, ports: TritonPorts, workspace: string): TritonSpec {
  const b = serving.batching;
  return {
    model: model.path,
    name: model.modelName,
    httpPort: ports.http,
    grpcPort: ports.grpc,
    metricsPort: ports.metrics,
    instances: serving.instances,
    intraOpThreads: serving.intraOpThreads,
    interOpThreads: serving.interOpThreads,
    maxBatchSize: b ? b.maxBatchSize : null,
    maxQueueDelayUs: b ? Math.round(b.maxQueueDelayMs * 1000) : 0,
    workspace,
  };
}
