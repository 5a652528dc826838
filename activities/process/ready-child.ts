/**
 * A server in a child Node process pinned to cores: started, its first stdout line awaited (`{"ready":true,…}`,
 * or `{"error":<WireError>}` when it failed, keeping the error's type), then watched until stop(). Its stdout is
 * drained, its stderr's tail kept for messages.
 */
import { spawn } from 'node:child_process';
import { exited, pinnedNodeCommand, stderrTail } from './pinned-spawn';
import { fromWire, type WireError } from './wire-error';

export interface ReadyChildOptions {
  /** Names the child in messages, e.g. "the built-in LLM server". */
  what: string;
  /** Pin to these CPUs (taskset -c syntax); unpinned without, or where taskset is missing. */
  cpuList?: string;
  env?: Record<string, string>;
  /** How long to wait for the ready line. */
  startTimeoutMs: number;
}

export interface ReadyChild<Ready> {
  ready: Ready;
  pid: number;
  pinned: boolean;
  /** Resolves with how the child ended if it exits before stop() (killed, crashed); never otherwise. */
  died: Promise<string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
  stop(): Promise<void>;
}

const KILL_AFTER_MS = 5000;

export async function spawnReadyChild<Ready extends { ready: true }>(script: string, opts: ReadyChildOptions): Promise<ReadyChild<Ready>> {
  const { cmd, args, pinned } = pinnedNodeCommand(script, [], opts.cpuList);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...opts.env } });
  const stderr = stderrTail(child);
  const ready = await new Promise<Ready>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`${opts.what} did not start within ${opts.startTimeoutMs} ms`), opts.startTimeoutMs);
    const fail = (why: string | Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(typeof why === 'string' ? new Error(why) : why);
    };
    child.once('error', (err) => fail(`cannot start ${opts.what}: ${err.message}`));
    // 'close', not 'exit': its stdout (the error line) and stderr have been read to the end by then.
    child.once('close', (code, signal) => fail(`${opts.what} exited (${signal ?? `code ${code}`}) before it was ready: ${stderr() || 'no output'}`));
    child.stdout!.setEncoding('utf8');
    const onData = (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      let msg: { ready?: boolean; error?: WireError };
      try {
        msg = JSON.parse(out.slice(0, nl)) as typeof msg;
      } catch {
        return fail(`${opts.what} wrote an unexpected line: ${out.slice(0, nl)}`);
      }
      if (msg.error) return fail(fromWire(msg.error));
      if (msg.ready !== true) return fail(`${opts.what} wrote an unexpected line: ${out.slice(0, nl)}`);
      clearTimeout(timer);
      child.removeAllListeners('close');
      child.removeAllListeners('error');
      child.on('error', () => undefined); // e.g. a failed kill(); stop() still waits for 'exit'
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining so a chatty child never blocks on a full pipe
      resolve(msg as Ready);
    };
    child.stdout!.on('data', onData);
  });
  let stopping: Promise<void> | null = null;
  const died = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      const tail = stderr();
      if (!stopping) resolve(`${opts.what} (pid ${child.pid}) exited (${signal ?? `code ${code}`})${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`);
    });
  });
  return {
    ready,
    pid: child.pid!,
    pinned,
    died,
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
