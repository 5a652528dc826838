/**
 * A peer serving system (Triton, MLServer, a user's command) as a child process group pinned to the device's
 * cores: started, polled until its readiness URL answers 200 (bounded, quoting its own log on failure), and
 * stopped with everything it forked, whatever happens to the measurement.
 */
import * as http from 'node:http';
import { exited, pinnedCommand } from '../../process/pinned-spawn';
import { spawnGroup, stopGroup } from '../../process/process-group';

export interface SystemLaunch {
  /** Named in errors: `triton`, `mlserver`, `command`. */
  system: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** http://127.0.0.1:<port><path> that answers 200 once the server can serve the model. */
  readyUrl: string;
}

export interface SystemProcess {
  pid: number;
  pinned: boolean;
  /** The last lines the server wrote (stdout and stderr together). */
  logTail(): string;
  /** The whole process group: SIGTERM, SIGKILL after a grace period; resolves once nothing of it lives. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** taskset -c syntax; unpinned where taskset is missing. */
  cpuList?: string;
  /** Default 180 s: Triton loads its Python backend and one stub per instance, slow on a busy 2-core host. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s (Triton unloads its model and stubs). */
  stopGraceMs?: number;
}

const LOG_TAIL = 8192;
const POLL_MS = 200;

/** GET url: its status, or the network error's message. */
function probe(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (e) => resolve(e.message));
    });
    req.setTimeout(2_000, () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (e) => resolve(e.message));
  });
}

export async function startSystemProcess(launch: SystemLaunch, opts: StartOptions = {}): Promise<SystemProcess> {
  const { cpuList, startTimeoutMs = 180_000, signal, stopGraceMs = 10_000 } = opts;
  const { cmd, args, pinned } = pinnedCommand(launch.cmd, launch.args, cpuList);
  const child = spawnGroup(cmd, args, { cwd: launch.cwd, env: { ...process.env, ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (c: string) => (log = (log + c).slice(-LOG_TAIL));
  for (const s of [child.stdout!, child.stderr!]) {
    s.setEncoding('utf8');
    s.on('data', keep);
  }
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const pid = await new Promise<number | undefined>((resolve) => {
    child.once('spawn', () => resolve(child.pid));
    child.once('error', () => resolve(undefined));
  });
  if (pid === undefined) throw new Error(`${launch.system}: cannot start ${launch.cmd}: ${spawnError?.message ?? 'spawn failed'}`);

  let stopping: Promise<void> | null = null;
  const server: SystemProcess = {
    pid,
    pinned,
    logTail: () => log.trim(),
    stop: () => (stopping ??= stopGroup(pid, stopGraceMs).then(() => exited(child))),
  };
  const logOf = () => (log.trim() ? `; its log ends:\n${log.trim().split('\n').slice(-40).join('\n')}` : '; it wrote nothing');
  const started = Date.now();
  let last: number | string;
  try {
    for (;;) {
      if (signal?.aborted) throw new Error(`${launch.system}: start cancelled`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${launch.system} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready${logOf()}`);
      }
      last = await probe(launch.readyUrl);
      if (last === 200) return server;
      if (Date.now() - started > startTimeoutMs) {
        const answer = typeof last === 'number' ? `HTTP ${last}` : last;
        throw new Error(`${launch.system} was not ready within ${Math.round(startTimeoutMs / 1000)} s (GET ${launch.readyUrl}: ${answer})${logOf()}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
}
