/** What the model sees of a run: its swept parameters and the two measured outcomes. */
export interface ModelRun {
  /** Swept config path -> value, as recorded in jobs.params. */
  params: Record<string, unknown>;
  inferencesPerS: number;
  p99Ms: number;
}

/** The two predicted outcomes. */
export interface Outcome {
  inferencesPerS: number;
  p99Ms: number;
}

/** A configuration's identity: its parameter values in a fixed key order (repeats share it). */
export function configKey(params: Record<string, unknown>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => params[k] ?? null));
}

/** Every key present in any run's params, sorted so keys are stable across calls. */
export function paramKeys(runs: readonly ModelRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
}

/** Runs grouped by configuration (repeats together), in order of first appearance. */
export function byConfiguration(runs: readonly ModelRun[]): Map<string, ModelRun[]> {
  const keys = paramKeys(runs);
  const groups = new Map<string, ModelRun[]>();
  for (const r of runs) {
    const key = configKey(r.params, keys);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}
