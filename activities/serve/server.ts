/**
 * The built-in KServe v2 (Open Inference Protocol) server: node:http in front
 * (and, when asked, a gRPC endpoint: grpc-handler.ts), onnxruntime-node
 * instances in worker threads behind, dynamic batching in between.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Dispatcher } from './dispatcher';
import { grpcDeliverer, isGrpcJob, startGrpcServer } from './grpc-handler';
import { createHandler, deliverer, type HandlerContext } from './http-handler';
import { startPool } from './instance-pool';
import { unbatchableReason } from './batchable';
import { buildModelSpec } from './model-spec';
import { invalidConfig } from '../../workflows/failures';
import { StatsRecorder } from './stats';
import { tritonModelConfig } from './triton-config';
import type { RunningServer, ServerOptions } from './types';

export type { BatchingOptions, RunningServer, ServerOptions, ServerStats } from './types';

/** Triton extensions served (GET /v2), so Triton clients such as perf_analyzer accept this server. */
export const SERVER_EXTENSIONS = ['binary_tensor_data', 'statistics', 'model_configuration'];

/** How long close() lets queued and running requests finish before failing them. */
const DRAIN_MS = 5000;

function optionProblems(o: ServerOptions): string[] {
  const p: string[] = [];
  const posInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
  if (!o.modelPath) p.push('modelPath is required');
  if (!o.modelName || o.modelName.includes('/')) p.push('modelName must be non-empty and contain no "/"');
  if (o.modelName === 'stats') p.push('modelName "stats" would shadow GET /v2/models/stats');
  if (!posInt(o.instances)) p.push('instances must be an integer >= 1');
  if (!Number.isSafeInteger(o.intraOpThreads) || o.intraOpThreads < 0) p.push('intraOpThreads must be an integer >= 0 (0 = onnxruntime default)');
  if (!Number.isSafeInteger(o.interOpThreads) || o.interOpThreads < 0) p.push('interOpThreads must be an integer >= 0 (0 = onnxruntime default)');
  if (o.port !== undefined && !(Number.isSafeInteger(o.port) && o.port >= 0 && o.port <= 65535)) p.push('port must be 0..65535');
  if (o.grpcPort !== undefined && !(Number.isSafeInteger(o.grpcPort) && o.grpcPort >= 0 && o.grpcPort <= 65535)) p.push('grpcPort must be 0..65535');
  if (o.batching) {
    if (!posInt(o.batching.maxBatchSize)) p.push('batching.maxBatchSize must be an integer >= 1');
    if (!(o.batching.maxQueueDelayMs >= 0)) p.push('batching.maxQueueDelayMs must be >= 0');
  }
  return p;
}

function serverVersion(): string {
  // From sources the package root is ../..; from dist/, ../../..
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'servebench' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const problems = optionProblems(opts);
  // Bad input, not bad luck: non-retryable, so a job does not try it on device after device.
  if (problems.length > 0) throw invalidConfig(`invalid server options: ${problems.join('; ')}`);
  const host = opts.host ?? '127.0.0.1';

  const pool = await startPool(
    { modelPath: opts.modelPath, intraOpThreads: opts.intraOpThreads, interOpThreads: opts.interOpThreads, executionProvider: opts.executionProvider },
    opts.instances,
  );
  const spec = buildModelSpec(opts.modelName, pool.inputs, pool.outputs);
  const stopPool = () => Promise.all(pool.instances.map((i) => i.terminate()));
  const unbatchable = opts.batching ? unbatchableReason(spec.name, [...spec.inputs, ...spec.outputs]) : null;
  if (unbatchable) {
    await stopPool();
    throw invalidConfig(`serving.batching: ${unbatchable}`);
  }

  const stats = new StatsRecorder();
  const serverMetadata = { name: 'servebench', version: serverVersion(), extensions: SERVER_EXTENSIONS };
  const modelConfig = tritonModelConfig(spec, { instances: opts.instances, batching: opts.batching, executionProvider: opts.executionProvider });
  const ctx: HandlerContext = {
    spec,
    batching: opts.batching !== undefined,
    stats,
    serverMetadataJson: JSON.stringify(serverMetadata),
    modelConfigJson: JSON.stringify(modelConfig),
  };
  const toHttp = deliverer(spec, stats);
  const toGrpc = grpcDeliverer(spec, stats);
  // One dispatcher for both endpoints: their requests batch together and share the statistics.
  ctx.dispatcher = new Dispatcher(pool.instances, spec, opts.batching, stats, (job, out, err) => (isGrpcJob(job) ? toGrpc : toHttp)(job, out, err));

  const server = http.createServer({ keepAlive: true, noDelay: true }, createHandler(ctx));
  // Load generators hold connections open between requests; don't drop them after Node's 5 s default.
  server.keepAliveTimeout = 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await stopPool();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let grpcServer: Awaited<ReturnType<typeof startGrpcServer>> | undefined;
  if (opts.grpcPort !== undefined) {
    try {
      grpcServer = await startGrpcServer({ spec, batching: ctx.batching, stats, serverMetadata, modelConfig, dispatcher: ctx.dispatcher }, host, opts.grpcPort);
    } catch (e) {
      server.close();
      await stopPool();
      throw new Error(`cannot serve gRPC on ${host}:${opts.grpcPort}: ${(e as Error).message}`, { cause: e });
    }
  }

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Takes no new calls; resolves once those in flight are answered (the drain below answers them).
      const grpcClosed = grpcServer?.close();
      await ctx.dispatcher!.drain(DRAIN_MS);
      await grpcClosed;
      // Let the last responses flush before cutting connections that are still open.
      server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
      server.closeAllConnections();
      await closed;
      await stopPool();
    })());

  return { url, port, grpcPort: grpcServer?.port, stats: () => stats.snapshot(), close };
}
