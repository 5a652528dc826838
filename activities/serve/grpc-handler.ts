/**
 * The built-in server's KServe v2 gRPC endpoint (service inference.GRPCInferenceService): the same model, batching
 * dispatcher and statistics as the HTTP endpoint (http-handler.ts), with Triton's ModelConfig and ModelStatistics
 * so perf_analyzer and tritonclient accept it.
 */
import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Tensors } from './batch-tensors';
import { ShuttingDown, type Dispatcher } from './dispatcher';
import { inferenceService, type GrpcInferRequest, type GrpcInferResponse } from './grpc-proto';
import { checkModel, grpcInferResponse, parseGrpcInferRequest, UnknownModel } from './grpc-protocol';
import { BadRequest, type InferJob } from './infer-protocol';
import { MEASURED_HEADER } from './measured-header';
import { MODEL_VERSION, type ModelSpec } from './model-spec';
import type { StatsRecorder } from './stats';

export interface GrpcContext {
  spec: ModelSpec;
  batching: boolean;
  stats: StatsRecorder;
  /** ServerMetadataResponse. */
  serverMetadata: { name: string; version: string; extensions: string[] };
  /** Triton's model configuration, field names as in model_config.proto (triton-config.ts). */
  modelConfig: Record<string, unknown>;
  /** Set once the dispatcher exists. */
  dispatcher?: Dispatcher;
}

/** Messages as large as the HTTP endpoint's bodies (gRPC's default is 4 MiB). */
export const GRPC_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

type Reply<T> = grpc.sendUnaryData<T>;
type Call<T> = grpc.ServerUnaryCall<T, unknown>;

/** Where a gRPC job's answer goes (InferJob.ctx). */
interface GrpcReply {
  grpc: true;
  callback: Reply<GrpcInferResponse>;
}

const fail = (code: grpc.status, details: string): Partial<grpc.StatusObject> => ({ code, details });

function statusOf(e: unknown): Partial<grpc.StatusObject> {
  if (e instanceof UnknownModel) return fail(grpc.status.NOT_FOUND, e.message);
  if (e instanceof BadRequest || e instanceof RangeError) return fail(grpc.status.INVALID_ARGUMENT, (e as Error).message);
  return fail(grpc.status.INTERNAL, `cannot read request: ${(e as Error)?.message ?? String(e)}`);
}

/** Whether a dispatcher job came in over gRPC. */
export function isGrpcJob(job: InferJob): boolean {
  return (job.ctx as GrpcReply | null)?.grpc === true;
}

/** Answers a finished gRPC infer job (the dispatcher's Deliver, for gRPC jobs). */
export function grpcDeliverer(spec: ModelSpec, stats: StatsRecorder): (job: InferJob, out: Tensors | null, err: Error | null) => void {
  return (job, out, err) => {
    const { callback } = job.ctx as GrpcReply;
    stats.triton.recordDone(out !== null, (performance.now() - job.arrivalMs) * 1e6);
    if (out) callback(null, grpcInferResponse(spec, job.id, out.dims, out.data, job.outputs));
    else if (err instanceof ShuttingDown) callback(fail(grpc.status.UNAVAILABLE, err.message));
    else callback(fail(grpc.status.INTERNAL, `inference failed: ${err?.message ?? 'unknown error'}`));
  };
}

/** The service's handlers, bound to one model. */
export function grpcHandlers(ctx: GrpcContext): grpc.UntypedServiceImplementation {
  const { spec } = ctx;
  const model = (name: string, version: string | undefined, callback: Reply<unknown>, answer: () => unknown): void => {
    try {
      checkModel(spec, name, version);
    } catch (e) {
      return callback(statusOf(e));
    }
    callback(null, answer());
  };
  const metadata = {
    name: spec.name,
    versions: [MODEL_VERSION],
    platform: 'onnxruntime_onnx',
    inputs: spec.inputs.map((io) => ({ name: io.name, datatype: io.datatype, shape: io.shape })),
    outputs: spec.outputs.map((io) => ({ name: io.name, datatype: io.datatype, shape: io.shape })),
  };
  return {
    ServerLive: (_call: Call<unknown>, callback: Reply<unknown>) => callback(null, { live: true }),
    ServerReady: (_call: Call<unknown>, callback: Reply<unknown>) => callback(null, { ready: true }),
    ServerMetadata: (_call: Call<unknown>, callback: Reply<unknown>) => callback(null, ctx.serverMetadata),
    ModelReady: (call: Call<{ name: string; version: string }>, callback: Reply<unknown>) =>
      model(call.request.name, call.request.version, callback, () => ({ ready: true })),
    ModelMetadata: (call: Call<{ name: string; version: string }>, callback: Reply<unknown>) =>
      model(call.request.name, call.request.version, callback, () => metadata),
    ModelConfig: (call: Call<{ name: string; version: string }>, callback: Reply<unknown>) =>
      model(call.request.name, call.request.version, callback, () => ({ config: ctx.modelConfig })),
    ModelStatistics: (call: Call<{ name: string; version: string }>, callback: Reply<unknown>) => {
      // No name: every model's, as Triton answers (here the one).
      if (!call.request.name) return callback(null, { model_stats: [ctx.stats.triton.modelStats(spec.name, MODEL_VERSION)] });
      model(call.request.name, call.request.version, callback, () => ({ model_stats: [ctx.stats.triton.modelStats(spec.name, MODEL_VERSION)] }));
    },
    ModelInfer: (call: Call<GrpcInferRequest>, callback: Reply<GrpcInferResponse>) => {
      let job: InferJob;
      try {
        job = parseGrpcInferRequest(call.request, spec, ctx.batching);
      } catch (e) {
        return callback(statusOf(e));
      }
      job.ctx = { grpc: true, callback } satisfies GrpcReply;
      job.measured = call.metadata.get(MEASURED_HEADER)[0] === '1';
      ctx.dispatcher!.submit(job);
    },
  };
}

/** A gRPC server for the model on host:port (0 = any free port); resolves with the bound port. */
export async function startGrpcServer(ctx: GrpcContext, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
  });
  server.addService(inferenceService(), grpcHandlers(ctx));
  // Our own listener, its connections handed to grpc-js, so they have TCP_NODELAY as node:http's and gRPC C-core's
  // have: grpc-js's own listener leaves Nagle's algorithm on, which may hold a reply's small frames back.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = net.createServer({ noDelay: true }, (socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | null = null;
  return {
    port: (listener.address() as AddressInfo).port,
    // Takes no new connections; lets calls in flight finish (the dispatcher drains them), then cuts what is left.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        listener.close();
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      })),
  };
}
