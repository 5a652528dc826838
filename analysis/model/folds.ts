/** Grouped k-fold: every run of a configuration lands in the same fold, so repeats never leak into training. */
import { seededRng, shuffled } from './random';

/** Row indices held out by each fold. k is capped at the number of groups; groups are shuffled, then dealt round-robin. */
export function groupedFolds(groups: readonly string[], k: number, seed = 1): number[][] {
  const distinct = shuffled([...new Set(groups)].sort(), seededRng(seed));
  const n = Math.max(1, Math.min(k, distinct.length));
  const foldOf = new Map(distinct.map((g, i) => [g, i % n]));
  const folds: number[][] = Array.from({ length: n }, () => []);
  groups.forEach((g, row) => folds[foldOf.get(g)!].push(row));
  return folds;
}

/** The rows not in `heldOut`. */
export function complement(rows: number, heldOut: readonly number[]): number[] {
  const out = new Set(heldOut);
  return Array.from({ length: rows }, (_, i) => i).filter((i) => !out.has(i));
}
