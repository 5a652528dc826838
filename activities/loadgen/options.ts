/** From a job's validated config to the load generator's options: one place that knows both shapes. Pure. */
import type { Config } from '../../configs/schema';
import type { LoadOptions } from './driver';

export type WorkloadOptions = Omit<LoadOptions, 'baseUrl' | 'modelName' | 'body' | 'bodies' | 'signal' | 'onProgress' | 'onWindowStart'>;

export function workloadOptions(config: Config): WorkloadOptions {
  const w = config.workload;
  const over = w.progressiveOver ?? (w.rate !== undefined ? 'rate' : 'concurrency');
  return {
    mode: w.mode,
    concurrency: w.concurrency,
    rate: w.rate,
    burst: w.burst ? { size: w.burst.size, everyMs: w.burst.every } : undefined,
    samples: w.samples,
    trace: w.trace, // made absolute by the config loader
    progressive:
      w.mode === 'progressive'
        ? {
            over,
            start: w.progressive?.start ?? (over === 'rate' ? w.rate! : w.concurrency!),
            factor: w.progressive?.factor,
            step: w.progressive?.step,
            maxSteps: w.progressive?.maxSteps,
            stepDurationMs: w.progressive?.stepDuration,
          }
        : undefined,
    sloP99Ms: config.slo?.p99Ms ?? null,
    warmupMs: w.warmup,
    durationMs: w.duration,
    minQueries: w.minQueries,
    maxDurationMs: w.maxDuration,
    earlyStopping: w.earlyStopping ?? null,
    stability: w.stability ? { windows: w.stability.windows, tolerance: w.stability.tolerance, windowMs: w.stability.window } : null,
    seed: w.seed,
    requestTimeoutMs: w.requestTimeout,
  };
}
