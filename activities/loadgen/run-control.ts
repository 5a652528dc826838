/**
 * Ends the measured window when the run rules say so. The loops ask `closedAt(offset)` before each send
 * (closed loop: the actual send time; open loop: the scheduled time, so the window stays a window of the
 * schedule); the answer is cheap until minDuration has passed.
 */
import { shouldStop, type RunRules } from './run-rules';
import type { WindowStats } from './stats';

export class RunControl {
  /** Offset from t0 where the measured window ends: warm-up + maxDuration until the rules end it sooner. */
  endMs: number;
  private readonly minEndMs: number;
  private checked = false;
  private decided = false;

  constructor(
    private readonly warmupMs: number,
    private readonly rules: RunRules,
    private readonly stats: WindowStats,
  ) {
    this.endMs = warmupMs + rules.maxDurationMs;
    this.minEndMs = warmupMs + rules.minDurationMs;
  }

  /** True when nothing more may be sent at `offset` (ms from t0): the window has ended. */
  closedAt(offset: number): boolean {
    if (offset >= this.endMs) return true;
    if (offset < this.minEndMs || this.decided) return false;
    const elapsedMs = offset - this.warmupMs;
    this.stats.series.roll(elapsedMs);
    const s = this.stats;
    const es = this.rules.earlyStopping;
    const earlyStoppingSamples = es && es.metric !== 'latency' ? s.earlyStoppingHistogram(es.metric).totalCount : undefined;
    const stop = shouldStop({ elapsedMs, queries: s.ok + s.errors, ok: s.ok, earlyStoppingSamples, windows: s.series.done }, this.rules);
    if (stop) {
      this.decided = true;
      // Met already when minDuration came: end exactly there (nothing was sent past it yet), as a fixed-length run would.
      this.endMs = this.checked ? offset : this.minEndMs;
    }
    this.checked = true;
    return stop;
  }
}
