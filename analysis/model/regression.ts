/** Ridge regression in closed form, its strength chosen by grouped cross-validation. */
import { complement, groupedFolds } from './folds';
import { normalEquations, solveSpd, type Matrix } from './linalg';

export interface RidgeFit {
  intercept: number;
  coef: number[];
}

/** Strengths tried, for standardised features (each column has sum of squares n). */
export const LAMBDA_GRID = [1e-3, 1e-2, 1e-1, 1, 10, 100];
/** Used when there are too few groups to cross-validate. */
export const DEFAULT_LAMBDA = 1;

/** Minimises |y - b - Xβ|² + λ|β|²; the intercept b is not penalised (X and y are centred first). */
export function ridge(x: Matrix, y: readonly number[], lambda: number): RidgeFit {
  const n = y.length;
  const p = x[0]?.length ?? 0;
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const xMean = Array.from({ length: p }, (_, j) => x.reduce((a, r) => a + r[j], 0) / n);
  if (p === 0) return { intercept: yMean, coef: [] };
  const xc = x.map((r) => r.map((v, j) => v - xMean[j]));
  const { lhs, rhs } = normalEquations(xc, y.map((v) => v - yMean), lambda);
  const coef = solveSpd(lhs, rhs);
  return { intercept: yMean - coef.reduce((a, c, j) => a + c * xMean[j], 0), coef };
}

export function predictRidge(fit: RidgeFit, row: readonly number[]): number {
  return fit.coef.reduce((a, c, j) => a + c * row[j], fit.intercept);
}

/**
 * The grid strength with the least held-out squared error over grouped folds of (x, y).
 * x is standardised once on all of these rows: that shares x statistics across inner folds, never y.
 */
export function chooseLambda(x: Matrix, y: readonly number[], groups: readonly string[], seed = 1): number {
  const distinct = new Set(groups).size;
  if (distinct < 3) return DEFAULT_LAMBDA;
  const folds = groupedFolds(groups, 5, seed);
  let best = DEFAULT_LAMBDA;
  let bestErr = Infinity;
  for (const lambda of LAMBDA_GRID) {
    let err = 0;
    for (const held of folds) {
      const train = complement(y.length, held);
      const fit = ridge(train.map((i) => x[i]), train.map((i) => y[i]), lambda);
      for (const i of held) err += (predictRidge(fit, x[i]) - y[i]) ** 2;
    }
    // Ties go to the stronger penalty: the simpler model.
    if (err <= bestErr * (1 + 1e-9)) {
      best = lambda;
      bestErr = err;
    }
  }
  return best;
}
