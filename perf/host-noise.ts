/**
 * The host's noise over a perf run, printed beside its figures: CPU steal (share of all CPU time the hypervisor
 * gave to others, from /proc/stat) and the 1-minute load average sampled from /proc/loadavg. Linux only; elsewhere
 * the figures are null. Parsing is pure (unit-tested); `watchHostNoise` reads the files.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuTimes {
  steal: number;
  total: number;
}

export interface HostNoise {
  /** Steal over the watched span, % of all CPU time; null without /proc/stat. */
  stealPct: number | null;
  /** 1-minute load average over the span's samples; null without /proc/loadavg. */
  loadavg: { min: number; mean: number; max: number; samples: number } | null;
  cores: number;
  /** Load average above the core count, or steal above 5 %: the run competed for its cores. */
  busy: boolean;
}

/** The aggregate `cpu` line of /proc/stat → steal and total jiffies. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already inside user/nice.
  return { steal: f[7] ?? 0, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/** First field of /proc/loadavg. */
export function parseLoadavg(text: string): number | null {
  const first = text.trim().split(/\s+/)[0];
  return first !== '' && Number.isFinite(Number(first)) ? Number(first) : null;
}

export function stealPct(from: CpuTimes, to: CpuTimes): number | null {
  const total = to.total - from.total;
  return total > 0 ? (100 * (to.steal - from.steal)) / total : null;
}

export function summarizeNoise(from: CpuTimes | null, to: CpuTimes | null, loads: number[], cores: number): HostNoise {
  const steal = from && to ? stealPct(from, to) : null;
  const loadavg = loads.length ? { min: Math.min(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads), samples: loads.length } : null;
  return { stealPct: steal, loadavg, cores, busy: (loadavg !== null && loadavg.mean > cores) || (steal !== null && steal > 5) };
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Starts watching now (load average every `everyMs`); `stop()` ends the span and summarizes it. */
export function watchHostNoise(everyMs = 2000): { stop(): HostNoise } {
  const sample = (): CpuTimes | null => parseProcStat(read('/proc/stat') ?? '');
  const loads: number[] = [];
  const take = (): void => {
    const l = parseLoadavg(read('/proc/loadavg') ?? '');
    if (l !== null) loads.push(l);
  };
  const from = sample();
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return summarizeNoise(from, sample(), loads, cpus().length);
    },
  };
}

/** `key=value` lines of a summary, keys prefixed (e.g. `real_host_`). */
export function noiseLines(prefix: string, n: HostNoise): string[] {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? 'null' : x.toFixed(2));
  return [
    `${prefix}steal_pct=${f(n.stealPct)}`,
    `${prefix}loadavg_min=${f(n.loadavg?.min)}`,
    `${prefix}loadavg_mean=${f(n.loadavg?.mean)}`,
    `${prefix}loadavg_max=${f(n.loadavg?.max)}`,
    `${prefix}cores=${n.cores}`,
    `${prefix}busy=${n.busy}`,
  ];
}
