/** Choosing among scored points: the best measured configuration, and uncertain points spread over the grid. */
import type { ModelRun } from './types';

/** The measured configuration with the highest mean throughput whose every repeat met the p99 SLO. */
export interface MeasuredBest {
  params: Record<string, unknown>;
  inferencesPerS: number;
  /** The worst p99 over its repeats. */
  p99Ms: number;
}

export function bestMeasured(byConfig: readonly ModelRun[][], slo: number | null): MeasuredBest | null {
  let best: MeasuredBest | null = null;
  for (const runs of byConfig) {
    const p99Ms = Math.max(...runs.map((r) => r.p99Ms));
    const inferencesPerS = runs.reduce((a, r) => a + r.inferencesPerS, 0) / runs.length;
    if ((slo === null || p99Ms <= slo) && (!best || inferencesPerS > best.inferencesPerS)) best = { params: runs[0].params, inferencesPerS, p99Ms };
  }
  return best;
}

type HasParams = { params: Record<string, unknown> };

/** Whether a and b differ in at least two varied parameters (or the one, when only one varies). */
export function offLine(a: HasParams, b: HasParams, varied: readonly string[]): boolean {
  const differ = varied.filter((k) => JSON.stringify(a.params[k]) !== JSON.stringify(b.params[k])).length;
  return differ >= Math.min(2, varied.length);
}

/**
 * The first `n` in ranked order, skipping any that lies on one grid line with an earlier pick (differs in a
 * single varied parameter): the widest spreads cluster at one corner, and three points there teach less
 * than three corners. Skipped ones fill in when there are not enough others.
 */
export function spreadOut<T extends HasParams>(ranked: readonly T[], n: number, varied: readonly string[]): T[] {
  const picks: T[] = [];
  for (const c of ranked) if (picks.length < n && picks.every((p) => offLine(p, c, varied))) picks.push(c);
  for (const c of ranked) if (picks.length < n && !picks.includes(c)) picks.push(c);
  return picks;
}
