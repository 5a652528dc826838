/**
 * The `progressive` workload mode's policy, pure: the load levels, when to stop stepping, and the knee.
 * Levels: start, then start × factor^i or start + i × step; concurrency levels are rounded
 * to integers (and must rise). Stepping stops after a step whose p99 exceeds the SLO, that is invalid (e.g. the server
 * saturated), or whose throughput grew less than MIN_GROWTH over the previous step's, or after maxSteps. The knee is the last step that met the SLO
 * (p99 within it and a valid verdict) and still grew (the first step counts as growing); null if none did.
 */
import type { ProgressiveOver, ProgressiveSettings } from '../../configs/settings';

export type { ProgressiveOver };

/** The stepping part of resolved progressive settings (configs/settings.ts): exactly one of factor and step. */
export type ProgressivePlan = Pick<ProgressiveSettings, 'over' | 'start' | 'factor' | 'step' | 'maxSteps'>;

export interface StepSummary {
  level: number;
  throughput: number;
  /** null when no request of the step succeeded. */
  p99Ms: number | null;
  /** The step's run verdict, and why not when invalid. */
  valid: boolean;
  reasons?: string[];
}

/** Throughput must grow by at least this fraction over the previous step for the load to be worth raising. */
export const MIN_GROWTH = 0.05;

/** Checks a plan; throws RangeError on nonsense. */
export function checkPlan(plan: ProgressivePlan): void {
  const { start, factor, step, maxSteps, over } = plan;
  if (over !== 'rate' && over !== 'concurrency') throw new RangeError(`progressive: over must be rate or concurrency, got ${String(over)}`);
  if (!(start > 0) || !Number.isFinite(start)) throw new RangeError(`progressive: start must be a positive number, got ${start}`);
  if (over === 'concurrency' && !Number.isInteger(start)) throw new RangeError(`progressive: a concurrency start must be an integer, got ${start}`);
  if (factor !== null && step !== null) throw new RangeError('progressive: give factor or step, not both');
  if (factor === null && step === null) throw new RangeError('progressive: needs a factor or a step');
  if (factor !== null && !(factor > 1 && Number.isFinite(factor))) throw new RangeError(`progressive: factor must be > 1, got ${factor}`);
  if (step !== null && !(step > 0 && Number.isFinite(step))) throw new RangeError(`progressive: step must be > 0, got ${step}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`progressive: maxSteps must be a positive integer, got ${maxSteps}`);
}

/** The load level of step `i` (0-based). */
export function levelAt(plan: ProgressivePlan, i: number): number {
  const raw = plan.step !== null ? plan.start + i * plan.step : plan.start * plan.factor! ** i;
  if (plan.over === 'rate') return raw;
  // Rounded, and at least one more than the previous level (a small factor must still raise it).
  return i === 0 ? Math.round(raw) : Math.max(Math.round(raw), levelAt(plan, i - 1) + 1);
}

/** All levels a plan may visit. */
export function progressiveLevels(plan: ProgressivePlan): number[] {
  checkPlan(plan);
  return Array.from({ length: plan.maxSteps }, (_, i) => levelAt(plan, i));
}

/** Whether step i met the SLO (p99 within sloP99Ms when given) with a valid verdict. */
export function metSlo(s: StepSummary, sloP99Ms: number | null): boolean {
  return s.valid && s.p99Ms !== null && (sloP99Ms === null || s.p99Ms <= sloP99Ms);
}

/** Whether step i grew throughput by MIN_GROWTH over step i − 1 (step 0 always does). */
export function grew(steps: readonly StepSummary[], i: number): boolean {
  return i === 0 || steps[i].throughput >= (1 + MIN_GROWTH) * steps[i - 1].throughput;
}

/** Why stepping stops after the last of `steps`, or null to go on (maxSteps is the caller's to apply). */
export function stopReason(steps: readonly StepSummary[], sloP99Ms: number | null): string | null {
  const i = steps.length - 1;
  if (i < 0) return null;
  const s = steps[i];
  if (s.p99Ms === null) return 'no request succeeded';
  if (sloP99Ms !== null && !(s.p99Ms <= sloP99Ms)) return `p99 ${s.p99Ms.toFixed(1)} ms exceeds the SLO ${sloP99Ms} ms`;
  // Past saturation (or any invalid step) more load measures the queue, not the server.
  if (!s.valid) return `step invalid: ${(s.reasons ?? []).join('; ') || 'see its verdict'}`;
  if (!grew(steps, i)) return `throughput grew less than ${MIN_GROWTH * 100}% over the previous step`;
  return null;
}

/** The knee: the last step that met the SLO and still grew; null if none. */
export function chooseKnee(steps: readonly StepSummary[], sloP99Ms: number | null): { level: number; index: number } | null {
  for (let i = steps.length - 1; i >= 0; i--) {
    if (metSlo(steps[i], sloP99Ms) && grew(steps, i)) return { level: steps[i].level, index: i };
  }
  return null;
}
