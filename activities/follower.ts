/**
 * The activities a follower runs on its own hardware: `compile` (cluster tier: one free core, cached) and, per
 * device, `measure` (serve + load pinned to the device's cores) and `compileOnDevice` (the single-tier baseline:
 * the device's own cores, no cache). The node ledger keeps them apart: a measurement holds its cores alone, a
 * compile waits for a core nobody holds, and every result says what else ran on the node meanwhile.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { LLM_SERVER_DEFAULTS } from '../configs/defaults';
import { isLlmApi, type Config } from '../configs/schema';
import { settingsOf } from '../configs/settings';
import { releaseLeaseSignal, schedulerWorkflowId, type DeviceInfo } from '../workflows/scheduler/messages';
import { externalServerUnavailable, invalidConfig, serverCrashed, serverStartFailed, systemUnavailable } from '../workflows/failures';
import { FOLLOWER_HEARTBEAT_MS } from '../workflows/timings';
import { findCompiled } from './compile/compile';
import { compileInChild } from './compile/compile-process';
import { serverOwnedModel } from './compile/server-owned-model';
import type { Artifact, CompileSpec } from './compile/types';
import { keepHeartbeating as keepHeartbeatingEvery } from './heartbeat';
import type { LoadTarget } from './loadgen/driver';
import { keepLoadGenerator, takeLoadGenerator, type LoadGenerator } from './loadgen/loadgen-process';
import { encodeRequest, type RequestBody } from './inputs/body';
import { llmRequests, localGgufOf } from './inputs/llm-requests';
import { describeIssues, inputSettings, prepareRequests } from './inputs/prepare';
import { shapesSent } from './inputs/requests';
import { fetchModelMetadata, type ModelMetadata } from './loadgen/request';
import { encodeGrpcRequest } from './inputs/grpc-body';
import type { RequestTensor } from './inputs/types';
import { fetchModelMetadataGrpc, grpcServerReady } from './loadgen/grpc-metadata';
import { formatCpuList } from './probe/devices';
import { probeHost, type HostFacts } from './probe/host';
import { peakCompute } from './probe/peak-compute';
import { NodeLedger, type Claim } from './probe/node-ledger';
import { startSampler } from './probe/sampler';
import { executionProviderProblem } from './serve/execution-provider';
import { attachExternalServer, ExternalServerError } from './serve/external';
import { attachOpenAiServer } from './serve/openai-external';
import { spawnLlmServer } from './serve/llm/llm-process';
import { spawnServer } from './serve/server-process';
import { startSystem, SystemUnavailableError } from './serve/systems/start-system';
import type { ServerStats } from './serve/types';
import type { CompileInput, CompileOnDeviceInput, CompileResult, MeasureInput, MeasureResult } from './types';

export interface FollowerContext {
  cluster: string;
  node: string;
  cacheDir: string;
  /** The device `measure` and `compileOnDevice` run on; default the whole host as device `cpu`. */
  device?: DeviceInfo;
  /** What runs on this node's cores; default the process-wide ledger (nodeLedger()). */
  ledger?: NodeLedger;
}

let processLedger: NodeLedger | undefined;

/** The ledger of this process: every worker of a follower shares it, so compiles and measurements see each other. */
export function nodeLedger(): NodeLedger {
  return (processLedger ??= new NodeLedger({ cores: cpus().length }));
}

const wholeHost = (): DeviceInfo => ({ name: 'cpu', type: 'cpu', cores: Array.from({ length: cpus().length }, (_, i) => i) });

const compileSpec = (config: Config): CompileSpec => ({ model: config.model, graphOptimization: config.compile.graphOptimization, feed: inputSettings(config) });

/** Beats with the latest details, whatever the activity is waiting on: a dead follower falls silent. */
const keepHeartbeating = (details: () => unknown) => keepHeartbeatingEvery(FOLLOWER_HEARTBEAT_MS, details);

/** Heartbeat details while a claim waits: who holds the cores. */
function waitingFor(ledger: NodeLedger, cores: number[] | null, what: string): () => unknown {
  return () => ({ waiting: what, holders: ledger.holders(cores ?? Array.from({ length: ledger.cores }, (_, c) => c)).map((a) => `${a.kind} ${a.jobId}`) });
}

export function createClusterActivities(ctx: FollowerContext) {
  const ledger = ctx.ledger ?? nodeLedger();
  return {
    /** Any node of the cluster: one core nobody holds, the artifact cache. */
    async compile({ jobId, config }: CompileInput): Promise<CompileResult> {
      // A cache hit takes no core: it must not wait behind measurements for one.
      const startedAt = new Date().toISOString();
      const owned = serverOwnedModel(config);
      if (owned) return nothingCompiled(ctx, owned, startedAt);
      const cached = await findCompiled(compileSpec(config), { cacheDir: ctx.cacheDir });
      if (cached) return { node: ctx.node, artifact: cached, attempt: Context.current().info.attempt, startedAt, finishedAt: new Date().toISOString(), cores: [], pinned: false, waitedMs: 0 };
      return pinnedCompile(ctx, ledger, jobId, config, null);
    },
  };
}

export function createDeviceActivities(ctx: FollowerContext) {
  const ledger = ctx.ledger ?? nodeLedger();
  const device = ctx.device ?? wholeHost();
  return {
    /** Single-tier baseline: compile on this device's own cores, in a fresh directory (no cache). */
    async compileOnDevice({ jobId, config }: CompileOnDeviceInput): Promise<CompileResult> {
      const owned = serverOwnedModel(config);
      if (owned) return { ...nothingCompiled(ctx, owned, new Date().toISOString()), device: device.name };
      return pinnedCompile(ctx, ledger, jobId, config, device);
    },

    async measure({ jobId, config, artifact, lease }: MeasureInput): Promise<MeasureResult> {
      const activity = Context.current();
      let progress = waitingFor(ledger, device.cores, `${device.name}'s cores`);
      const stopHeartbeat = keepHeartbeating(() => progress());
      try {
        const claim = await ledger.claimMeasure(jobId, device.name, device.cores, { signal: activity.cancellationSignal, gpu: device.type === 'gpu' });
        let result: MeasureResult;
        try {
          const measured = await measureOn(ctx, device, activity, config, artifact, (p) => (progress = () => p));
          result = { ...measured, concurrent: ledger.overlapping(claim.activity.startedAt, Date.now(), claim.activity) };
        } finally {
          claim.release();
        }
        // Server stopped, cores free: the device goes back now. The next job's measurement still starts only once
        // this activity has completed (the device's worker runs one activity at a time).
        if (lease) await releaseDevice(activity, lease);
        return result;
      } finally {
        stopHeartbeat();
      }
    },
  };
}

/** An external endpoint's own model (serving.api openai-*, no model in the config): nothing compiled, no core taken. */
function nothingCompiled(ctx: FollowerContext, artifact: Artifact, startedAt: string): CompileResult {
  return { node: ctx.node, artifact, attempt: Context.current().info.attempt, startedAt, finishedAt: new Date().toISOString(), cores: [], pinned: false, waitedMs: 0 };
}

/**
 * Gives a measured device's lease back to the cluster's scheduler. Best effort: the benchmark workflow releases
 * the lease too (a second release of a lease is a no-op), so a signal that fails only costs the time saved.
 */
async function releaseDevice(activity: Context, { cluster, requestId }: { cluster: string; requestId: string }): Promise<void> {
  try {
    await activity.client.workflow.getHandle(schedulerWorkflowId(cluster)).signal(releaseLeaseSignal, { requestId, outcome: 'done' });
  } catch {
    // No client (a test's mock environment), no scheduler, server unreachable: the workflow's release follows.
  }
}

/** All of a follower's activities on one device (tests, tools); workers/follower.ts creates them per tier and device. */
export function createFollowerActivities(ctx: FollowerContext) {
  return { ...createClusterActivities(ctx), ...createDeviceActivities(ctx) };
}

export type FollowerActivities = ReturnType<typeof createFollowerActivities>;

/**
 * Compile in a child process pinned to the cores the ledger grants: one free core (cluster tier, cached), or
 * the device's (single tier, uncached: a fresh directory per attempt, so every job pays its compile).
 */
async function pinnedCompile(ctx: FollowerContext, ledger: NodeLedger, jobId: string, config: Config, device: DeviceInfo | null): Promise<CompileResult> {
  const activity = Context.current();
  const signal = activity.cancellationSignal;
  const queuedAt = Date.now();
  let progress = waitingFor(ledger, device?.cores ?? null, device ? `${device.name}'s cores` : 'a free core');
  const stopHeartbeat = keepHeartbeating(() => progress());
  try {
    const claim: Claim = device
      ? await ledger.claimCompile(jobId, device.cores, { signal, device: device.name })
      : await ledger.claimCompile(jobId, undefined, { signal });
    try {
      const cpuList = formatCpuList(claim.cores);
      progress = () => `compiling on core ${cpuList}`;
      const cacheDir = device ? await freshDir(ctx.cacheDir, jobId, activity.info.attempt) : ctx.cacheDir;
      const { artifact, pinned } = await compileInChild(compileSpec(config), { cacheDir }, { cpuList, signal });
      const result: CompileResult = {
        node: ctx.node,
        artifact,
        attempt: activity.info.attempt,
        startedAt: claim.activity.startedAt,
        finishedAt: new Date().toISOString(),
        cores: claim.cores,
        pinned,
        waitedMs: new Date(claim.activity.startedAt).getTime() - queuedAt,
      };
      if (device) result.device = device.name;
      return result;
    } finally {
      claim.release();
    }
  } finally {
    stopHeartbeat();
  }
}

/** `<cacheDir>/uncached/<jobId>-<attempt>`, emptied: a cache of one that never hits. */
async function freshDir(cacheDir: string, jobId: string, attempt: number): Promise<string> {
  const dir = path.join(cacheDir, 'uncached', `${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}-${attempt}`);
  await fs.rm(dir, { recursive: true, force: true });
  return dir;
}

/** The server a measurement drives: the built-in one or a peer system in child processes, or an external endpoint (no stats, no pid). */
interface MeasuredServer {
  url: string;
  /** host:port of its gRPC endpoint, where the job measures over gRPC. */
  grpcTarget?: string;
  modelName: string;
  /** 0 for an external server: the sampler then records no server process. */
  pid: number;
  /** An external server is not ours to pin: true. */
  pinned: boolean;
  /** Its KServe v2 model metadata; none for an OpenAI-compatible (LLM) server. */
  meta?: ModelMetadata;
  /** Called when the measured window opens (a peer system snapshots its statistics there). */
  markWindowStart?(): void;
  /** Resolves with what happened if the server process dies before stop() (the built-in server). */
  died?: Promise<string>;
  stats(): Promise<ServerStats | null>;
  stop(): Promise<void>;
}

/** Attach to serving.endpoint; the artifact is not used. Unreachable, non-v2 or not serving the model → non-retryable. */
async function attachServer(config: Config): Promise<MeasuredServer> {
  const s = config.serving;
  const modelName = s.model!;
  const endpoint = s.endpoint!;
  if (isLlmApi(s.api)) return attachOpenAi(endpoint, modelName);
  let meta: ModelMetadata;
  try {
    if (s.protocol === 'grpc') {
      await grpcServerReady(endpoint);
      meta = await fetchModelMetadataGrpc(endpoint, modelName);
    } else meta = await attachExternalServer(endpoint, modelName);
  } catch (e) {
    if (e instanceof ExternalServerError) throw externalServerUnavailable(e.message);
    // A gRPC endpoint that does not answer, or has not got the model: as unreachable as an HTTP one.
    if (s.protocol === 'grpc') throw externalServerUnavailable(`serving.endpoint ${endpoint}, serving.model "${modelName}": ${(e as Error).message}`);
    throw e;
  }
  const url = endpoint.replace(/\/+$/, '');
  return { url, grpcTarget: s.protocol === 'grpc' ? endpoint : undefined, modelName, pid: 0, pinned: true, meta, stats: async () => null, stop: async () => undefined };
}

/** An external OpenAI-compatible server: it must list serving.model at GET /v1/models. */
async function attachOpenAi(endpoint: string, modelName: string): Promise<MeasuredServer> {
  let url: string;
  try {
    url = await attachOpenAiServer(endpoint, modelName);
  } catch (e) {
    if (e instanceof ExternalServerError) throw externalServerUnavailable(e.message);
    throw e;
  }
  return { url, modelName, pid: 0, pinned: true, stats: async () => null, stop: async () => undefined };
}

/** Start the built-in server on the artifact (rebuilt here, on the device's cores, if this host lacks it), pinned to the device. */
async function startBuiltIn(ctx: FollowerContext, device: DeviceInfo, config: Config, artifact: Artifact, signal: AbortSignal): Promise<MeasuredServer> {
  const s = config.serving;
  if (isLlmApi(s.api) !== (artifact.gguf !== undefined)) {
    throw invalidConfig(
      artifact.gguf
        ? `model.path ${artifact.modelName} is a GGUF model: the built-in server serves it with serving.api openai-completions or openai-chat, not ${s.api ?? 'kserve-v2'}`
        : `serving.api ${s.api}: the built-in LLM server serves a GGUF model.path, and ${artifact.modelName} is ONNX`,
    );
  }
  if (artifact.gguf) return startLlmServer(ctx, device, config, artifact, signal);
  const problem = executionProviderProblem(s.executionProvider);
  if (problem) throw invalidConfig(`${problem} (node ${ctx.node})`);
  const cpuList = formatCpuList(device.cores);
  const model = await artifactHere(ctx, config, artifact, cpuList, signal);
  const server = await spawnServer({
    modelPath: model.path,
    modelName: model.modelName,
    instances: s.instances,
    intraOpThreads: s.intraOpThreads,
    interOpThreads: s.interOpThreads,
    batching: s.batching,
    executionProvider: s.executionProvider,
    // Its gRPC endpoint on any free port, beside the HTTP one (which serves its statistics).
    grpcPort: s.protocol === 'grpc' ? 0 : undefined,
    cpuList,
    env: deviceEnv(device),
  });
  try {
    const meta = await fetchModelMetadata(server.url, model.modelName);
    return { ...server, modelName: model.modelName, meta };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * The built-in LLM server (node-llama-cpp) on the GGUF artifact, pinned to the device, its threads
 * serving.intraOpThreads. It serves the model as the artifact's modelName; it has no KServe metadata.
 */
async function startLlmServer(ctx: FollowerContext, device: DeviceInfo, config: Config, artifact: Artifact, signal: AbortSignal): Promise<MeasuredServer> {
  const s = config.serving;
  const cpuList = formatCpuList(device.cores);
  const model = await artifactHere(ctx, config, artifact, cpuList, signal);
  return spawnLlmServer({
    modelPath: model.path,
    modelName: model.modelName,
    parallel: s.llm?.parallel ?? LLM_SERVER_DEFAULTS.parallel,
    contextSize: s.llm?.contextSize ?? LLM_SERVER_DEFAULTS.contextSize,
    threads: s.intraOpThreads,
    cpuList,
    env: deviceEnv(device),
  });
}

/** A GPU device's server sees only its own GPU. */
const deviceEnv = (device: DeviceInfo): Record<string, string> | undefined =>
  device.gpuIndex !== undefined ? { CUDA_VISIBLE_DEVICES: String(device.gpuIndex) } : undefined;

/** The artifact cache is per host; rebuild it here if this host has not got it (same hash, same bytes). */
async function artifactHere(ctx: FollowerContext, config: Config, artifact: Artifact, cpuList: string, signal: AbortSignal): Promise<Artifact> {
  return existsSync(artifact.path) ? artifact : (await compileInChild(compileSpec(config), { cacheDir: ctx.cacheDir }, { cpuList, signal })).artifact;
}

/**
 * Start serving.system (triton, mlserver, command) on the artifact, pinned to the device, with the job's settings
 * mapped to its own configuration (activities/serve/systems/). A system that is not installed, or that does not
 * get ready (its log tail is in the message), fails the job: retrying the same start on this device will not help.
 */
async function startPeerSystem(ctx: FollowerContext, device: DeviceInfo, config: Config, artifact: Artifact, signal: AbortSignal): Promise<MeasuredServer> {
  const cpuList = formatCpuList(device.cores);
  const model = await artifactHere(ctx, config, artifact, cpuList, signal);
  try {
    return await startSystem(config.serving, model, cpuList, signal, deviceEnv(device));
  } catch (e) {
    if (signal.aborted) throw new CancelledFailure(`serving.system "${config.serving.system}" start cancelled`);
    const failure = e instanceof SystemUnavailableError ? systemUnavailable : serverStartFailed;
    throw failure(`${(e as Error).message} (node ${ctx.node}, device ${device.name})`);
  }
}

/** Serve (or attach to) the model, drive the workload from a pinned child against it, and stop both in every outcome. */
async function measureOn(
  ctx: FollowerContext,
  device: DeviceInfo,
  activity: Context,
  config: Config,
  artifact: Artifact,
  report: (p: unknown) => void,
): Promise<Omit<MeasureResult, 'concurrent'>> {
  const host = await measuredHost(device, config);
  const serveStartedAt = new Date().toISOString();
  report('starting the server');
  const signal = activity.cancellationSignal;
  const server =
    config.serving.endpoint !== undefined
      ? await attachServer(config)
      : (config.serving.system ?? 'builtin') === 'builtin'
        ? await startBuiltIn(ctx, device, config, artifact, signal)
        : await startPeerSystem(ctx, device, config, artifact, signal);
  let loadgen: LoadGenerator | undefined;
  // A server that dies under the load stops it at once: its refused requests are no measurement.
  const crash = new AbortController();
  let crashed: string | undefined;
  void server.died?.then((why) => {
    crashed = why;
    crash.abort();
  });
  const failIfCrashed = () => {
    if (crashed) throw serverCrashed(`${crashed} during the measurement (node ${ctx.node}, device ${device.name})`);
  };
  // A generator whose run ended cleanly serves the device's next measurement; any other is killed.
  let reusable = false;
  const cpuList = formatCpuList(device.cores);
  try {
    loadgen = takeLoadGenerator(cpuList);
    // A CPU device's run is not charged for the host's GPUs; a GPU device's for its own only.
    const gpus = host.gpus.filter((g) => g.index === device.gpuIndex);
    const sampler = startSampler({ serverPid: server.pid, loadgenPid: loadgen.pid, gpus });
    try {
      const settings = settingsOf(config);
      const requests = await jobRequests(config, server, signal);
      const grpc = config.serving.protocol === 'grpc';
      if (grpc && !server.grpcTarget) throw new Error(`serving.protocol grpc: the server has no gRPC endpoint`);
      const load = await loadgen.run({
        baseUrl: grpc ? server.grpcTarget! : server.url,
        protocol: config.serving.protocol,
        modelName: server.modelName,
        ...requests.target,
        ...settings,
        signal: AbortSignal.any([activity.cancellationSignal, crash.signal]),
        // Server statistics describe the measured window only, like the client's: the load generator marks its
        // measured requests, and the built-in server counts just those (activities/serve/stats.ts).
        onWindowStart: () => {
          sampler.markWindowStart();
          server.markWindowStart?.();
        },
        onProgress: report,
      }).catch((e: unknown) => {
        failIfCrashed();
        throw e;
      });
      failIfCrashed();
      // A measurement cut short (worker shutdown, cancellation) is not a result: fail so the attempt is retried.
      if (load.aborted) throw new CancelledFailure(`measurement interrupted after ${Math.round(load.measuredMs)} of ${settings.durationMs} ms`);
      reusable = true;
      const serverStats = await server.stats().catch((e: unknown) => {
        failIfCrashed();
        throw e;
      });
      failIfCrashed();
      const samples = sampler.stop();
      return {
        node: ctx.node,
        device: device.name,
        cores: [...device.cores],
        pinned: server.pinned && loadgen.pinned,
        host,
        attempt: activity.info.attempt,
        serveStartedAt,
        finishedAt: new Date().toISOString(),
        load,
        serverStats,
        samples,
        inputShapes: requests.shapes,
        tensorFormat: settings.tensorFormat,
        settings,
        protocol: config.serving.protocol,
        ...(requests.prompts ? { api: config.serving.api, prompts: requests.prompts } : {}),
      };
    } finally {
      sampler.stop();
    }
  } finally {
    if (loadgen && reusable) keepLoadGenerator(loadgen, cpuList);
    else await loadgen?.kill();
    await server.stop();
  }
}

/**
 * The host's facts, with the device's compute peak for a CPU device (measured once per process and device). An
 * external endpoint computes on hardware of its own, which this host's peak would misdescribe: none then.
 */
async function measuredHost(device: DeviceInfo, config: Config): Promise<HostFacts> {
  const host = await probeHost();
  if (device.type !== 'cpu' || config.serving.endpoint !== undefined) return host;
  const peak = await peakCompute(formatCpuList(device.cores), device.cores.length);
  return { ...host, peakGflops: peak?.gflops ?? null, ...(peak ? { peakMethod: peak.method } : {}) };
}

/**
 * What the job sends: LLM request bodies from workload.prompts (serving.api openai-*: no KServe metadata is read),
 * or KServe v2 tensors for the served model's inputs.
 */
async function jobRequests(config: Config, server: MeasuredServer, signal: AbortSignal): Promise<{ target: Pick<LoadTarget, 'bodies' | 'api' | 'llmBodies' | 'tokenizerModel'>; shapes?: MeasureResult['inputShapes']; prompts?: MeasureResult['prompts'] }> {
  if (isLlmApi(config.serving.api)) {
    const built = await llmRequests(config, server.modelName, signal);
    const { bodies, ...prompts } = built;
    return { target: { api: config.serving.api, llmBodies: bodies, tokenizerModel: localGgufOf(config) }, prompts: { ...prompts, distinct: bodies.length } };
  }
  if (!server.meta) throw new Error(`the server at ${server.url} gave no KServe v2 model metadata`);
  const inputs = requestBodies(config, server.meta, server.modelName);
  return { target: { bodies: inputs.bodies }, shapes: inputs.shapes };
}

/**
 * Every distinct request body for the served model's inputs (built once, before the clock starts), and the
 * shapes they carry. A config the model cannot take is non-retryable (validate catches it for model files).
 */
function requestBodies(config: Config, meta: ModelMetadata, modelName: string): { bodies: RequestBody[]; shapes: Record<string, number[] | number[][]> } {
  const prepared = prepareRequests(meta.inputs, inputSettings(config));
  if (!prepared.requests) throw invalidConfig(`model "${meta.name}": ${describeIssues(prepared.issues)}`);
  const format = config.workload.tensorFormat;
  // gRPC: serialised ModelInferRequests (binary: raw_input_contents, json: typed contents).
  const encode = (r: RequestTensor[]): RequestBody => (config.serving.protocol === 'grpc' ? encodeGrpcRequest(modelName, r, format) : encodeRequest(r, format));
  try {
    return { bodies: prepared.requests.map(encode), shapes: shapesSent(prepared.requests) };
  } catch (e) {
    throw invalidConfig((e as Error).message);
  }
}
