/**
 * Where to look next: each numeric parameter's measured values, the midpoints between neighbours and one
 * step beyond each end (geometric for positive values, since load and batch sizes are swept in ratios);
 * integers stay integers and positive parameters stay positive. The cartesian product, minus what was measured.
 */
import type { NumericParam, ParamSpec } from './features';
import { seededRng, shuffled } from './random';
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
  const n = v.length;
  const added: number[] = [];
  if (spec.positive) {
    for (let i = 0; i + 1 < n; i++) added.push(Math.sqrt(v[i] * v[i + 1]));
    added.push((v[0] * v[0]) / v[1], (v[n - 1] * v[n - 1]) / v[n - 2]);
  } else {
    for (let i = 0; i + 1 < n; i++) added.push((v[i] + v[i + 1]) / 2);
    const below = v[0] - (v[1] - v[0]);
    // A parameter never measured below zero (a delay, a seed) is taken to be non-negative.
    added.push(v[0] >= 0 ? Math.max(0, below) : below, v[n - 1] + (v[n - 1] - v[n - 2]));
  }
  // Only new values are rounded: measured ones stay exactly as measured.
  const shaped = added.map((x) => (spec.integer ? Math.round(x) : roundSignificant(x))).map((x) => (spec.positive && spec.integer ? Math.max(1, x) : x));
  return [...new Set([...v, ...shaped])].filter((x) => !spec.positive || x > 0).sort((a, b) => a - b);
}

export function candidateValues(spec: ParamSpec): unknown[] {
  // Categories cannot be interpolated: only the measured ones.
  return spec.kind === 'numeric' ? numericCandidates(spec) : [...spec.values];
}

/** Up to this many grid points are enumerated before sampling; beyond it, points are drawn at random. */
const ENUMERATE_LIMIT = 100_000;

/**
 * Unmeasured configurations: the product of every parameter's candidate values without those whose key is in
 * `measured` (keys from configKey over the sorted parameter keys), or a seeded uniform sample of `max` of them.
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
  const rng = seededRng(opts.seed ?? 1);
  // Mixed-radix decode, the first parameter varying slowest.
  const at = (index: number): Record<string, unknown> => {
    const picks = new Array<unknown>(specs.length);
    let rest = index;
    for (let j = specs.length - 1; j >= 0; j--) {
      picks[j] = lists[j][rest % lists[j].length];
      rest = Math.floor(rest / lists[j].length);
    }
    return Object.fromEntries(specs.map((s, j) => [s.key, picks[j]]));
  };
  const unmeasured = (index: number) => !measured.has(configKey(at(index), keys));
  let indices: number[];
  if (total <= ENUMERATE_LIMIT) {
    indices = Array.from({ length: total }, (_, i) => i).filter(unmeasured);
    if (indices.length > max) indices = shuffled(indices, rng).slice(0, max);
  } else {
    const picked = new Set<number>();
    for (let tries = 0; picked.size < max && tries < max * 20; tries++) {
      const i = Math.floor(rng() * total);
      if (unmeasured(i)) picked.add(i);
    }
    indices = [...picked];
  }
  return indices.sort((a, b) => a - b).map(at);
}
