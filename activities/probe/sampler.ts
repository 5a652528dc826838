/**
 * System samples through a run: CPU and RSS of the server process and of the load generator (its child
 * process, or this process when it runs in-process), from /proc, and GPU utilisation, memory and power from nvidia-smi where GPUs were found. What cannot be
 * measured is null, never invented.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { GpuFacts } from './host';

export interface SystemSample {
  /** Since the start of the measured window; negative during warm-up. */
  tMs: number;
  process: string; // server | loadgen | gpu<index>
  cpuPct: number | null;
  rssBytes: number | null;
  gpuUtilPct: number | null;
  gpuMemBytes: number | null;
  gpuPowerW: number | null;
}

export interface Sampler {
  /** Marks the start of the measured window: sample times are relative to it. */
  markWindowStart(): void;
  stop(): SystemSample[];
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ, 100 on every mainstream Linux build

/** utime + stime of a process in seconds, and its resident set in bytes; null where /proc cannot tell. */
export function procUsage(pid: number): { cpuSeconds: number; rssBytes: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssKb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds: ticks / CLOCK_TICKS_PER_S, rssBytes: rssKb ? Number(rssKb[1]) * 1024 : NaN };
  } catch {
    return null;
  }
}

const num = (s: string | undefined): number | null => {
  const v = Number(s?.trim());
  return s === undefined || s.includes('N/A') || !Number.isFinite(v) ? null : v;
};

/** Parses one line of `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,power.draw --format=csv,noheader,nounits`. */
export function parseGpuLine(line: string): { index: number; utilPct: number | null; memBytes: number | null; powerW: number | null } | null {
  const [index, util, mem, power] = line.split(',');
  const i = num(index);
  if (i === null) return null;
  const memMiB = num(mem);
  return { index: i, utilPct: num(util), memBytes: memMiB === null ? null : memMiB * 1024 * 1024, powerW: num(power) };
}

export interface SamplerOptions {
  /** 0 when there is no server process to sample (an external endpoint). */
  serverPid: number;
  /** The load generator's child process; this process when absent. */
  loadgenPid?: number;
  /** The GPUs the run uses: only these are sampled. */
  gpus: GpuFacts[];
  intervalMs?: number;
}

/** CPU seconds and RSS of this process, in procUsage's shape. */
function selfUsage(): { cpuSeconds: number; rssBytes: number } {
  const u = process.cpuUsage();
  return { cpuSeconds: (u.user + u.system) / 1e6, rssBytes: process.memoryUsage.rss() };
}

export function startSampler(opts: SamplerOptions): Sampler {
  const interval = opts.intervalMs ?? 500;
  const samples: (SystemSample & { at: number })[] = [];
  let windowStart: number | null = null;
  const blank = { cpuPct: null, rssBytes: null, gpuUtilPct: null, gpuMemBytes: null, gpuPowerW: null };

  let lastAt = performance.now();
  const loadgen = opts.loadgenPid === undefined ? selfUsage : () => procUsage(opts.loadgenPid!);
  const sample = (name: string, now: ReturnType<typeof procUsage>, last: ReturnType<typeof procUsage>, at: number, elapsedS: number) =>
    samples.push({
      ...blank,
      at,
      tMs: 0,
      process: name,
      cpuPct: now && last ? ((now.cpuSeconds - last.cpuSeconds) / elapsedS) * 100 : null,
      rssBytes: now && Number.isFinite(now.rssBytes) ? now.rssBytes : null,
    });
  let lastServer = procUsage(opts.serverPid);
  let lastLoadgen = loadgen();
  const timer = setInterval(() => {
    const at = performance.now();
    const elapsedS = (at - lastAt) / 1000;
    const server = procUsage(opts.serverPid);
    const gen = loadgen();
    sample('server', server, lastServer, at, elapsedS);
    sample('loadgen', gen, lastLoadgen, at, elapsedS);
    lastAt = at;
    lastServer = server;
    lastLoadgen = gen;
  }, interval);

  let smi: ChildProcess | null = null;
  if (opts.gpus.length > 0) {
    smi = spawn('nvidia-smi', ['--query-gpu=index,utilization.gpu,memory.used,power.draw', '--format=csv,noheader,nounits', `-lms`, String(interval)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    smi.on('error', () => undefined); // absent or failing: GPU columns stay null
    let buffered = '';
    smi.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const at = performance.now();
      for (const line of lines) {
        const g = parseGpuLine(line);
        // nvidia-smi reports every GPU of the host: keep the run's own.
        if (g && opts.gpus.some((x) => x.index === g.index)) samples.push({ ...blank, at, tMs: 0, process: `gpu${g.index}`, gpuUtilPct: g.utilPct, gpuMemBytes: g.memBytes, gpuPowerW: g.powerW });
      }
    });
  }

  return {
    markWindowStart() {
      windowStart = performance.now();
    },
    stop() {
      clearInterval(timer);
      smi?.kill();
      const t0 = windowStart ?? samples[0]?.at ?? 0;
      return samples.map(({ at, ...s }) => ({ ...s, tMs: Math.round((at - t0) * 1000) / 1000 }));
    },
  };
}
