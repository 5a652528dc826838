/**
 * The two ways of issuing requests. Both decide at send time whether a request
 * belongs to the measured window, and record it when it completes.
 */
import type { Sender } from './sender';
import type { WindowStats } from './stats';

export interface LoopContext {
  sender: Sender;
  stats: WindowStats;
  /** performance.now() at the start of warm-up; all offsets are relative to it. */
  t0: number;
  warmupMs: number;
  /** warmupMs + durationMs. */
  endMs: number;
  /** Aborted when the run must stop: loops stop issuing and resolve at once. */
  halt: AbortSignal;
  /** Completed requests, warm-up included (for progress reports). */
  completed: number;
}

/**
 * Closed loop: `concurrency` requests always outstanding, each completion
 * issuing the next until endMs. A request is in the window by its actual SEND
 * time (warmupMs <= sent < endMs), so requests sent near the end are still
 * waited for and counted, and latency = completion − send.
 */
export function closedLoop(ctx: LoopContext, concurrency: number): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.halt.aborted) return resolve();
    ctx.halt.addEventListener('abort', () => resolve(), { once: true });
    let active = concurrency;
    const issue = (): void => {
      const sentAt = performance.now();
      const rel = sentAt - ctx.t0;
      if (rel >= ctx.endMs || ctx.halt.aborted) {
        if (--active === 0) resolve();
        return;
      }
      const measured = rel >= ctx.warmupMs;
      if (measured) ctx.stats.onSend(sentAt, null);
      ctx.sender.send((error) => {
        ctx.completed++;
        if (measured) ctx.stats.onDone(performance.now() - sentAt, error);
        issue();
      });
    };
    for (let i = 0; i < concurrency; i++) issue();
  });
}

/** Waits longer than this use setTimeout (which can fire ~1 ms late); the rest is spun. */
const SPIN_MS = 2;

/**
 * Open loop: each request goes out at its scheduled offset whatever the
 * responses are doing. In the window by SCHEDULED time; latency = completion −
 * scheduled time, so a late sender or a full connection pool shows up as
 * latency (no coordinated omission); send lag = actual − scheduled.
 * Resolves when the schedule is sent and nothing is in flight (each request has
 * its own timeout, so that is at most requestTimeoutMs after the last send).
 */
export function openLoop(ctx: LoopContext, schedule: Float64Array): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.halt.aborted) return resolve();
    let timer: NodeJS.Timeout | undefined;
    ctx.halt.addEventListener(
      'abort',
      () => {
        clearTimeout(timer); // a long gap must not keep the process alive after a stop
        resolve();
      },
      { once: true },
    );
    const n = schedule.length;
    let next = 0;
    let allSent = false;
    const fire = (offset: number): void => {
      const scheduled = ctx.t0 + offset;
      const measured = offset >= ctx.warmupMs;
      if (measured) {
        const now = performance.now();
        ctx.stats.onSend(now, now - scheduled);
      }
      ctx.sender.send((error) => {
        ctx.completed++;
        if (measured) ctx.stats.onDone(performance.now() - scheduled, error);
        if (allSent && ctx.sender.inflight === 0) resolve();
      });
    };
    const tick = (): void => {
      if (ctx.halt.aborted) return;
      for (;;) {
        if (next >= n) {
          allSent = true;
          if (ctx.sender.inflight === 0) resolve();
          return;
        }
        const wait = ctx.t0 + schedule[next] - performance.now();
        if (wait <= 0) {
          fire(schedule[next++]); // behind schedule: send everything due at once
          continue;
        }
        // Integer delays keep Node to a few timer lists; setImmediate lets I/O run while spinning.
        if (wait >= SPIN_MS + 1) timer = setTimeout(tick, Math.floor(wait - SPIN_MS));
        else setImmediate(tick);
        return;
      }
    };
    tick();
  });
}
