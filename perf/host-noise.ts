/**
 * The host's noise while a perf script measures, from /proc: CPU steal (/proc/stat), the 1-minute load
 * average (/proc/loadavg, sampled once a second) and a process's CPU time (/proc/<pid>/stat). Where /proc
 * cannot tell (not Linux), the figures are null, never invented. The verdicts are in perf/noise-policy.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { procUsage } from '../activities/probe/sampler';
import type { HostNoise } from './noise-policy';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
export const USER_HZ = 100;

/** Host-wide CPU counters of /proc/stat's first line: steal and the sum of all fields, in ticks. */
export function cpuCounters(): { steal: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Tasks running or runnable right now, host-wide (/proc/stat procs_running; ours included). */
export function procsRunning(): number | null {
  const m = /^procs_running (\d+)/m.exec(readOr('/proc/stat'));
  return m ? Number(m[1]) : null;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function loadAvg1(): number | null {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** utime + stime of a process (all its threads), in ticks; NaN when it is gone or /proc cannot tell. */
export function processCpuTicks(pid: number): number {
  const u = procUsage(pid);
  return u ? Math.round(u.cpuSeconds * USER_HZ) : NaN;
}

/**
 * Time a process's threads spent on a CPU and waiting on a run queue (runnable, but another task had the core),
 * summed over its threads now (/proc/<pid>/task/<tid>/schedstat), in ns; null where /proc cannot tell.
 */
export function processSchedNs(pid: number): { runNs: number; waitNs: number } | null {
  try {
    let runNs = 0;
    let waitNs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const f = readOr(`/proc/${pid}/task/${tid}/schedstat`).trim().split(' ').map(Number);
      if (f.length < 2 || !f.every(Number.isFinite)) continue; // a thread that just exited
      runNs += f[0];
      waitNs += f[1];
    }
    return { runNs, waitNs };
  } catch {
    return null;
  }
}

export interface NoiseReading extends HostNoise {
  loadAvgMin: number | null;
  /** Mean of procs_running sampled every 200 ms: how many tasks wanted a core meanwhile (ours included). */
  runnableMean: number | null;
  seconds: number;
}

/** Steal % between two /proc/stat readings. */
function stealBetween(a: { steal: number; total: number } | null, b: { steal: number; total: number } | null): number | null {
  return a && b && b.total > a.total ? (100 * (b.steal - a.steal)) / (b.total - a.total) : null;
}

/** Measures the host's noise from start() to stop(); the load average is sampled once a second meanwhile. */
export class NoiseMeter {
  private t0 = 0;
  private c0: { steal: number; total: number } | null = null;
  private loads: number[] = [];
  private runnable: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ticks = 0;

  start(): this {
    this.t0 = performance.now();
    this.c0 = cpuCounters();
    this.loads = [];
    this.runnable = [];
    this.sampleLoad();
    // The load average moves slowly (1 min); procs_running says who wants a core now.
    this.timer = setInterval(() => {
      const r = procsRunning();
      if (r !== null) this.runnable.push(r);
      if (++this.ticks % 5 === 0) this.sampleLoad();
    }, 200);
    this.timer.unref();
    return this;
  }

  private sampleLoad(): void {
    const l = loadAvg1();
    if (l !== null && Number.isFinite(l)) this.loads.push(l);
  }

  /** The reading so far (the meter keeps running until stop()). */
  read(): NoiseReading {
    this.sampleLoad();
    return {
      stealPct: stealBetween(this.c0, cpuCounters()),
      loadAvgMax: this.loads.length ? Math.max(...this.loads) : null,
      loadAvgMin: this.loads.length ? Math.min(...this.loads) : null,
      runnableMean: this.runnable.length ? this.runnable.reduce((a, b) => a + b, 0) / this.runnable.length : null,
      cores: os.cpus().length,
      seconds: (performance.now() - this.t0) / 1000,
    };
  }

  stop(): NoiseReading {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.read();
  }
}

/** Runs `fn` with a NoiseMeter around it: its result and the host's noise meanwhile (one round's noise). */
export async function withNoise<T>(fn: () => Promise<T>): Promise<{ value: T; noise: NoiseReading }> {
  const m = new NoiseMeter().start();
  try {
    return { value: await fn(), noise: m.stop() };
  } finally {
    m.stop();
  }
}

/**
 * A process's share of one core between start() and stop(), %: `busyPct` on a CPU (utime + stime), and
 * `waitPct` runnable but waiting for a core (schedstat; summed over threads; null where /proc has no
 * schedstat). busy + wait near 100 % means the process always had work: if busy is low, the host's other tasks
 * held its core; if both are low, it waited for work (for a server: for requests).
 */
export class ProcessBusy {
  private t0 = 0;
  private c0 = NaN;
  private s0: { runNs: number; waitNs: number } | null = null;

  constructor(private readonly pid: number) {}

  start(): this {
    this.t0 = performance.now();
    this.c0 = processCpuTicks(this.pid);
    this.s0 = processSchedNs(this.pid);
    return this;
  }

  stop(): { busyPct: number; waitPct: number | null } {
    const dt = (performance.now() - this.t0) / 1000;
    const s1 = processSchedNs(this.pid);
    return {
      busyPct: dt > 0 ? ((processCpuTicks(this.pid) - this.c0) / USER_HZ / dt) * 100 : NaN,
      waitPct: dt > 0 && this.s0 && s1 ? ((s1.waitNs - this.s0.waitNs) / 1e9 / dt) * 100 : null,
    };
  }
}
