/**
 * MLServer configured from serving settings: settings.json (server: every endpoint on 127.0.0.1, parallel
 * workers) and model-settings.json (our onnxruntime runtime, adaptive batching, the model's signature).
 */
import type { Config } from '../../../configs/schema';
import type { TensorInfo } from '../../compile/types';

export interface MlserverPorts {
  http: number;
  grpc: number;
  metrics: number;
}

/** The Python class servebench_mlserver.py defines; its directory is on the server's PYTHONPATH. */
export const MLSERVER_RUNTIME = 'servebench_mlserver.OnnxRuntimeModel';

/**
 * `instances` maps to parallel_workers: N > 1 inference worker processes; 1 = inference in the server's own
 * process (MLServer's parallel_workers 0), since a single worker would only add a hop between processes.
 */
export function mlserverSettings(serving: Config['serving'], ports: MlserverPorts, metricsDir: string): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    http_port: ports.http,
    grpc_port: ports.grpc,
    metrics_port: ports.metrics,
    metrics_dir: metricsDir,
    parallel_workers: serving.instances > 1 ? serving.instances : 0,
    debug: false,
    load_models_at_startup: true,
  };
}

/** Adaptive batching: max_batch_size rows, waiting at most max_batch_time seconds (validate refuses 0 ms). */
export function mlserverModelSettings(serving: Config['serving'], model: { path: string; modelName: string; inputs: TensorInfo[]; outputs: TensorInfo[] }): Record<string, unknown> {
  const b = serving.batching;
  const tensors = (ts: TensorInfo[]) => ts.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }));
  return {
    name: model.modelName,
    implementation: MLSERVER_RUNTIME,
    parameters: { uri: model.path, extra: { intraOpThreads: serving.intraOpThreads, interOpThreads: serving.interOpThreads } },
    inputs: tensors(model.inputs),
    outputs: tensors(model.outputs),
    ...(b ? { max_batch_size: b.maxBatchSize, max_batch_time: b.maxQueueDelayMs / 1000 } : {}),
  };
}
