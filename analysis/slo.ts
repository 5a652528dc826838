/**
 * Whether a run meets its latency objective: every percentile the SLO names must be at or under its bound,
 * and the run must have succeeded at least once. An LLM run (serving.api openai-*) is also held to the SLO's
 * ttftMs / tpotMs / e2eMs at slo.percentile (unset = 99); a KServe run only to p50Ms … p99Ms, as always.
 * Pure; shared by the recorder and the CLI summary.
 */
import { LLM_SLO_KEYS, SLO_KEYS, type Config } from '../configs/schema';

/** null where no request succeeded. */
export interface LatencyPercentiles {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** An LLM run's per-token latencies (LlmSummary.ttft / .tpot); E2E is the run's ordinary latency. */
export interface LlmPercentiles {
  ttft: LatencyPercentiles;
  tpot: LatencyPercentiles;
}

export interface SloVerdict {
  /** null when there is no SLO. */
  meets: boolean | null;
  /** The bounds that were missed, e.g. "p99 3.2 > 2 ms"; "no successful requests" when none succeeded. */
  missed: string[];
  /** The objective in words, e.g. "p95 ≤ 20 ms, p99 ≤ 40 ms" or "TTFT p99 ≤ 500 ms". */
  objective: string;
}

type Slo = NonNullable<Config['slo']>;
type Bound = { label: string; limit: number; value: number | null };

/** The percentile LLM objectives are judged at, as its LatencyPercentiles key. */
export const llmSloKey = (slo: Slo): keyof LatencyPercentiles => `p${slo.percentile ?? 99}Ms` as keyof LatencyPercentiles;

/** The LLM objectives a config names, each with the run's value at slo.percentile. */
function llmBounds(slo: Slo, latency: LatencyPercentiles, llm: LlmPercentiles): Bound[] {
  const key = llmSloKey(slo);
  const p = key.replace('Ms', '');
  const value = { ttftMs: llm.ttft[key], tpotMs: llm.tpot[key], e2eMs: latency[key] };
  return LLM_SLO_KEYS.filter((k) => slo[k] !== undefined).map((k) => ({ label: `${k.replace('Ms', '').toUpperCase()} ${p}`, limit: slo[k] as number, value: value[k] }));
}

function verdict(bounds: Bound[], ok: number): SloVerdict {
  if (!bounds.length) return { meets: null, missed: [], objective: '' };
  const objective = bounds.map((b) => `${b.label} ≤ ${b.limit} ms`).join(', ');
  if (ok === 0) return { meets: false, missed: ['no successful requests'], objective };
  const missed = bounds.filter((b) => !(b.value !== null && b.value <= b.limit)).map((b) => `${b.label} ${b.value ?? '—'} > ${b.limit} ms`);
  return { meets: missed.length === 0, missed, objective };
}

/**
 * `llm`: the run's TTFT and TPOT when it is an LLM run (then ttftMs / tpotMs / e2eMs count too); absent for a
 * KServe run, which the LLM keys do not concern.
 */
export function sloVerdict(slo: Config['slo'], latency: LatencyPercentiles, ok: number, llm?: LlmPercentiles | null): SloVerdict {
  if (!slo) return { meets: null, missed: [], objective: '' };
  const named: Bound[] = SLO_KEYS.filter((k) => slo[k] !== undefined).map((k) => ({ label: k.replace('Ms', ''), limit: slo[k] as number, value: latency[k] }));
  return verdict([...named, ...(llm ? llmBounds(slo, latency, llm) : [])], ok);
}

/** The LLM objectives alone (llm_runs.meets_llm_slo): null without ttftMs, tpotMs or e2eMs. */
export function llmSloVerdict(slo: Config['slo'], latency: LatencyPercentiles, ok: number, llm: LlmPercentiles): SloVerdict {
  return verdict(slo ? llmBounds(slo, latency, llm) : [], ok);
}
