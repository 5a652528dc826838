/**
 * The built-in server in a child Node process, so a measurement's server has
 * its own event loop (and, with cpuList, its own cores) apart from the load
 * generator's. The child is compiled JS (server-main.js); see compiled.ts.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { exited, pinnedNodeCommand } from '../process/pinned-spawn';
import { fromWire, type WireError } from '../process/wire-error';
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

const STDERR_TAIL = 8192;
const KILL_AFTER_MS = 5000;

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
  const { cmd, args, pinned } = pinnedNodeCommand(compiledScript('server-main'), [], cpuList);
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env, SERVEBENCH_SERVER_OPTIONS: JSON.stringify(serverOpts) },
  });

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    stderr = (stderr + c).slice(-STDERR_TAIL);
  });

  const ready = await new Promise<{ url: string; grpcPort?: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`server did not start within ${startTimeoutMs} ms`), startTimeoutMs);
    const fail = (why: string | Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(typeof why === 'string' ? new Error(why) : why);
    };
    child.once('error', (err) => fail(`cannot start server process: ${err.message}`));
    // 'close', not 'exit': its stdout (the error line) and stderr have been read to the end by then.
    child.once('close', (code, signal) => fail(`server process exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim() || 'no output'}`));
    child.stdout!.setEncoding('utf8');
    const onData = (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        const msg = JSON.parse(out.slice(0, nl)) as { ready?: boolean; url?: string; grpcPort?: number; error?: WireError };
        // A failure the child explains (a model that cannot be batched): its type and retryability survive.
        if (msg.error) return fail(fromWire(msg.error));
        if (!msg.ready || !msg.url) throw new Error('not a ready line');
        clearTimeout(timer);
        child.removeAllListeners('close');
        child.removeAllListeners('error');
        child.on('error', () => undefined); // e.g. a failed kill(); stop() still waits for 'exit'
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so a chatty child never blocks on a full pipe
        resolve({ url: msg.url, grpcPort: msg.grpcPort });
      } catch {
        fail(`server process wrote an unexpected line: ${out.slice(0, nl)}`);
      }
    };
    child.stdout!.on('data', onData);
  });

  const url = ready.url;
  const host = opts.host ?? '127.0.0.1';
  const modelUrl = `${url}/v2/models/${encodeURIComponent(opts.modelName)}`;
  let stopping: Promise<void> | null = null;
  const died = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) resolve(`the built-in server (pid ${child.pid}) exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    });
  });
  return {
    died,
    url,
    grpcTarget: ready.grpcPort === undefined ? undefined : `${host.includes(':') ? `[${host}]` : host}:${ready.grpcPort}`,
    pid: child.pid!,
    pinned,
    stats: async () => JSON.parse(await request(`${modelUrl}/servebench-stats`, 'GET')) as ServerStats,
    resetStats: async () => void (await request(`${modelUrl}/servebench-stats/reset`, 'POST')),
    resetStatsUrl: `${modelUrl}/servebench-stats/reset`,
    stop: () =>
      (stopping ??= (async () => {
        const done = exited(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
        await done;
        clearTimeout(timer);
      })()),
  };
}
