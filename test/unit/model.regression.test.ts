import { normalEquations, solveSpd } from '../../analysis/model/linalg';
import { chooseLambda, LAMBDA_GRID, predictRidge, ridge } from '../../analysis/model/regression';
import { seededRng } from '../../analysis/model/random';

describe('ridge regression (closed form)', () => {
  test('one feature, by hand: β = Sxy / (Sxx + λ), intercept = ȳ − β x̄', () => {
    // x = -1, 0, 1; y = 1, 2, 4: ȳ = 7/3, Sxx = 2, Sxy = (-1)(1 - 7/3) + (1)(4 - 7/3) = 3.
    const fit = ridge([[-1], [0], [1]], [1, 2, 4], 1);
    expect(fit.coef[0]).toBeCloseTo(3 / 3, 12);
    expect(fit.intercept).toBeCloseTo(7 / 3, 12);
    expect(ridge([[-1], [0], [1]], [1, 2, 4], 4).coef[0]).toBeCloseTo(3 / 6, 12);
  });

  test('two correlated features, by hand', () => {
    // x̄ = (2, 2), centred X = [[-1,0],[0,-1],[1,1]], XᵀX = [[2,1],[1,2]]; ȳ = 3, Xᵀ(y-ȳ) = [5, 4].
    // λ = 1: [[3,1],[1,3]] β = [5,4] → β = [11/8, 7/8]; intercept = 3 − 2(11/8 + 7/8) = −1.5.
    const fit = ridge([[1, 2], [2, 1], [3, 3]], [1, 2, 6], 1);
    expect(fit.coef[0]).toBeCloseTo(11 / 8, 12);
    expect(fit.coef[1]).toBeCloseTo(7 / 8, 12);
    expect(fit.intercept).toBeCloseTo(-1.5, 12);
    expect(predictRidge(fit, [2, 2])).toBeCloseTo(3, 12);
  });

  test('a vanishing penalty recovers an exact linear law; the intercept is never shrunk', () => {
    const x = [[0, 1], [1, 0], [2, 3], [3, 1], [4, 4]];
    const y = x.map(([a, b]) => 10 + 3 * a - b);
    const fit = ridge(x, y, 1e-9);
    expect(fit.coef[0]).toBeCloseTo(3, 6);
    expect(fit.coef[1]).toBeCloseTo(-1, 6);
    expect(fit.intercept).toBeCloseTo(10, 6);
    // A huge penalty flattens the slopes to 0, leaving the mean.
    const flat = ridge(x, y, 1e12);
    expect(flat.intercept).toBeCloseTo(y.reduce((a, b) => a + b) / y.length, 6);
  });

  test('no features: the mean', () => {
    expect(ridge([[], [], []], [1, 2, 6], 1)).toEqual({ intercept: 3, coef: [] });
  });

  test('the solver matches a hand-solved system and refuses a matrix that is not positive definite', () => {
    const { lhs, rhs } = normalEquations([[1, 0], [0, 2]], [3, 4], 1);
    expect(lhs).toEqual([[2, 0], [0, 5]]);
    const [u, v] = solveSpd(lhs, rhs);
    expect(u).toBeCloseTo(1.5, 12);
    expect(v).toBeCloseTo(8 / 5, 12);
    expect(() => solveSpd([[1, 2], [2, 1]], [1, 1])).toThrow(/positive definite/);
  });
});

describe('chooseLambda (grouped cross-validation)', () => {
  const rng = seededRng(3);
  const groups = Array.from({ length: 24 }, (_, i) => `c${i % 12}`);
  const x = groups.map((_, i) => [Math.sin(i), Math.cos(3 * i)]);

  test('an exact law picks the weakest penalty', () => {
    expect(chooseLambda(x, x.map(([a, b]) => 2 * a - b), groups)).toBe(LAMBDA_GRID[0]);
  });

  test('pure noise picks a strong one', () => {
    expect(chooseLambda(x, x.map(() => rng()), groups)).toBeGreaterThanOrEqual(10);
  });
});
