/**
 * The activities a follower runs on its own hardware: compile (cluster tier) and measure = serve + load
 * (device tier). Created per worker with the node's identity, so results say where they were measured.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import type { Config } from '../configs/schema';
import { compileModel } from './compile';
import type { Artifact, CompileSpec } from './compile/types';
import { runLoad } from './loadgen/driver';
import { workloadOptions } from './loadgen/options';
import { buildInferBody, fetchModelMetadata, type ModelMetadata } from './loadgen/request';
import { probeHost } from './probe/host';
import { startSampler } from './probe/sampler';
import { executionProviderProblem } from './serve/execution-provider';
import { attachExternalServer, ExternalServerError } from './serve/external';
import { spawnServer } from './serve/server-process';
import type { ServerStats } from './serve/types';
import type { CompileInput, CompileResult, MeasureInput, MeasureResult } from './types';

export interface FollowerContext {
  cluster: string;
  node: string;
  devices: string[];
  cacheDir: string;
}

const compileSpec = (config: Config): CompileSpec => ({ model: config.model, graphOptimization: config.compile.graphOptimization });

/** Heartbeat period: a dead worker is noticed within the workflow's heartbeat timeout (10 s for measure). */
const HEARTBEAT_MS = 1_000;

/** Beats every HEARTBEAT_MS with the latest details, whatever the activity is waiting on; returns a stop function. */
function keepHeartbeating(details: () => unknown): () => void {
  const activity = Context.current();
  const timer = setInterval(() => activity.heartbeat(details()), HEARTBEAT_MS);
  return () => clearInterval(timer);
}

export function createFollowerActivities(ctx: FollowerContext) {
  return {
    async compile({ config }: CompileInput): Promise<CompileResult> {
      if (!ctx.devices.includes(config.target.device)) {
        throw ApplicationFailure.nonRetryable(
          `target.device: no device "${config.target.device}" on cluster "${ctx.cluster}" (node ${ctx.node} has: ${ctx.devices.join(', ')})`,
          'InvalidConfig',
        );
      }
      const startedAt = new Date().toISOString();
      const stopHeartbeat = keepHeartbeating(() => 'compiling');
      try {
        const artifact = await compileModel(compileSpec(config), { cacheDir: ctx.cacheDir });
        return { node: ctx.node, artifact, attempt: Context.current().info.attempt, startedAt, finishedAt: new Date().toISOString() };
      } finally {
        stopHeartbeat();
      }
    },

    async measure({ config, artifact }: MeasureInput): Promise<MeasureResult> {
      const activity = Context.current();
      let progress: unknown = 'starting the server';
      const stopHeartbeat = keepHeartbeating(() => progress);
      try {
        return await measureOn(ctx, activity, config, artifact, (p) => (progress = p));
      } finally {
        stopHeartbeat();
      }
    },
  };
}

/** The server a measurement drives: the built-in one in a child process, or an external endpoint (no stats, no pid). */
interface MeasuredServer {
  url: string;
  modelName: string;
  /** 0 for an external server: the sampler then records no server process. */
  pid: number;
  meta: ModelMetadata;
  stats(): Promise<ServerStats | null>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

/** Attach to serving.endpoint; the artifact is not used. Unreachable or non-v2 → non-retryable. */
async function attachServer(config: Config): Promise<MeasuredServer> {
  const s = config.serving;
  const modelName = s.model!;
  let meta: ModelMetadata;
  try {
    meta = await attachExternalServer(s.endpoint!, modelName);
  } catch (e) {
    if (e instanceof ExternalServerError) throw ApplicationFailure.nonRetryable(e.message, 'ExternalServerUnavailable');
    throw e;
  }
  const none = async () => undefined;
  return { url: s.endpoint!.replace(/\/+$/, ''), modelName, pid: 0, meta, stats: async () => null, resetStats: none, stop: none };
}

/** Start the built-in server on the artifact (rebuilt here if this host lacks it). */
async function startBuiltIn(ctx: FollowerContext, config: Config, artifact: Artifact): Promise<MeasuredServer> {
  const s = config.serving;
  const problem = executionProviderProblem(s.executionProvider);
  if (problem) throw ApplicationFailure.nonRetryable(`${problem} (node ${ctx.node})`, 'InvalidConfig');
  // The artifact cache is per host; rebuild it here if this host has not got it (same hash, same bytes).
  const model = existsSync(artifact.path) ? artifact : await compileModel(compileSpec(config), { cacheDir: ctx.cacheDir });
  const server = await spawnServer({
    modelPath: model.path,
    modelName: model.modelName,
    instances: s.instances,
    intraOpThreads: s.intraOpThreads,
    interOpThreads: s.interOpThreads,
    batching: s.batching,
    executionProvider: s.executionProvider,
  });
  try {
    const meta = await fetchModelMetadata(server.url, model.modelName);
    return { ...server, url: server.url, pid: server.pid, modelName: model.modelName, meta };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Serve (or attach to) the model, drive the workload against it, and stop the server in every outcome. */
async function measureOn(
  ctx: FollowerContext,
  activity: Context,
  config: Config,
  artifact: Artifact,
  report: (p: unknown) => void,
): Promise<MeasureResult> {
  const host = await probeHost();
  const serveStartedAt = new Date().toISOString();
  const server = config.serving.endpoint !== undefined ? await attachServer(config) : await startBuiltIn(ctx, config, artifact);
  const sampler = startSampler({ serverPid: server.pid, gpus: host.gpus });
  try {
    const w = config.workload;
    const load = await runLoad({
      baseUrl: server.url,
      modelName: server.modelName,
      body: Buffer.from(buildInferBody(server.meta, w.batchSize, w.seed)),
      ...workloadOptions(config),
      signal: activity.cancellationSignal,
      // Server statistics describe the measured window only, like the client's.
      onWindowStart: () => {
        sampler.markWindowStart();
        void server.resetStats().catch(() => undefined);
      },
      onProgress: report,
    });
    // A measurement cut short (worker shutdown, cancellation) is not a result: fail so the attempt is retried.
    if (load.aborted) throw new CancelledFailure(`measurement interrupted after ${Math.round(load.measuredMs)} of ${w.duration} ms`);
    const serverStats = await server.stats();
    const samples = sampler.stop();
    return {
      node: ctx.node,
      device: config.target.device,
      host,
      attempt: activity.info.attempt,
      serveStartedAt,
      finishedAt: new Date().toISOString(),
      load,
      serverStats,
      samples,
    };
  } finally {
    sampler.stop();
    await server.stop();
  }
}

export type FollowerActivities = ReturnType<typeof createFollowerActivities>;
