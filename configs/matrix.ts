/**
 * Sweep expansion: config + sweep -> one job per combination and repeat.
 * Pure and deterministic (no I/O, no zod, no structuredClone) because it also runs in Temporal
 * workflow code. It substitutes values only; validating each job is the loader's job
 * (`expandAndValidate` in load.ts) so schema defaults apply per job.
 */
import type { Config } from './schema';

export interface Job {
  /** Combination index (0-based, same for every repeat of it). */
  index: number;
  /** Repeat index, 0..config.repeat-1. */
  repeat: number;
  /** Swept path -> value for this job, in sweep order; {} without a sweep. */
  params: Record<string, unknown>;
  /** A deep copy of the config with the params set and `sweep` removed. */
  config: Config;
}

/**
 * The cartesian product over the sweep keys in the order written (first key varies slowest),
 * times `repeat`. Repeats are the outer loop: every combination runs once before any runs twice,
 * so a sweep stopped early still covers the whole grid and drift over time spreads across it.
 */
export function expandSweep(config: Config): Job[] {
  const sweep = config.sweep ?? {};
  const keys = Object.keys(sweep);
  const base = deepCopy(config) as Config;
  delete base.sweep;

  const combos = cartesian(keys.map((k) => sweep[k]));
  const repeats = config.repeat ?? 1;
  const jobs: Job[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    combos.forEach((combo, index) => {
      const params: Record<string, unknown> = {};
      const cfg = deepCopy(base) as Config;
      keys.forEach((key, i) => {
        params[key] = deepCopy(combo[i]);
        setPath(cfg, key, deepCopy(combo[i]));
      });
      jobs.push({ index, repeat, params, config: cfg });
    });
  }
  return jobs;
}

/** Number of combinations (before repeats), without building them. */
export function countCombinations(config: Pick<Config, 'sweep'>): number {
  return Object.values(config.sweep ?? {}).reduce((n, values) => n * values.length, 1);
}

/** Lists of values -> every combination, first list varying slowest. No lists -> one empty combination. */
function cartesian(lists: readonly (readonly unknown[])[]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const values of lists) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}

/** Sets `obj.a.b.c = value` for "a.b.c", creating missing objects on the way. Mutates `obj`. */
export function setPath(obj: Record<string, unknown>, dottedPath: string, value: unknown): void {
  const keys = dottedPath.split('.');
  let node: Record<string, unknown> = obj;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) {
      throw new Error(`cannot set "${dottedPath}": "${key}" is not a mapping`);
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** The value at "a.b.c", or undefined when any step is missing. */
export function getPath(obj: unknown, dottedPath: string): unknown {
  let node: unknown = obj;
  for (const key of dottedPath.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Short stable id of a job within its sweep, e.g. "j003-r0". */
export function jobKey(job: Pick<Job, 'index' | 'repeat'>): string {
  return `j${String(job.index).padStart(3, '0')}-r${job.repeat}`;
}

/** Deep copy of JSON-like data (plain objects, arrays, primitives). */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v);
    return out as T;
  }
  return value;
}
