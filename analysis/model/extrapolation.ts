/**
 * Which parameters of a configuration lie outside the range the sweep measured. A prediction there rests on the
 * model's shape (straight lines in the log of load and batch size) rather than on data, and its interval's
 * coverage was calibrated inside the range: it is marked, and ranked below predictions inside the range.
 */
import type { ParamSpec } from './features';

export interface Extrapolation {
  key: string;
  value: number;
  /** The smallest and largest measured values. */
  measured: [number, number];
}

/** The numeric parameters of `params` outside their measured range (categories are only ever measured levels). */
export function extrapolations(specs: readonly ParamSpec[], params: Record<string, unknown>): Extrapolation[] {
  const out: Extrapolation[] = [];
  for (const spec of specs) {
    if (spec.kind !== 'numeric' || !spec.values.length) continue;
    const value = Number(params[spec.key]);
    const measured: [number, number] = [spec.values[0], spec.values[spec.values.length - 1]];
    if (value < measured[0] || value > measured[1]) out.push({ key: spec.key, value, measured });
  }
  return out;
}

/** "workload.concurrency=64 beyond the measured 1–32", joined for several. */
export function describeExtrapolations(list: readonly Extrapolation[]): string {
  return list.map((e) => `${e.key}=${e.value} ${e.value > e.measured[1] ? 'above' : 'below'} the measured ${e.measured[0]}–${e.measured[1]}`).join(', ');
}
