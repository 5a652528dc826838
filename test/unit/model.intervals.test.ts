/**
 * Prediction intervals and extrapolation on synthetic sweeps with a known law (the hockey stick of
 * model.synthetic.test.ts): intervals hold fresh runs at unmeasured configurations about as often as they say;
 * a prediction beyond the measured range is marked, with its parameter and range, and ranked below those inside.
 */
import { describeExtrapolations, extrapolations } from '../../analysis/model/extrapolation';
import { describeParams } from '../../analysis/model/features';
import { calibrate, conformalQuantile, predictionInterval } from '../../analysis/model/intervals';
import { fitPredictor } from '../../analysis/model/predict';
import { seededRng } from '../../analysis/model/random';
import { suggestNext } from '../../analysis/model/suggest';
import type { ModelRun } from '../../analysis/model/types';

const C = 'workload.concurrency';
const B = 'serving.batching.maxBatchSize';

function law(c: number, b: number): { inferencesPerS: number; p99Ms: number } {
  const inferencesPerS = Math.min(c * 900, 3000 * (1 + Math.log2(b) / 4));
  return { inferencesPerS, p99Ms: ((3 * c) / inferencesPerS) * 1000 * b ** 0.3 };
}

/** Runs at every (c, b) with ±`noise` multiplicative noise, uniform. */
function runsAt(cs: number[], bs: number[], repeats: number, rng: () => number, noise = 0.05): ModelRun[] {
  const wobble = () => 1 + noise * (2 * rng() - 1);
  return cs.flatMap((c) =>
    bs.flatMap((b) =>
      Array.from({ length: repeats }, () => {
        const t = law(c, b);
        return { params: { [C]: c, [B]: b }, inferencesPerS: t.inferencesPerS * wobble(), p99Ms: t.p99Ms * wobble() };
      }),
    ),
  );
}

const MEASURED_C = [1, 2, 4, 8, 16, 32];
const MEASURED_B = [1, 4, 16];
// Unmeasured configurations inside the measured range: between the measured values of both parameters.
const FRESH_C = [1.5, 3, 6, 12, 24];
const FRESH_B = [2, 8];

describe('the conformal quantile', () => {
  test('is the ⌈coverage·(n+1)⌉-th smallest score, by hand', () => {
    const scores = [0.5, 0.1, 0.4, 0.2, 0.3, 0.9, 0.8, 0.6, 0.7, 1.0]; // n = 10
    expect(conformalQuantile(scores, 0.5)).toEqual({ q: 0.6, exact: true }); // ⌈5.5⌉ = 6th
    expect(conformalQuantile(scores, 0.9)).toEqual({ q: 1.0, exact: true }); // ⌈9.9⌉ = 10th
    // ⌈0.95 · 11⌉ = 11 > 10: too few scores for 95%; the largest, flagged.
    expect(conformalQuantile(scores, 0.95)).toEqual({ q: 1.0, exact: false });
    expect(calibrate({ inferencesPerS: scores, p99Ms: scores.map((s) => 2 * s) }, 0.5)).toEqual({ coverage: 0.5, runs: 10, inferencesPerS: 0.6, p99Ms: 1.2, exact: true });
  });

  test('the interval is symmetric in log space around the prediction', () => {
    const i = predictionInterval(Math.log(100), 0.1, 2);
    expect(i.value).toBeCloseTo(100, 9);
    expect(i.low).toBeCloseTo(100 * Math.exp(-0.2), 9);
    expect(i.high).toBeCloseTo(100 * Math.exp(0.2), 9);
  });
});

describe('prediction intervals on synthetic sweeps', () => {
  /** Fraction of fresh runs inside their intervals, over several sweeps (each with its own noise) and fresh draws. */
  function coverage(stated: number, seeds: number[]): { t: number; p: number; n: number } {
    let inT = 0, inP = 0, n = 0;
    for (const seed of seeds) {
      const rng = seededRng(seed);
      const predictor = fitPredictor(runsAt(MEASURED_C, MEASURED_B, 2, rng), { coverage: stated });
      for (const run of runsAt(FRESH_C, FRESH_B, 4, rng)) {
        const at = predictor.at(run.params);
        expect(at.extrapolated).toEqual([]);
        inT += Number(at.inferencesPerS.low <= run.inferencesPerS && run.inferencesPerS <= at.inferencesPerS.high);
        inP += Number(at.p99Ms.low <= run.p99Ms && run.p99Ms <= at.p99Ms.high);
        n++;
      }
    }
    return { t: inT / n, p: inP / n, n };
  }

  const seeds = [1, 2, 3, 4, 5, 6];

  test('a 90% interval holds about 90% of fresh runs at unmeasured configurations', () => {
    const c = coverage(0.9, seeds);
    expect(c.n).toBe(240);
    // Measured: 0.88 and 0.93 (the stated rate is a long-run average; 240 runs from 6 sweeps scatter by a few %).
    expect(c.t).toBeGreaterThan(0.82);
    expect(c.p).toBeGreaterThan(0.82);
    expect(c.t).toBeLessThan(0.98);
    expect(c.p).toBeLessThan(0.98);
  });

  test('a 50% interval holds about half: the intervals are calibrated, not merely wide', () => {
    const c = coverage(0.5, seeds);
    // Measured: 0.54 and 0.59.
    expect(c.t).toBeGreaterThan(0.4);
    expect(c.t).toBeLessThan(0.67);
    expect(c.p).toBeGreaterThan(0.4);
    expect(c.p).toBeLessThan(0.67);
  });
});

describe('extrapolation', () => {
  test('names each parameter outside its measured range, and the range', () => {
    const specs = describeParams([{ [C]: 1, [B]: 4, m: 'a' }, { [C]: 32, [B]: 16, m: 'b' }]);
    expect(extrapolations(specs, { [C]: 16, [B]: 8, m: 'a' })).toEqual([]);
    expect(extrapolations(specs, { [C]: 32, [B]: 4, m: 'b' })).toEqual([]); // the ends are measured
    const out = extrapolations(specs, { [C]: 64, [B]: 2, m: 'a' });
    expect(out).toEqual([
      { key: B, value: 2, measured: [4, 16] },
      { key: C, value: 64, measured: [1, 32] },
    ]);
    expect(describeExtrapolations(out)).toBe(`${B}=2 below the measured 4–16, ${C}=64 above the measured 1–32`);
  });

  // Throughput still rising at the largest measured load and batch size: the model's best guess lies beyond them.
  const rising: ModelRun[] = [1, 2, 4, 8].flatMap((c) =>
    [1, 4, 16].flatMap((b) => [0.97, 1.03].map((w) => ({ params: { [C]: c, [B]: b }, inferencesPerS: 400 * c ** 0.7 * b ** 0.1 * w, p99Ms: 2 * b ** 0.3 * (2 - w) }))),
  );

  test('an extrapolated best is marked and ranked below every prediction inside the measured range', () => {
    const result = suggestNext(rising);
    const best = result.suggestions.filter((s) => s.kind === 'best');
    expect(best).toHaveLength(3);
    for (const s of best) {
      expect(s.extrapolated).toEqual([]);
      expect(s.params[C] as number).toBeLessThanOrEqual(8);
      expect(s.params[B] as number).toBeLessThanOrEqual(16);
    }
    expect(best[0].reason).toBe('highest predicted throughput (no p99 SLO)');
    // The higher prediction beyond the range is not hidden: a note names it and the flag that ranks it first.
    const note = result.notes.find((n) => n.startsWith('an extrapolation is predicted higher'));
    expect(note).toMatch(/above the measured 1–8|above the measured 1–16/);
    expect(note).toContain('--allow-extrapolation');
    // The most uncertain points are beyond the range, and marked.
    const uncertain = result.suggestions.filter((s) => s.kind === 'uncertain');
    expect(uncertain[0].extrapolated.length).toBeGreaterThan(0);
    expect(describeExtrapolations(uncertain[0].extrapolated)).toMatch(/(above|below) the measured/);
  });

  test('when the list runs past every candidate inside the range, extrapolations follow, ranked and named as such', () => {
    const long = suggestNext(rising, { best: 60 }).suggestions.filter((s) => s.kind === 'best');
    const beyond = long.map((s) => s.extrapolated.length > 0);
    const firstBeyond = beyond.indexOf(true);
    expect(firstBeyond).toBeGreaterThan(0);
    expect(beyond.slice(firstBeyond).every(Boolean)).toBe(true); // none inside after the first outside
    expect(long[firstBeyond].reason).toBe('highest predicted throughput (no p99 SLO) beyond the measured range');
    expect(long[firstBeyond].inferencesPerS.value).toBeGreaterThan(long[0].inferencesPerS.value);
  });

  test('--allow-extrapolation ranks by prediction alone; the extrapolation stays marked', () => {
    const allowed = suggestNext(rising, { allowExtrapolation: true });
    const first = allowed.suggestions[0];
    expect(first.kind).toBe('best');
    expect(first.extrapolated.map((e) => e.key).sort()).toEqual([B, C].sort());
    expect(first.extrapolated).toContainEqual({ key: C, value: 16, measured: [1, 8] });
    expect(first.reason).toBe('highest predicted throughput (no p99 SLO)');
    expect(describeExtrapolations(first.extrapolated)).toBe(`${B}=64 above the measured 1–16, ${C}=16 above the measured 1–8`);
    expect(first.inferencesPerS.value).toBeGreaterThan(suggestNext(rising).suggestions[0].inferencesPerS.value);
    expect(allowed.notes.some((n) => n.startsWith('an extrapolation is predicted higher'))).toBe(false);
  });

  test('an extrapolation\'s interval is wider than one inside the range (relative to its value)', () => {
    const predictor = fitPredictor(rising);
    const rel = (p: { inferencesPerS: { low: number; high: number; value: number } }) => (p.inferencesPerS.high - p.inferencesPerS.low) / p.inferencesPerS.value;
    expect(rel(predictor.at({ [C]: 64, [B]: 64 }))).toBeGreaterThan(2 * rel(predictor.at({ [C]: 3, [B]: 8 })));
  });
});
