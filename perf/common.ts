/**
 * Shared helpers of the perf scripts: pinning, child processes, medians and
 * the `key=value` output lines. Scripts never assert; they print.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Path of taskset when it exists and works here, else null (then nothing is pinned). */
export const TASKSET: string | null = (() => {
  for (const p of ['/usr/bin/taskset', '/bin/taskset']) {
    if (existsSync(p) && spawnSync(p, ['-c', '0', 'true']).status === 0) return p;
  }
  return null;
})();

/** Core for the load generator / client and core for the server (same core when there is only one). */
export const CLIENT_CPU = '0';
export const SERVER_CPU = os.cpus().length > 1 ? '1' : '0';

/** [cmd, args] that runs `cmd args` pinned to `cpu` where taskset works. */
export function pinned(cpu: string, cmd: string, args: string[]): [string, string[]] {
  return TASKSET ? [TASKSET, ['-c', cpu, cmd, ...args]] : [cmd, args];
}

/** Moves this process (all its threads) to `cpu` where taskset works; returns whether it did. */
export function repinSelf(cpu: string): boolean {
  return TASKSET !== null && spawnSync(TASKSET, ['-a', '-p', '-c', cpu, String(process.pid)]).status === 0;
}

/** Re-executes this very script under `taskset -c cpu` once (env guard); returns true if the caller should stop. */
export function pinSelf(cpu: string): Promise<boolean> {
  if (!TASKSET || process.env.SERVEBENCH_PERF_PINNED === '1') return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(TASKSET, ['-c', cpu, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, SERVEBENCH_PERF_PINNED: '1' },
    });
    child.on('exit', (code) => {
      process.exitCode = code ?? 1;
      resolve(true);
    });
  });
}

/** Runs a command to completion, collecting stdout/stderr; rejects on spawn failure only. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-lived child that prints one JSON line `{"url":...}` when ready. */
export async function startChild(cmd: string, args: string[], timeoutMs = 30_000): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not get ready in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`${cmd} exited early (${code})`)));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
  });
  return { child, ready };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Median of the finite values (pure: perf/noise-policy.ts). */
export { median } from './noise-policy';

/** Nearest-rank percentile of raw samples (q in 0..100). */
export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))];
}

export function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? String(Number(x.toFixed(digits))) : String(x);
}

/** Prints the result lines, last in the output. */
export function printKeys(keys: Record<string, string | number>): void {
  process.stdout.write('\n');
  for (const [k, v] of Object.entries(keys)) process.stdout.write(`${k}=${typeof v === 'number' ? fmt(v) : v}\n`);
}

export function log(msg: string): void {
  process.stderr.write(`[perf] ${msg}\n`);
}

/** Compiled JS of another perf script (this file's directory under dist/). */
export function perfScript(name: string): string {
  return path.join(__dirname, `${name}.js`);
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Model name served by perf/trivial-server. */
export const TRIVIAL_MODEL = 'echo';
