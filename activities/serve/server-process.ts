/**
 * The built-in server in a child Node process, so a measurement's server has
 * its own event loop (and, with cpuList, its own cores) apart from the load
 * generator's. The child is compiled JS (server-main.js); see compiled.ts.
 */
import * as http from 'node:http';
import { spawnReadyChild } from '../process/ready-child';
import { compiledScript } from './compiled';
import type { ServerOptions, ServerStats } from './types';

export interface SpawnServerOptions extends ServerOptions {
  /** Pin the child to these CPUs (taskset -c syntax, e.g. "0-3,8"); ignored where taskset is missing. */
  cpuList?: string;
  /** Extra environment of the child, e.g. CUDA_VISIBLE_DEVICES for a GPU device. */
  env?: Record<string, string>;
  /** How long to wait for the child to listen. Default 60 s. */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  url: string;
  /** host:port of its gRPC endpoint, when grpcPort was asked for. */
  grpcTarget?: string;
  pid: number;
  /** Whether the child runs pinned to cpuList (false without cpuList, or where taskset is missing). */
  pinned: boolean;
  stats(): Promise<ServerStats>;
  resetStats(): Promise<void>;
  /** What resetStats POSTs to, for a client that resets from its own process. */
  resetStatsUrl: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
  stop(): Promise<void>;
  /**
   * Resolves with how the child ended if it exits before stop() is called (killed, crashed); never otherwise.
   * A measurement against a dead server is no result: measure fails fast instead of counting refused requests.
   */
  died: Promise<string>;
}

function request(url: string, method: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${method} ${url}: ${res.statusCode} ${body}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function spawnServer(opts: SpawnServerOptions): Promise<ServerProcess> {
  const { cpuList, env, startTimeoutMs = 60_000, ...serverOpts } = opts;
  const child = await spawnReadyChild<{ ready: true; url: string; grpcPort?: number }>(compiledScript('server-main'), {
    what: 'the built-in server',
    cpuList,
    env: { ...env, SERVEBENCH_SERVER_OPTIONS: JSON.stringify(serverOpts) },
    startTimeoutMs,
  });
  const { url, grpcPort } = child.ready;
  const host = opts.host ?? '127.0.0.1';
  const modelUrl = `${url}/v2/models/${encodeURIComponent(opts.modelName)}`;
  return {
    died: child.died,
    url,
    grpcTarget: grpcPort === undefined ? undefined : `${host.includes(':') ? `[${host}]` : host}:${grpcPort}`,
    pid: child.pid,
    pinned: child.pinned,
    stats: async () => JSON.parse(await request(`${modelUrl}/servebench-stats`, 'GET')) as ServerStats,
    resetStats: async () => void (await request(`${modelUrl}/servebench-stats/reset`, 'POST')),
    resetStatsUrl: `${modelUrl}/servebench-stats/reset`,
    stop: child.stop,
  };
}
