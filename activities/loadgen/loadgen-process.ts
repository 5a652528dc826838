/**
 * runLoad in a child Node process pinned to a device's cores: the load generator then competes with nothing
 * but its own server, and its CPU can be sampled by pid. Callbacks and the abort signal are bridged over IPC;
 * the child exits with its parent (IPC disconnect), so a dead worker leaves no load running. A device's
 * measurements reuse one child (takeLoadGenerator / keepLoadGenerator): starting a Node process cost each job
 * ~0.3-0.5 s on a busy host (perf:sweep-scale).
 */
import { spawn } from 'node:child_process';
import { compiledScript, pinnedNodeCommand, stderrTail } from '../process/pinned-spawn';
import { fromWire, type WireError } from '../process/wire-error';
import type { LoadOptions, LoadProgress, LoadResult } from './driver';
import type { ParentMessage } from './loadgen-main';

type ChildMessage =
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'window' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; error: WireError };

export interface LoadGenerator {
  pid: number;
  /** Whether it runs pinned to cpuList. */
  pinned: boolean;
  /** Runs one load (one at a time); the signal aborts it the way runLoad's does (a partial, aborted result). */
  run(opts: LoadOptions): Promise<LoadResult>;
  /** Kills the child if it still runs; resolves once it is gone. */
  kill(): Promise<void>;
  /** Whether it still runs and can take another load. */
  alive(): boolean;
  /** Whether it keeps this process alive (an idle one must not). */
  ref(on: boolean): void;
}

/** Idle generators by the cores they are pinned to: at most one each (one device's measurements at a time). */
const idle = new Map<string, LoadGenerator>();

/** An idle generator pinned to `cpuList`, or a new one. */
export function takeLoadGenerator(cpuList?: string): LoadGenerator {
  const key = cpuList ?? '';
  const kept = idle.get(key);
  idle.delete(key);
  if (kept?.alive()) {
    kept.ref(true);
    return kept;
  }
  return spawnLoadGenerator({ cpuList });
}

/**
 * Keeps a generator whose run ended cleanly (a result, not aborted) for the next measurement on the same cores.
 * What a run leaves behind is its own: every run opens and closes its own connections and statistics.
 */
export function keepLoadGenerator(gen: LoadGenerator, cpuList?: string): void {
  if (!gen.alive()) return;
  const key = cpuList ?? '';
  const old = idle.get(key);
  gen.ref(false);
  idle.set(key, gen);
  if (old && old !== gen) void old.kill();
}

/** After an abort, how long the child may take to answer with its partial result before it is killed. */
const ABORT_GRACE_MS = 15_000;

export function spawnLoadGenerator(opts: { cpuList?: string } = {}): LoadGenerator {
  const { cmd, args, pinned } = pinnedNodeCommand(compiledScript(__dirname, 'loadgen-main'), [], opts.cpuList);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const stderr = stderrTail(child);
  // 'close' comes after the IPC channel's last message; a failed spawn emits 'error' and no 'close'.
  let why = '';
  const gone = new Promise<void>((resolve) => {
    child.once('close', (code, sig) => {
      why = `exited (${sig ?? `code ${code}`})`;
      resolve();
    });
    child.on('error', (e) => {
      if (child.pid !== undefined) return; // e.g. a failed kill(): 'close' still comes
      why = `could not start: ${e.message}`;
      resolve();
    });
  });

  return {
    pid: child.pid ?? 0,
    pinned,
    run: ({ signal, onProgress, onWindowStart, ...rest }) =>
      new Promise<LoadResult>((resolve, reject) => {
        let settled = false;
        let failure: { error: unknown } | null = null;
        let killTimer: NodeJS.Timeout | undefined;
        const send = (m: ParentMessage): void => {
          if (child.connected) child.send(m, () => undefined);
        };
        const onAbort = (): void => {
          send({ type: 'abort' });
          killTimer ??= setTimeout(() => child.kill('SIGKILL'), ABORT_GRACE_MS);
        };
        const settle = (f: () => void): void => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          clearTimeout(killTimer);
          child.off('message', onMessage);
          f();
        };
        const onMessage = (m: ChildMessage): void => {
          try {
            if (m.type === 'progress') onProgress?.(m.progress);
            else if (m.type === 'window') onWindowStart?.();
            else if (m.type === 'result') settle(() => (failure ? reject(failure.error) : resolve(m.result)));
            else if (m.type === 'error') settle(() => reject(fromWire(m.error)));
          } catch (error) {
            // Like runLoad: a throwing callback stops the run and becomes its error.
            failure ??= { error };
            onAbort();
          }
        };
        child.on('message', onMessage);
        // After close, every message and stderr chunk has arrived.
        void gone.then(() => settle(() => reject(new Error(`load generator ${why} before its result: ${stderr() || 'no output'}`))));
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
        send({ type: 'run', opts: rest });
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gone;
    },
    alive: () => child.exitCode === null && child.signalCode === null && child.connected,
    ref: (on) => {
      // The process, its IPC channel and its stderr pipe each hold the event loop open.
      const stderrPipe = child.stderr as (typeof child.stderr & { ref?(): void; unref?(): void }) | null;
      if (on) {
        child.ref();
        child.channel?.ref();
        stderrPipe?.ref?.();
      } else {
        child.unref();
        child.channel?.unref();
        stderrPipe?.unref?.();
      }
    },
  };
}
