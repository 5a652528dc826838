/**
 * The two ways of issuing requests. Both decide at send time whether a request
 * belongs to the measured window, and record it when it completes.
 */
import type { RunControl } from './run-control';
import type { Done, LoadSender } from './sender';
import type { WindowStats } from './stats';

export interface LoopContext {
  sender: LoadSender;
  stats: WindowStats;
  /** performance.now() at the start of warm-up; all offsets are relative to it. */
  t0: number;
  warmupMs: number;
  /** Ends the measured window when the run rules are met (or at maxDuration). */
  control: RunControl;
  /** Aborted when the run must stop: loops stop issuing and resolve at once. */
  halt: AbortSignal;
  /** Ends the run with this error (e.g. the sender refused a request: LoadLimitError); halt follows. */
  fail: (error: unknown) => void;
  /** Completed requests, warm-up included (for progress reports). */
  completed: number;
}

/**
 * Closed loop: `concurrency` requests always outstanding, each completion
 * issuing the next until the window ends (asked before each send, so the
 * rules are checked between completions). A request is in the window by its
 * actual SEND time (warmupMs <= sent < end), so requests sent near the end are
 * still waited for and their latency counted (completion − send); throughput
 * counts those answered within the window. With
 * `toLastCompletion` (offline) the window lasts until the last measured
 * request is answered, so every sample counts.
 */
export function closedLoop(ctx: LoopContext, concurrency: number, toLastCompletion = false): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.halt.aborted) return resolve();
    ctx.halt.addEventListener('abort', () => resolve(), { once: true });
    let active = concurrency;
    const issue = (): void => {
      const sentAt = performance.now();
      const rel = sentAt - ctx.t0;
      if (ctx.halt.aborted || ctx.control.closedAt(rel)) {
        if (!toLastCompletion) ctx.stats.closeWindow(ctx.t0 + ctx.control.endMs);
        if (--active === 0) resolve();
        return;
      }
      const measured = rel >= ctx.warmupMs;
      if (measured) ctx.stats.onSend(sentAt, null);
      const done: Done = (error, timing): void => {
        ctx.completed++;
        const now = performance.now();
        // Closed loop: a request's reference time (latency, TTFT) is its actual send.
        ctx.stats.onDone(now - sentAt, error, now, measured, timing, sentAt);
        issue();
      };
      try {
        ctx.sender.send(done, measured);
      } catch (error) {
        ctx.fail(error); // e.g. too many in flight: the run ends with the error
      }
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
 * latency (no coordinated omission); send lag = actual − scheduled. The window
 * closes when sending stops (at its nominal end, or the last late send):
 * throughput counts the measured requests answered before that, and what is
 * still in flight then is counted apart (an overloaded server's backlog is not
 * its throughput).
 * `nextOffset` yields the schedule lazily; sending stops at the first scheduled
 * offset at which the window has ended (run rules met, or maxDuration).
 * Resolves when sending has stopped and nothing is in flight (each request has
 * its own timeout, so that is at most requestTimeoutMs after the last send).
 */
export function openLoop(ctx: LoopContext, nextOffset: () => number): Promise<void> {
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
    let next = nextOffset();
    let allSent = false;
    const fire = (offset: number): void => {
      const scheduled = ctx.t0 + offset;
      const measured = offset >= ctx.warmupMs;
      if (measured) {
        const now = performance.now();
        ctx.stats.onSend(now, now - scheduled);
      }
      ctx.sender.send((error, timing) => {
        ctx.completed++;
        const now = performance.now();
        // Open loop: the reference time (latency, TTFT) is the scheduled send.
        ctx.stats.onDone(now - scheduled, error, now, measured, timing, scheduled);
        if (allSent && ctx.sender.inflight === 0) resolve();
      }, measured);
    };
    const tick = (): void => {
      if (ctx.halt.aborted) return;
      for (;;) {
        const wait = ctx.t0 + next - performance.now();
        // Asked when the send is due (the rules then see the completions up to it), or at once past the end.
        if ((wait <= 0 || next >= ctx.control.endMs) && ctx.control.closedAt(next)) {
          allSent = true;
          ctx.stats.closeWindow(Math.max(ctx.t0 + ctx.control.endMs, ctx.stats.lastSendAt));
          if (ctx.sender.inflight === 0) resolve();
          return;
        }
        if (wait <= 0) {
          try {
            fire(next); // behind schedule: send everything due at once
          } catch (error) {
            return ctx.fail(error); // e.g. too many in flight: the run ends with the error
          }
          next = nextOffset();
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
