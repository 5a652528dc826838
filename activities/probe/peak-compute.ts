/**
 * The compute peak of a device's cores, measured once per process and core list (peak-matmul.ts in a child
 * pinned to those cores, like the server it stands for) and then reused: a sweep pays for it once per device,
 * not per job. A probe that fails gives null: the roofline then shows the observed best only, and the
 * benchmark is not failed for it.
 */
import { spawn } from 'node:child_process';
import { compiledScript, exited, pinnedNodeCommand, stderrTail } from '../process/pinned-spawn';
import type { PeakCompute, PeakOptions } from './peak-matmul';

/** 512³ MatMuls: ~0.27 GFLOP each, tens of them in the budget on one core, enough for a best-of. */
const MATRIX_SIDE = 512;
const BUDGET_MS = 300;
const CHILD_LIMIT_MS = 30_000;

const cache = new Map<string, Promise<PeakCompute | null>>();

/** The peak of the cores in `cpuList` (taskset syntax) using `threads` threads; cached for the process's life. */
export function peakCompute(cpuList: string, threads: number): Promise<PeakCompute | null> {
  const key = `${cpuList}/${threads}`;
  let p = cache.get(key);
  if (!p) {
    p = probeInChild(cpuList, { n: MATRIX_SIDE, threads, budgetMs: BUDGET_MS }).catch(() => null);
    cache.set(key, p);
  }
  return p;
}

async function probeInChild(cpuList: string, opts: PeakOptions): Promise<PeakCompute> {
  const { cmd, args, pinned } = pinnedNodeCommand(compiledScript(__dirname, 'peak-main'), [], cpuList);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr = stderrTail(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  try {
    const answer = await new Promise<{ peak?: PeakCompute; error?: string }>((resolve, reject) => {
      child.once('message', resolve);
      child.on('error', (e) => reject(new Error(`cannot start the peak probe: ${e.message}`)));
      child.once('close', (code, signal) => reject(new Error(`peak probe exited (${signal ?? `code ${code}`}) without an answer: ${stderr() || 'no output'}`)));
      child.send(opts, () => undefined);
    });
    if (!answer.peak) throw new Error(`peak probe failed: ${answer.error}`);
    return { ...answer.peak, method: `${answer.peak.method}, ${pinned ? 'pinned to' : 'unpinned (no taskset), meant for'} cores ${cpuList}` };
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
  }
}
