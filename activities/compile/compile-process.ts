/**
 * compileModel in a child Node process pinned to given cores, so a compile stays off the cores of devices that
 * are measuring. The child's errors come back with their type (InvalidModel stays non-retryable).
 */
import { spawn } from 'node:child_process';
import { compiledScript, exited, pinnedNodeCommand, stderrTail } from '../process/pinned-spawn';
import { fromWire, type WireError } from '../process/wire-error';
import type { CompileOptions } from './compile';
import type { CompileRequest } from './compile-main';
import type { Artifact, CompileSpec } from './types';

export interface PinnedCompileOptions {
  /** taskset -c syntax; unpinned where taskset is missing. */
  cpuList?: string;
  /** Aborting kills the child and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface PinnedCompile {
  artifact: Artifact;
  pinned: boolean;
}

export async function compileInChild(spec: CompileSpec, opts: CompileOptions, proc: PinnedCompileOptions = {}): Promise<PinnedCompile> {
  proc.signal?.throwIfAborted();
  const { cmd, args, pinned } = pinnedNodeCommand(compiledScript(__dirname, 'compile-main'), [], proc.cpuList);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const stderr = stderrTail(child);
  const onAbort = (): void => void child.kill('SIGKILL');
  proc.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await new Promise<{ artifact?: Artifact; error?: WireError }>((resolve, reject) => {
      child.once('message', resolve);
      child.on('error', (e) => reject(new Error(`cannot start the compile process: ${e.message}`)));
      // 'close' comes after the IPC channel's last message and stderr's last chunk.
      child.once('close', (code, signal) => {
        if (proc.signal?.aborted) return reject(proc.signal.reason);
        reject(new Error(`compile process exited (${signal ?? `code ${code}`}) without an answer: ${stderr() || 'no output'}`));
      });
      child.send({ spec, opts } satisfies CompileRequest, () => undefined);
    });
    if (answer.error) throw fromWire(answer.error);
    return { artifact: answer.artifact!, pinned };
  } finally {
    proc.signal?.removeEventListener('abort', onAbort);
    // A child that never started (no pid) never exits either.
    if (child.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
  }
}
