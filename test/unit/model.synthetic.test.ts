/**
 * The model on synthetic sweeps with a known law: closed-loop throughput = min(c × 900, capacity) where
 * batching raises capacity, and p99 from Little's law (c / throughput) times a tail factor, so latency is
 * flat until the server saturates and then grows with c: a queueing hockey stick. Noise is ±5%, multiplicative.
 */
import { evaluateModel, MIN_CONFIGURATIONS } from '../../analysis/model/evaluate';
import { seededRng } from '../../analysis/model/random';
import { spreadOut } from '../../analysis/model/pick';
import { suggestNext } from '../../analysis/model/suggest';
import type { ModelRun } from '../../analysis/model/types';

const C = 'workload.concurrency';
const B = 'serving.batching.maxBatchSize';

function law(c: number, b: number): { inferencesPerS: number; p99Ms: number } {
  const inferencesPerS = Math.min(c * 900, 3000 * (1 + Math.log2(b) / 4));
  return { inferencesPerS, p99Ms: ((3 * c) / inferencesPerS) * 1000 * b ** 0.3 };
}

function sweep(opts: { cs?: number[]; bs?: number[]; repeats?: number; seed?: number } = {}): ModelRun[] {
  const rng = seededRng(opts.seed ?? 7);
  const noise = () => 1 + 0.05 * (2 * rng() - 1);
  const runs: ModelRun[] = [];
  for (const c of opts.cs ?? [1, 2, 4, 8, 16, 32])
    for (const b of opts.bs ?? [1, 4, 16])
      for (let r = 0; r < (opts.repeats ?? 2); r++) {
        const t = law(c, b);
        runs.push({ params: { [C]: c, [B]: b }, inferencesPerS: t.inferencesPerS * noise(), p99Ms: t.p99Ms * noise() });
      }
  return runs;
}

describe('held-out error', () => {
  test('the model predicts unseen configurations within 15%; predicting the mean does not come close', () => {
    const e = evaluateModel(sweep());
    if (!e.fitted) throw new Error(e.reason);
    expect(e.error).toMatchObject({ folds: 5, runs: 36, configurations: 18 });
    expect(e.error.inferencesPerS.mape).toBeLessThan(0.15);
    expect(e.error.p99Ms.mape).toBeLessThan(0.15);
    expect(e.error.inferencesPerS.maxApe).toBeGreaterThanOrEqual(e.error.inferencesPerS.mape);
    expect(e.error.baseline.inferencesPerS.mape).toBeGreaterThan(0.4);
    expect(e.error.baseline.p99Ms.mape).toBeGreaterThan(0.4);
  });

  test('holds on other noise draws and a one-parameter sweep', () => {
    for (const seed of [1, 2, 3]) {
      const e = evaluateModel(sweep({ seed }));
      expect(e.fitted && e.error.inferencesPerS.mape < 0.15 && e.error.p99Ms.mape < 0.15).toBe(true);
    }
    const one = evaluateModel(sweep({ cs: [1, 2, 3, 4, 6, 8, 12, 16], bs: [8] }));
    if (!one.fitted) throw new Error(one.reason);
    expect(one.error.inferencesPerS.mape).toBeLessThan(0.15);
    expect(one.error.inferencesPerS.mape).toBeLessThan(one.error.baseline.inferencesPerS.mape / 2);
  });

  test('a categorical parameter is one-hot and learnt', () => {
    const runs = sweep({ cs: [1, 2, 4, 8], bs: [1, 8] }).flatMap((r) => [
      { ...r, params: { ...r.params, 'compile.graphOptimization': 'all' } },
      { ...r, params: { ...r.params, 'compile.graphOptimization': 'basic' }, inferencesPerS: r.inferencesPerS / 1.5 },
    ]);
    const e = evaluateModel(runs);
    expect(e.fitted && e.error.inferencesPerS.mape < 0.15).toBe(true);
  });

  test(`fewer than ${MIN_CONFIGURATIONS} configurations is a result, not a crash`, () => {
    const e = evaluateModel(sweep({ cs: [1, 2, 4], bs: [8], repeats: 3 }));
    expect(e).toEqual({ fitted: false, runs: 9, configurations: 3, reason: expect.stringMatching(/too small to fit.*3 configurations.*at least 4/) });
    expect(evaluateModel([])).toMatchObject({ fitted: false, runs: 0, reason: expect.stringMatching(/no runs/) });
    expect(suggestNext([])).toMatchObject({ suggestions: [], notes: [expect.stringMatching(/no runs/)] });
  });
});

describe('suggestions', () => {
  const runs = sweep();
  const measured = new Set(runs.map((r) => JSON.stringify([r.params[B], r.params[C]])));
  const key = (p: Record<string, unknown>) => JSON.stringify([p[B], p[C]]);

  test('the best are the highest predicted throughput under the SLO, then the most uncertain; none measured', () => {
    const slo = 12;
    const result = suggestNext(runs, { sloP99Ms: slo });
    const best = result.suggestions.filter((s) => s.kind === 'best');
    const uncertain = result.suggestions.filter((s) => s.kind === 'uncertain');
    expect(best).toHaveLength(3);
    expect(uncertain).toHaveLength(3);
    expect(result.candidates).toBeGreaterThan(6);
    for (const s of result.suggestions) {
      expect(measured.has(key(s.params))).toBe(false);
      expect(Number.isInteger(s.params[C]) && Number.isInteger(s.params[B])).toBe(true);
      expect(s.inferencesPerS.low).toBeLessThanOrEqual(s.inferencesPerS.value);
      expect(s.inferencesPerS.high).toBeGreaterThanOrEqual(s.inferencesPerS.value);
      // In the sweep's own key order, as the user wrote it.
      expect(Object.keys(s.params)).toEqual([C, B]);
      expect(s.yaml).toBe(`sweep:\n  ${C}: [${s.params[C]}]\n  ${B}: [${s.params[B]}]`);
    }
    for (const s of best) expect(s.p99Ms.value).toBeLessThanOrEqual(slo);
    expect(best.map((s) => s.inferencesPerS.value)).toEqual([...best.map((s) => s.inferencesPerS.value)].sort((a, b) => b - a));
    expect(best[0].reason).toBe(`highest predicted throughput with p99 ≤ ${slo} ms`);
    // Truth check: the law agrees that the predicted best is a good, feasible point.
    const truth = law(best[0].params[C] as number, best[0].params[B] as number);
    expect(truth.p99Ms).toBeLessThanOrEqual(slo * 1.25);
    expect(truth.inferencesPerS).toBeGreaterThan(0.6 * result.bestMeasured!.inferencesPerS);
    // The ensemble is least sure where the data are thinnest: beyond the measured range.
    expect(uncertain[0].spread).toBeGreaterThan(best[0].spread);
    expect((uncertain[0].params[C] as number) > 32 || (uncertain[0].params[B] as number) > 16).toBe(true);
    expect(uncertain[0].extrapolated.length).toBeGreaterThan(0);
    // Not all on one grid line: each pair differs in both parameters.
    for (const [i, a] of uncertain.entries()) for (const b of uncertain.slice(i + 1)) expect(a.params[C] !== b.params[C] && a.params[B] !== b.params[B]).toBe(true);
    expect(uncertain[0].reason).toMatch(/^most uncertain: spread ±\d+% throughput, ±\d+% p99$/);
    expect(uncertain[1].reason).toMatch(/^next most uncertain elsewhere: spread ±\d+% throughput, ±\d+% p99$/);
    // Inside the measured range the best carry no mark; their intervals are 90% prediction intervals.
    expect(result.intervals).toMatchObject({ coverage: 0.9, runs: 36, exact: true });
    for (const s of best) expect(s.extrapolated).toEqual([]);
  });

  test('without an SLO the best is the highest throughput; an SLO nothing meets yields none and says so', () => {
    const free = suggestNext(runs);
    expect(free.suggestions[0].reason).toBe('highest predicted throughput (no p99 SLO)');
    const all = suggestNext(runs, { sloP99Ms: 1e9 });
    expect(all.suggestions.map((s) => s.params)).toEqual(free.suggestions.map((s) => s.params));
    const none = suggestNext(runs, { sloP99Ms: 0.01 });
    expect(none.suggestions.filter((s) => s.kind === 'best')).toEqual([]);
    expect(none.suggestions.filter((s) => s.kind === 'uncertain')).toHaveLength(3);
    expect(none.notes).toContain('no candidate is predicted to meet p99 ≤ 0.01 ms');
    expect(none.bestMeasured).toBeNull();
  });

  test('deterministic for a seed', () => {
    expect(suggestNext(runs, { sloP99Ms: 12, seed: 5 })).toEqual(suggestNext(runs, { sloP99Ms: 12, seed: 5 }));
  });
});

describe('spreadOut', () => {
  const at = (a: number, b: number) => ({ params: { a, b } });
  test('skips picks on one grid line with an earlier one, filling in with them only when short', () => {
    const ranked = [at(9, 9), at(9, 1), at(1, 9), at(5, 5), at(9, 5)];
    expect(spreadOut(ranked, 2, ['a', 'b'])).toEqual([at(9, 9), at(5, 5)]);
    expect(spreadOut(ranked, 3, ['a', 'b'])).toEqual([at(9, 9), at(5, 5), at(9, 1)]);
    // One varied parameter: every point is on the one line, so plain ranking.
    expect(spreadOut([at(1, 0), at(2, 0), at(3, 0)], 2, ['a'])).toEqual([at(1, 0), at(2, 0)]);
  });
});
