/**
 * The little linear algebra ridge regression needs, by hand: the systems are a few dozen unknowns at most,
 * and (XᵀX + λI) with λ > 0 is symmetric positive definite, so Cholesky is enough.
 */
export type Matrix = number[][];

/** AᵀA + λI and Aᵀy in one pass over the rows. */
export function normalEquations(a: Matrix, y: readonly number[], lambda: number): { lhs: Matrix; rhs: number[] } {
  const p = a[0]?.length ?? 0;
  const lhs = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? lambda : 0)));
  const rhs = new Array<number>(p).fill(0);
  a.forEach((row, r) => {
    for (let i = 0; i < p; i++) {
      rhs[i] += row[i] * y[r];
      for (let j = 0; j <= i; j++) lhs[i][j] += row[i] * row[j];
    }
  });
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) lhs[j][i] = lhs[i][j];
  return { lhs, rhs };
}

/** Solves m x = b for symmetric positive definite m. */
export function solveSpd(m: Matrix, b: readonly number[]): number[] {
  const n = b.length;
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error('matrix is not positive definite');
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}
