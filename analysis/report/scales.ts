/**
 * Axis choices for the plots, from the data: log where values span decades, with ticks at round numbers
 * (Vega's own log ticks label every integer multiple, 2 3 4 … 9, which crowds a small plot).
 */

export interface AxisParts {
  scale: Record<string, unknown>;
  axis: Record<string, unknown>;
}

/** Round log-axis ticks in [lo, hi]: decades over a wide span, 1-2-5 over a decade or two, finer below. */
export function logTicks(lo: number, hi: number): number[] {
  const span = Math.log10(hi / lo);
  const steps = span >= 2.5 ? [1] : span >= 0.8 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = Number((s * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** The nearest of 1, 1.5, 2, 3, 5, 7 × 10^k below (or above) x: log domains end on round numbers, as `nice` does for linear ones. */
export function roundLog(x: number, up: boolean): number {
  const e = Math.floor(Math.log10(x));
  const c = [1, 1.5, 2, 3, 5, 7, 10].map((m) => Number((m * 10 ** e).toPrecision(12)));
  return up ? (c.find((v) => v >= x * (1 - 1e-9)) as number) : (c.reverse().find((v) => v <= x * (1 + 1e-9)) as number);
}

/** A log axis over positive values, padded so no point sits on the frame, and widened when they are all about equal. */
export function logAxis(values: number[], format: string): AxisParts {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  const lo0 = Math.min(...v);
  const hi0 = Math.max(...v);
  const pad = hi0 / lo0 < 4 ? 1.5 : 1.05;
  const domain: [number, number] = [roundLog(lo0 / pad, false), roundLog(hi0 * pad, true)];
  return { scale: { type: 'log', domain, nice: false }, axis: { format, values: logTicks(...domain) } };
}

/** Latency: log when the values span a decade or more (queueing under load often does), linear otherwise. */
export function latencyAxis(values: number[]): AxisParts {
  const v = values.filter((x) => Number.isFinite(x));
  const log = v.length > 0 && v.every((x) => x > 0) && Math.max(...v) / Math.min(...v) >= 10;
  return log ? logAxis(v, '~g') : { scale: { type: 'linear', zero: false }, axis: {} };
}
