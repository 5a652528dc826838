/**
 * Starting a peer serving system (triton, mlserver, command) on a device for one measurement: its
 * configuration written from the job's settings, the process group pinned to the device's cores, readiness
 * awaited, the model's metadata read, and its statistics read back for the measured window.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isLlmApi, type Config } from '../../../configs/schema';
import { freePorts } from '../../../workers/ports';
import type { Artifact } from '../../compile/types';
import { fetchModelMetadata, type ModelMetadata } from '../../loadgen/request';
import type { ServerStats } from '../types';
import { commandSpec } from './command-spec';
import { mlserverModelSettings, mlserverSettings } from './mlserver-config';
import { servedModelId } from './openai-models';
import { startSystemProcess, type SystemLaunch, type SystemProcess } from './system-process';
import { tritonSpec } from './triton-spec';
import { mlserverMetricsDelta, modelMetricSums, tritonMetricsDelta, type MetricSums } from './prometheus-stats';
import { modelStatsOf, tritonStatsDelta, type TritonModelStats } from './triton-stats-delta';

/** The system is not installed here: retrying on this host will not help. */
export class SystemUnavailableError extends Error {}

export interface StartedSystem {
  url: string;
  /** host:port of its KServe v2 gRPC endpoint (every system here serves one on 127.0.0.1). */
  grpcTarget: string;
  modelName: string;
  pid: number;
  pinned: boolean;
  meta: ModelMetadata;
  /** Call when the measured window opens: the statistics snapshot the window's numbers are counted from (resolves once taken). */
  markWindowStart(): Promise<void>;
  /** The window's server statistics; null where the system publishes none servebench reads. */
  stats(): Promise<ServerStats | null>;
  stop(): Promise<void>;
}

/** The repository root: the nearest directory above this file holding package.json (from src/ or dist/). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'activities'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no servebench checkout above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** Where the Python sources of the systems live (not compiled: read from the checkout). */
const scriptsDir = () => path.join(repoRoot(), 'activities', 'serve', 'systems');

/** The systems' virtualenv: $SERVEBENCH_SYSTEMS_VENV, else .venv-systems in the checkout (npm run setup). */
function systemsVenv(system: string): string {
  const venv = process.env.SERVEBENCH_SYSTEMS_VENV ?? path.join(repoRoot(), '.venv-systems');
  if (!existsSync(path.join(venv, 'bin', 'python'))) {
    throw new SystemUnavailableError(`serving.system "${system}" needs the serving systems' virtualenv at ${venv}: run \`npm run setup\` (or set SERVEBENCH_SYSTEMS_VENV)`);
  }
  return venv;
}

type Model = Pick<Artifact, 'path' | 'modelName' | 'inputs' | 'outputs'>;

interface Prepared {
  launch: SystemLaunch;
  port: number;
  grpcPort: number;
  /** Whether the system serves Triton's statistics endpoint. */
  tritonStats: boolean;
  /** The system's Prometheus /metrics, and how its window's deltas map to server statistics. */
  metrics?: { url: string; delta: (start: MetricSums, end: MetricSums) => ServerStats };
  /** Removed after the process group has stopped. */
  scratch?: string;
}

async function prepare(serving: Config['serving'], model: Model, cpuList: string): Promise<Prepared> {
  const system = serving.system;
  const readyOf = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;
  const modelReady = `/v2/models/${encodeURIComponent(model.modelName)}/ready`;
  if (system === 'triton') {
    const venv = systemsVenv(system);
    const [http, grpc, metrics] = await freePorts(3);
    const ports = { http, grpc, metrics };
    const scratch = mkdtempSync(path.join(tmpdir(), 'sb-triton-'));
    // PyTriton creates its workspace itself (and refuses one that exists).
    const spec = tritonSpec(serving, model, ports, path.join(scratch, 'workspace'));
    const launch = { system, cmd: path.join(venv, 'bin', 'python'), args: [path.join(scriptsDir(), 'triton_serve.py'), JSON.stringify(spec)], readyUrl: readyOf(ports.http, modelReady) };
    const scrape = { url: `http://127.0.0.1:${ports.metrics}/metrics`, delta: tritonMetricsDelta };
    return { launch, port: ports.http, grpcPort: ports.grpc, tritonStats: true, metrics: scrape, scratch };
  }
  if (system === 'mlserver') {
    const venv = systemsVenv(system);
    const [http, grpc, metrics] = await freePorts(3);
    const ports = { http, grpc, metrics };
    const scratch = mkdtempSync(path.join(tmpdir(), 'sb-mlserver-'));
    writeFileSync(path.join(scratch, 'settings.json'), JSON.stringify(mlserverSettings(serving, ports, path.join(scratch, '.metrics'))));
    writeFileSync(path.join(scratch, 'model-settings.json'), JSON.stringify(mlserverModelSettings(serving, model)));
    const launch = {
      system,
      cmd: path.join(venv, 'bin', 'mlserver'),
      args: ['start', scratch],
      cwd: scratch,
      // Our runtime class, importable by the server and by its parallel workers.
      env: { PYTHONPATH: [scriptsDir(), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) },
      readyUrl: readyOf(ports.http, modelReady),
    };
    const scrape = { url: `http://127.0.0.1:${ports.metrics}/metrics`, delta: mlserverMetricsDelta };
    return { launch, port: ports.http, grpcPort: ports.grpc, tritonStats: false, metrics: scrape, scratch };
  }
  if (system === 'command') {
    // {grpcPort} has a value whether or not the job measures over gRPC (validate requires it for grpc).
    const [port, grpcPort] = await freePorts(2);
    const { argv, readyPath } = commandSpec(serving, model, port, cpuList, grpcPort);
    // A command's server may or may not speak Triton's statistics extension: tried, and null if it does not.
    return { launch: { system, cmd: argv[0], args: argv.slice(1), readyUrl: readyOf(port, readyPath) }, port, grpcPort, tritonStats: true };
  }
  throw new Error(`serving.system "${system}" is not started by start-system.ts`);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

interface Snapshot {
  triton: TritonModelStats | null;
  sums: MetricSums | null;
}

/** The window's statistics: from /metrics where the system has them (batch sizes from Triton's /stats), else from /stats. */
function windowStats(start: Snapshot, end: Snapshot, fromMetrics?: (start: MetricSums, end: MetricSums) => ServerStats): ServerStats | null {
  const fromStats = start.triton && end.triton ? tritonStatsDelta(start.triton, end.triton) : null;
  if (!fromMetrics || !start.sums || !end.sums) return fromStats;
  const stats = fromMetrics(start.sums, end.sums);
  return fromStats ? { ...stats, batchSizeCounts: fromStats.batchSizeCounts } : stats;
}

/** A server that lost a port it was given to another process (the ports are free when chosen, not reserved). */
const PORT_TAKEN = /already in use|EADDRINUSE/i;
const START_ATTEMPTS = 3;

/** Start `serving.system` on the model, pinned to cpuList, with `env` added (e.g. CUDA_VISIBLE_DEVICES); throws (having stopped everything) if it never gets ready. */
export async function startSystem(serving: Config['serving'], model: Model, cpuList: string, signal?: AbortSignal, env?: Record<string, string>): Promise<StartedSystem> {
  if (isLlmApi(serving.api) && serving.system !== 'command') {
    throw new SystemUnavailableError(`serving.api ${serving.api}: serving.system "${serving.system}" serves KServe v2 only (an OpenAI-compatible server: builtin or command)`);
  }
  let prepared: Prepared;
  let proc: SystemProcess;
  let cleanup: () => void;
  for (let attempt = 1; ; attempt++) {
    prepared = await prepare(serving, model, cpuList);
    const scratch = prepared.scratch;
    cleanup = () => scratch && rmSync(scratch, { recursive: true, force: true });
    try {
      proc = await startSystemProcess({ ...prepared.launch, env: { ...prepared.launch.env, ...env } }, { cpuList, signal });
      break;
    } catch (e) {
      cleanup();
      // Another process took a chosen port before the server bound it: choose anew.
      if (attempt < START_ATTEMPTS && PORT_TAKEN.test((e as Error).message) && !signal?.aborted) continue;
      throw e;
    }
  }
  const url = `http://127.0.0.1:${prepared.port}`;
  const stop = async () => {
    await proc.stop();
    cleanup();
  };
  if (isLlmApi(serving.api)) {
    // An OpenAI-compatible server: no KServe metadata or statistics, the model id it serves.
    try {
      const modelName = await servedModelId(serving, url);
      const meta = { name: modelName, inputs: [], outputs: [] };
      return { url, grpcTarget: `127.0.0.1:${prepared.grpcPort}`, modelName, pid: proc.pid, pinned: proc.pinned, meta, markWindowStart: async () => undefined, stats: async () => null, stop };
    } catch (e) {
      await stop();
      throw new Error(`${serving.system}: ${(e as Error).message}`, { cause: e });
    }
  }
  let meta: ModelMetadata;
  try {
    meta = await fetchModelMetadata(url, model.modelName);
  } catch (e) {
    await stop();
    throw new Error(`${serving.system}: ${(e as Error).message}`, { cause: e });
  }
  const statsUrl = `${url}/v2/models/${encodeURIComponent(model.modelName)}/stats`;
  const metrics = prepared.metrics;
  // Both readings at the same moments, so that Triton's batch sizes (/stats) match its counters (/metrics).
  const snapshot = async (): Promise<Snapshot> => {
    const [triton, sums] = await Promise.all([
      prepared.tritonStats ? getJson(statsUrl).then((r) => modelStatsOf(r, model.modelName)) : null,
      metrics ? getText(metrics.url).then((t) => modelMetricSums(t, model.modelName)) : null,
    ]);
    return { triton, sums };
  };
  let atStart: Promise<Snapshot | null> | undefined;
  return {
    url,
    grpcTarget: `127.0.0.1:${prepared.grpcPort}`,
    modelName: model.modelName,
    pid: proc.pid,
    pinned: proc.pinned,
    meta,
    markWindowStart: () => {
      // A server without the statistics endpoint (a command's) has no statistics: null, not a failed run.
      atStart = snapshot().catch(() => null);
      return atStart.then(() => undefined);
    },
    stats: async () => {
      const start = await atStart;
      if (!start) return null;
      return windowStats(start, await snapshot(), metrics?.delta);
    },
    stop,
  };
}
