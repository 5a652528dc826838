/**
 * From a follower's device specs to its devices (pure). A device is a GPU or a set of CPU cores; its server and
 * load generator are pinned to those cores, so one host can measure on several devices without them sharing a core.
 *
 * Specs: `cpu` (all cores), `cpuN` (CPU devices without explicit cores share the cores no explicit device took,
 * evenly and in order), `cpuN=0-1` / `cpuN=2,3` (taskset-style lists), `gpuN` (nvidia GPU index N; its cores are
 * those no CPU device took, or all when none are left).
 */
import type { DeviceInfo } from '../../workflows/scheduler/messages';

/** "0-2,5" → [0,1,2,5] (sorted, unique). Throws on anything else. */
export function parseCpuList(list: string): number[] {
  const cores = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new Error(`"${list}" is not a CPU list (expected e.g. 0-3 or 0,2)`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`"${list}": range ${part.trim()} runs backwards`);
    for (let c = lo; c <= hi; c++) cores.add(c);
  }
  return [...cores].sort((a, b) => a - b);
}

/** [0,1,2,5] → "0-2,5": taskset's syntax, and how results name a device's cores. */
export function formatCpuList(cores: readonly number[]): string {
  const sorted = [...new Set(cores)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(',');
}

interface Spec {
  spec: string;
  name: string;
  type: 'cpu' | 'gpu';
  /** CPU: explicit cores (all for `cpu`), or null to get a share of the rest. */
  cores: number[] | null;
  gpuIndex?: number;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * A comma-separated CLI list splits `cpu1=2,3` into `cpu1=2` and `3`: a bare core list is never a device name,
 * so it is the tail of the spec before it.
 */
function rejoin(specs: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of specs) {
    const s = raw.trim();
    if (s === '') continue;
    if (/^\d+(-\d+)?$/.test(s) && out.length > 0 && out[out.length - 1].includes('=')) out[out.length - 1] += `,${s}`;
    else out.push(s);
  }
  return out;
}

function parseSpec(spec: string, cores: number): Spec {
  let m = /^(cpu\d*)(?:=(.+))?$/.exec(spec);
  if (m) {
    const [, name, list] = m;
    let explicit: number[] | null = name === 'cpu' ? range(cores) : null;
    if (list !== undefined) {
      try {
        explicit = parseCpuList(list);
      } catch (e) {
        throw new Error(`device "${spec}": ${(e as Error).message}`, { cause: e });
      }
      const beyond = explicit.filter((c) => c >= cores);
      if (beyond.length > 0) throw new Error(`device "${spec}": core ${beyond.join(', ')} beyond this host's ${cores} cores (0-${cores - 1})`);
    }
    return { spec, name, type: 'cpu', cores: explicit };
  }
  m = /^gpu(\d+)$/.exec(spec);
  if (m) return { spec, name: spec, type: 'gpu', cores: null, gpuIndex: Number(m[1]) };
  throw new Error(`device "${spec}": unknown form (expected cpu, cpuN, cpuN=<cores> such as cpu0=0-1 or cpu1=2,3, or gpuN)`);
}

export function parseDevices(specs: string[], cores: number, gpus: { index: number }[]): DeviceInfo[] {
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`a host has at least one core, got ${cores}`);
  const parsed = rejoin(specs).map((s) => parseSpec(s, cores));
  if (parsed.length === 0) throw new Error('no devices: name at least one (cpu, cpuN, cpuN=<cores>, gpuN)');

  const seen = new Set<string>();
  for (const p of parsed) {
    if (seen.has(p.name)) throw new Error(`device "${p.spec}": duplicate device name "${p.name}"`);
    seen.add(p.name);
  }
  for (const p of parsed) {
    if (p.type === 'gpu' && !gpus.some((g) => g.index === p.gpuIndex)) {
      const have = gpus.length ? gpus.map((g) => `gpu${g.index}`).join(', ') : 'none (nvidia-smi found no GPU)';
      throw new Error(`device "${p.spec}": no GPU with index ${p.gpuIndex} on this host; GPUs here: ${have}`);
    }
  }

  // Explicit CPU devices first: the implicit ones share what they leave.
  const owner = new Map<number, string>();
  for (const p of parsed) {
    if (p.type !== 'cpu' || p.cores === null) continue;
    for (const c of p.cores) {
      const other = owner.get(c);
      if (other !== undefined) throw new Error(`device "${p.spec}": core ${c} is also ${other}'s (CPU devices must not overlap)`);
      owner.set(c, p.spec);
    }
  }
  const implicit = parsed.filter((p) => p.type === 'cpu' && p.cores === null);
  const free = range(cores).filter((c) => !owner.has(c));
  if (implicit.length > 0 && free.length === 0) {
    throw new Error(`device "${implicit[0].spec}": no core left for it (the other CPU devices hold all ${cores} cores)`);
  }
  if (implicit.length > free.length) {
    const names = implicit.map((p) => p.spec).join(', ');
    throw new Error(`devices ${names}: more CPU devices than cores (${implicit.length} devices, ${free.length} free of ${cores} cores)`);
  }
  // Evenly, in order: the first (free % n) devices get one core more.
  const share = Math.floor(free.length / Math.max(1, implicit.length));
  const extra = free.length % Math.max(1, implicit.length);
  let next = 0;
  for (const [i, p] of implicit.entries()) {
    const n = share + (i < extra ? 1 : 0);
    p.cores = free.slice(next, next + n);
    for (const c of p.cores) owner.set(c, p.spec);
    next += n;
  }

  const left = range(cores).filter((c) => !owner.has(c));
  return parsed.map((p): DeviceInfo =>
    p.type === 'cpu' ? { name: p.name, type: 'cpu', cores: p.cores! } : { name: p.name, type: 'gpu', cores: left.length > 0 ? left : range(cores), gpuIndex: p.gpuIndex },
  );
}
