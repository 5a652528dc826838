/**
 * Child Node processes pinned to CPU cores with taskset, shared by the server, load-generator and compile
 * children. taskset execs node in place, so the pid and the IPC channel are the child's own.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Absolute path of `cmd` on $PATH, or undefined. */
export function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** The command line that runs `cmd args…`, pinned to cpuList (taskset -c syntax) where taskset exists. */
export function pinnedCommand(cmd: string, args: string[], cpuList: string | undefined): { cmd: string; args: string[]; pinned: boolean } {
  const taskset = cpuList ? onPath('taskset') : undefined;
  return taskset ? { cmd: taskset, args: ['-c', cpuList!, cmd, ...args], pinned: true } : { cmd, args, pinned: false };
}

/** The command line that runs `node script args…`, pinned to cpuList (taskset -c syntax) where taskset exists. */
export function pinnedNodeCommand(script: string, args: string[], cpuList: string | undefined): { cmd: string; args: string[]; pinned: boolean } {
  return pinnedCommand(process.execPath, [script, ...args], cpuList);
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * A child entry's compiled JS: next to the caller when it runs from dist/, else tsc's output under dist/ when
 * the caller runs from TypeScript sources (ts-jest); build first (`npm run build`).
 */
export function compiledScript(callerDir: string, name: string): string {
  const here = path.join(callerDir, `${name}.js`);
  if (existsSync(here)) return here;
  const built = path.join(REPO_ROOT, 'dist', path.relative(REPO_ROOT, callerDir), `${name}.js`);
  if (existsSync(built)) return built;
  throw new Error(`${name}.js is neither next to ${callerDir} nor at ${built}; build first with \`npm run build\``);
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The last `limit` characters a child wrote to stderr, for error messages. */
export function stderrTail(child: ChildProcess, limit = 8192): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => {
    tail = (tail + c).slice(-limit);
  });
  return () => tail.trim();
}
