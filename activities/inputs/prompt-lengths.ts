/**
 * Token lengths of synthetic LLM requests (workload.prompts.inputTokens / outputTokens): a fixed count, or drawn
 * per request from a normal distribution, rounded and clamped to [min, max] (min 1 when unset). Pure; the draws
 * come from a seeded stream (workload.seed), so a run is repeatable.
 */
import { normal } from '../../analysis/compare/bootstrap';
import type { Uniform } from '../rng';

/** What the config holds: workload.prompts.inputTokens / outputTokens after the schema. */
export type TokenCountSpec = number | { mean: number; stdev: number; min?: number; max?: number };

export function drawTokenCount(spec: TokenCountSpec, u: Uniform): number {
  if (typeof spec === 'number') return spec;
  const lo = spec.min ?? 1;
  const hi = spec.max ?? Infinity;
  const x = spec.stdev > 0 ? spec.mean + spec.stdev * normal(u) : spec.mean;
  return Math.min(hi, Math.max(lo, Math.round(x)));
}
