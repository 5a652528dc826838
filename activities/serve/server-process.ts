/**
 * The built-in server in a child Node process, so a measurement's server has
 * its own event loop (and, with cpuList, its own cores) apart from the load
 * generator's. The child is compiled JS (server-main.js); see compiled.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { compiledScript } from './compiled';
import type { ServerOptions, ServerStats } from './types';

export interface SpawnServerOptions extends ServerOptions {
  /** Pin the child to these CPUs (taskset -c syntax, e.g. "0-3,8"); ignored where taskset is missing. */
  cpuList?: string;
  /** How long to wait for the child to listen. Default 60 s. */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  url: string;
  pid: number;
  stats(): Promise<ServerStats>;
  resetStats(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
  stop(): Promise<void>;
}

const STDERR_TAIL = 8192;
const KILL_AFTER_MS = 5000;

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function spawnServer(opts: SpawnServerOptions): Promise<ServerProcess> {
  const { cpuList, startTimeoutMs = 60_000, ...serverOpts } = opts;
  const main = compiledScript('server-main');
  const taskset = cpuList ? onPath('taskset') : undefined;
  // taskset execs node in place, so the pid and the IPC channel are the child's own.
  const [cmd, args] = taskset ? [taskset, ['-c', cpuList!, process.execPath, main]] : [process.execPath, [main]];
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, SERVEBENCH_SERVER_OPTIONS: JSON.stringify(serverOpts) },
  });

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    stderr = (stderr + c).slice(-STDERR_TAIL);
  });

  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`server did not start within ${startTimeoutMs} ms`), startTimeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(why));
    };
    child.once('error', (err) => fail(`cannot start server process: ${err.message}`));
    child.once('exit', (code, signal) => {
      // Let the last stderr chunk arrive before quoting it.
      setImmediate(() => fail(`server process exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim() || 'no output'}`));
    });
    child.stdout!.setEncoding('utf8');
    const onData = (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        const msg = JSON.parse(out.slice(0, nl)) as { ready?: boolean; url?: string };
        if (!msg.ready || !msg.url) throw new Error('not a ready line');
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        child.on('error', () => undefined); // e.g. a failed kill(); stop() still waits for 'exit'
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining so a chatty child never blocks on a full pipe
        resolve(msg.url);
      } catch {
        fail(`server process wrote an unexpected line: ${out.slice(0, nl)}`);
      }
    };
    child.stdout!.on('data', onData);
  });

  const modelUrl = `${url}/v2/models/${encodeURIComponent(opts.modelName)}`;
  let stopping: Promise<void> | null = null;
  return {
    url,
    pid: child.pid!,
    stats: async () => JSON.parse(await request(`${modelUrl}/servebench-stats`, 'GET')) as ServerStats,
    resetStats: async () => void (await request(`${modelUrl}/servebench-stats/reset`, 'POST')),
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
