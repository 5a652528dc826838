import { noiseLines, parseLoadavg, parseProcStat, stealPct, summarizeNoise } from '../../perf/host-noise';

const STAT = `cpu  100 10 50 800 20 0 5 15 0 0
cpu0 50 5 25 400 10 0 2 8 0 0
intr 1 2 3
`;

describe('perf/host-noise', () => {
  it('reads steal and total jiffies from the aggregate cpu line', () => {
    expect(parseProcStat(STAT)).toEqual({ steal: 15, total: 1000 });
    expect(parseProcStat('intr 1 2\n')).toBeNull();
  });

  it('reads the 1-minute load average', () => {
    expect(parseLoadavg('3.25 2.10 1.00 4/200 1234\n')).toBe(3.25);
    expect(parseLoadavg('')).toBeNull();
  });

  it('steal over a span is the share of the span, not of all time', () => {
    expect(stealPct({ steal: 15, total: 1000 }, { steal: 35, total: 1200 })).toBe(10);
    expect(stealPct({ steal: 15, total: 1000 }, { steal: 15, total: 1000 })).toBeNull();
  });

  it('calls a span busy when the load average exceeds the cores or steal exceeds 5 %', () => {
    const quiet = summarizeNoise({ steal: 0, total: 0 }, { steal: 1, total: 100 }, [0.5, 1.5], 2);
    expect(quiet).toEqual({ stealPct: 1, loadavg: { min: 0.5, mean: 1, max: 1.5, samples: 2 }, cores: 2, busy: false });
    expect(summarizeNoise(null, null, [3, 4], 2).busy).toBe(true);
    expect(summarizeNoise({ steal: 0, total: 0 }, { steal: 6, total: 100 }, [], 2).busy).toBe(true);
    expect(noiseLines('x_', summarizeNoise(null, null, [], 2))).toContain('x_steal_pct=null');
  });
});
