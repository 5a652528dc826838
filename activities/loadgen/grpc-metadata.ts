/** A KServe v2 gRPC server's readiness and a model's metadata (ServerReady, ModelMetadata), with errors naming the target and call. */
import * as grpc from '@grpc/grpc-js';
import { inferenceService } from '../serve/grpc-proto';
import { describeGrpcError } from './grpc-errors';
import type { ModelMetadata } from './request';

const CALL_TIMEOUT_MS = 10_000;

type Unary = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

/** One call on a fresh channel, closed after; rejects with "gRPC <Method> at <target> failed: <STATUS>: <why>". */
async function callOnce<T>(target: string, method: string, request: object): Promise<T> {
  const Client = grpc.makeGenericClientConstructor(inferenceService(), 'GRPCInferenceService');
  const client = new Client(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  try {
    return await new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
      fn(request, new grpc.Metadata(), { deadline: Date.now() + CALL_TIMEOUT_MS }, (err, res) =>
        err ? reject(new Error(`gRPC ${method} at ${target} failed: ${describeGrpcError(err)}`)) : resolve(res as T),
      );
    });
  } finally {
    client.close();
  }
}

/** Throws unless ServerReady answers ready. */
export async function grpcServerReady(target: string): Promise<void> {
  const r = await callOnce<{ ready: boolean }>(target, 'ServerReady', {});
  if (!r.ready) throw new Error(`gRPC ServerReady at ${target} answered ready: false`);
}

/** ModelMetadata of `modelName` as the HTTP metadata's shape (request.ts). */
export async function fetchModelMetadataGrpc(target: string, modelName: string): Promise<ModelMetadata> {
  const r = await callOnce<ModelMetadata>(target, 'ModelMetadata', { name: modelName });
  if (!r.name || !Array.isArray(r.inputs)) throw new Error(`gRPC ModelMetadata at ${target} answered without a name or inputs`);
  const tensors = (ts: ModelMetadata['inputs']) => (ts ?? []).map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) }));
  return { name: r.name, versions: r.versions, platform: r.platform, inputs: tensors(r.inputs), outputs: tensors(r.outputs) };
}
