/**
 * The built-in LLM server in a child Node process pinned to the device's cores (llm-main.ts), so its decoding
 * has cores of its own apart from the load generator's. The child is compiled JS; see pinned-spawn's compiledScript.
 */
import { compiledScript } from '../../process/pinned-spawn';
import { spawnReadyChild } from '../../process/ready-child';
import type { ServerStats } from '../types';
import type { LlmServerOptions } from './types';

export interface SpawnLlmServerOptions extends LlmServerOptions {
  /** Pin the child to these CPUs (taskset -c syntax); ignored where taskset is missing. */
  cpuList?: string;
  env?: Record<string, string>;
  /** How long to wait for the model to load and the port to listen. Default 120 s (a busy 2-core host). */
  startTimeoutMs?: number;
}

export interface LlmServerProcess {
  url: string;
  /** The model id it serves (GET /v1/models). */
  modelName: string;
  pid: number;
  pinned: boolean;
  stats(): Promise<ServerStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves with how the child ended if it exits before stop(); never otherwise. */
  died: Promise<string>;
}

async function call(url: string, method: string): Promise<unknown> {
  const res = await fetch(url, { method, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

export async function spawnLlmServer(opts: SpawnLlmServerOptions): Promise<LlmServerProcess> {
  const { cpuList, env, startTimeoutMs = 120_000, ...serverOpts } = opts;
  const child = await spawnReadyChild<{ ready: true; url: string }>(compiledScript(__dirname, 'llm-main'), {
    what: 'the built-in LLM server',
    cpuList,
    env: { ...env, SERVEBENCH_LLM_SERVER_OPTIONS: JSON.stringify(serverOpts) },
    startTimeoutMs,
  });
  const url = child.ready.url;
  return {
    url,
    modelName: opts.modelName,
    pid: child.pid,
    pinned: child.pinned,
    died: child.died,
    stats: async () => (await call(`${url}/servebench-stats`, 'GET')) as ServerStats,
    resetStats: async () => void (await call(`${url}/servebench-stats/reset`, 'POST')),
    stop: child.stop,
  };
}
