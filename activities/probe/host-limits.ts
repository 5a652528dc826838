/**
 * The host facts the limits policy needs (activities/loadgen/limits.ts), read from this process. Node raises its
 * soft file-descriptor limit to the hard limit at start-up on Linux, and the load generator and server are child
 * Node processes that inherit it (and raise it likewise), so this process's soft limit is theirs.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { HostFacts } from '../loadgen/limits';

export function probeHostFacts(): HostFacts {
  return { fdLimit: fdSoftLimit(), ephemeralPorts: ephemeralPorts(), memoryBytes: memoryBytes() };
}

/** The soft "Max open files" of /proc/self/limits; null off Linux or when unlimited. */
export function fdSoftLimit(limitsText = readOr('/proc/self/limits')): number | null {
  const soft = /^Max open files\s+(\S+)/m.exec(limitsText ?? '')?.[1];
  const n = Number(soft);
  return soft !== undefined && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Size of net.ipv4.ip_local_port_range ("32768\t60999"); null when unknown. */
export function ephemeralPorts(rangeText = readOr('/proc/sys/net/ipv4/ip_local_port_range')): number | null {
  const [lo, hi] = (rangeText ?? '').trim().split(/\s+/).map(Number);
  return Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && hi >= lo ? hi - lo + 1 : null;
}

/** Physical memory, or a cgroup's smaller limit where this process runs under one. */
function memoryBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
