/**
 * Whether a run meets its latency objective: every percentile the SLO names must be at or under its bound,
 * and the run must have succeeded at least once. Pure; shared by the recorder and the CLI summary.
 */
import { SLO_KEYS, type Config } from '../configs/schema';

/** null where no request succeeded. */
export interface LatencyPercentiles {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface SloVerdict {
  /** null when there is no SLO. */
  meets: boolean | null;
  /** The bounds that were missed, e.g. "p99 3.2 > 2 ms"; "no successful requests" when none succeeded. */
  missed: string[];
  /** The objective in words, e.g. "p95 ≤ 20 ms, p99 ≤ 40 ms". */
  objective: string;
}

export function sloVerdict(slo: Config['slo'], latency: LatencyPercentiles, ok: number): SloVerdict {
  if (!slo) return { meets: null, missed: [], objective: '' };
  const named = SLO_KEYS.filter((k) => slo[k] !== undefined);
  const label = (k: string) => k.replace('Ms', '');
  const objective = named.map((k) => `${label(k)} ≤ ${slo[k]} ms`).join(', ');
  if (ok === 0) return { meets: false, missed: ['no successful requests'], objective };
  const missed = named.filter((k) => !(latency[k] !== null && latency[k] <= slo[k]!)).map((k) => `${label(k)} ${latency[k] ?? '—'} > ${slo[k]} ms`);
  return { meets: missed.length === 0, missed, objective };
}
