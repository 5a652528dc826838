import { limitVerdict, needMoreRounds, noiseKeys, noiseVerdict, quietestRound, roundOrder, spread } from '../../perf/noise-policy';

const quietHost = { stealPct: 0.5, loadAvgMax: 1.2, cores: 2 };

describe('spread', () => {
  it('gives min, median, max and max/min of the finite rounds', () => {
    expect(spread([3, 1, 2, NaN, 4])).toEqual({ n: 4, min: 1, median: 2.5, max: 4, ratio: 4 });
  });
  it('is NaN throughout for no rounds', () => {
    const s = spread([]);
    expect(s.n).toBe(0);
    expect(s.ratio).toBeNaN();
  });
});

describe('noiseVerdict', () => {
  it('is quiet under every threshold', () => {
    expect(noiseVerdict(quietHost, { rps: [100, 110, 105] })).toEqual({ noisy: false, reasons: [] });
  });
  it('names each threshold crossed: steal, load per core, a figure spread', () => {
    const v = noiseVerdict({ stealPct: 7.04, loadAvgMax: 6.3, cores: 2 }, { rps: [100, 200], lag: [1, 1.1] });
    expect(v.noisy).toBe(true);
    expect(v.reasons).toEqual(['steal 7% > 5%', 'load average 6.3 > 1.5 per core (2 cores)', 'rps rounds spread 2x > 1.25x']);
  });
  it('says nothing about the spread of a single round, nor about steal /proc could not read', () => {
    expect(noiseVerdict({ stealPct: null, loadAvgMax: null, cores: 2 }, { rps: [100] }).noisy).toBe(false);
  });
});

describe('needMoreRounds', () => {
  const p = { minRounds: 3, maxRounds: 6, maxSpread: 1.25 };
  it('runs the minimum first, counting full rounds only', () => {
    expect(needMoreRounds([[1, 1, 1], [1, 1]], p)).toBe(true);
  });
  it('stops at the minimum when every contender is tight', () => {
    expect(needMoreRounds([[100, 101, 102], [50, 52, 51]], p)).toBe(false);
  });
  it('goes on while any contender spreads wide, up to the cap', () => {
    expect(needMoreRounds([[100, 101, 102], [50, 70, 51]], p)).toBe(true);
    expect(needMoreRounds([[1, 1, 1, 1, 1, 1], [1, 2, 1, 2, 1, 2]], p)).toBe(false);
  });
});

describe('roundOrder', () => {
  it('rotates who goes first each round', () => {
    expect([0, 1, 2].map((i) => roundOrder(['a', 'b'], i))).toEqual([['a', 'b'], ['b', 'a'], ['a', 'b']]);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
  });
});

describe('quietestRound', () => {
  it('is the round with the lowest steal, the lower load breaking ties', () => {
    expect(quietestRound([{ stealPct: 3, load: 1 }, { stealPct: 1, load: 5 }, { stealPct: 1, load: 2 }])).toBe(2);
  });
  it('counts steal in whole points: 0.1% against 0% is no signal, the load decides', () => {
    expect(quietestRound([{ stealPct: 0, load: 9 }, { stealPct: 0.1, load: 3 }])).toBe(1);
  });
  it('is -1 when no round knows its noise', () => {
    expect(quietestRound([{ stealPct: null, load: null }, { stealPct: NaN, load: NaN }])).toBe(-1);
    expect(quietestRound([{ stealPct: NaN, load: 4 }, { stealPct: NaN, load: 2 }])).toBe(1);
  });
});

describe('limitVerdict', () => {
  it('is the server when it was busy under every client', () => {
    expect(limitVerdict({ perf_analyzer: { busyPct: 99.5, waitPct: 0.2 }, servebench: { busyPct: 97, waitPct: null } })).toEqual({ limit: 'server', clientLimited: [], hostLimited: [] });
  });
  it('names the client under which the server idled for want of requests', () => {
    expect(limitVerdict({ perf_analyzer: { busyPct: 69, waitPct: 3 }, servebench: { busyPct: 91, waitPct: 1 } })).toEqual({
      limit: 'client',
      clientLimited: ['perf_analyzer'],
      hostLimited: [],
    });
  });
  it('blames the host when the server had work but waited for its core', () => {
    expect(limitVerdict({ a: { busyPct: 11, waitPct: 85 }, b: { busyPct: 95, waitPct: 1 } })).toEqual({ limit: 'host', clientLimited: [], hostLimited: ['a'] });
  });
  it('cannot tell the host from the client without run-queue figures: the client is named', () => {
    expect(limitVerdict({ a: { busyPct: 50, waitPct: null } }).clientLimited).toEqual(['a']);
  });
});

describe('noiseKeys', () => {
  it('prints host noise, each figure’s min/median/max/spread and the verdict', () => {
    expect(noiseKeys(quietHost, { rps: [100, 150, 120] })).toEqual({
      host_steal_pct: 0.5,
      host_loadavg_max: 1.2,
      host_cores: 2,
      rps_min: 100,
      rps_median: 120,
      rps_max: 150,
      rps_spread: 1.5,
      noisy: 'yes',
      noisy_reasons: '"rps rounds spread 1.5x > 1.25x"',
    });
  });
});
