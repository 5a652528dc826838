/**
 * Where to look next: each numeric parameter's measured values, the midpoints between neighbours and one
 * step beyond each end (geometric for positive values, since load and batch sizes are swept in ratios);
 * integers stay integers and positive parameters stay positive. The cartesian product, minus what was measured.
 */
import type { NumericParam, ParamSpec } from './features';
import { seededRng } from './random';
import { configKey } from './types';

/** Enough to cover a 4-parameter sweep of 7 values each; larger products are sampled. */
export const MAX_CANDIDATES = 3000;

/** Three significant figures: a real-valued midpoint of 100 and 200 reads 141, not 141.42135623730951. */
function roundSignificant(x: number): number {
  if (x === 0) return 0;
  return Number(x.toPrecision(3));
}

export function numericCandidates(spec: NumericParam): number[] {
  const v = spec.values;
  if (v.length < 2) return [...v];
  const out = [...v];
  const n = v.length;
  if (spec.positive) {
    for (let i = 0; i + 1 < n; i++) out.push(Math.sqrt(v[i] * v[i + 1]));
    out.push((v[0] * v[0]) / v[1], (v[n - 1] * v[n - 1]) / v[n - 2]);
  } else {
    for (let i = 0; i + 1 < n; i++) out.push((v[i] + v[i + 1]) / 2);
    const below = v[0] - (v[1] - v[0]);
    // A parameter never measured below zero (a delay, a seed) is taken to be non-negative.
    out.push(v[0] >= 0 ? Math.max(0, below) : below, v[n - 1] + (v[n - 1] - v[n - 2]));
  }
  const shaped = out.map((x) => (spec.integer ? Math.round(x) : roundSignificant(x))).map((x) => (spec.positive && spec.integer ? Math.max(1, x) : x));
  return [...new Set(shaped)].filter((x) => !spec.positive || x > 0).sort((a, b) => a - b);
}

export function candidateValues(spec: ParamSpec): unknown[] {
  // Categories cannot be interpolated: only the measured ones.
  return spec.kind === 'numeric' ? numericCandidates(spec) : [...spec.values];
}

/**
 * Unmeasured configurations: the product of every parameter's candidate values, or a seeded uniform sample of
 * `max` of its points when larger, without those whose key is in `measured` (keys from configKey over `keys`).
 */
export function candidateGrid(
  specs: readonly ParamSpec[],
  measured: ReadonlySet<string>,
  opts: { max?: number; seed?: number } = {},
): Record<string, unknown>[] {
  const keys = specs.map((s) => s.key).sort();
  const lists = specs.map(candidateValues);
  const total = lists.reduce((n, l) => n * l.length, 1);
  const max = opts.max ?? MAX_CANDIDATES;
  let indices: number[];
  if (total <= max) indices = Array.from({ length: total }, (_, i) => i);
  else {
    const rng = seededRng(opts.seed ?? 1);
    const picked = new Set<number>();
    while (picked.size < max) picked.add(Math.floor(rng() * total));
    indices = [...picked].sort((a, b) => a - b);
  }
  const out: Record<string, unknown>[] = [];
  for (const index of indices) {
    // Mixed-radix decode, the first parameter varying slowest.
    const picks = new Array<unknown>(specs.length);
    let rest = index;
    for (let j = specs.length - 1; j >= 0; j--) {
      picks[j] = lists[j][rest % lists[j].length];
      rest = Math.floor(rest / lists[j].length);
    }
    const params = Object.fromEntries(specs.map((s, j) => [s.key, picks[j]]));
    if (!measured.has(configKey(params, keys))) out.push(params);
  }
  return out;
}
