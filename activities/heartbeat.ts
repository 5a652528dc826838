/**
 * Heartbeats that do not depend on the activity's own progress: a timer beats every interval with the latest
 * details, whatever the activity is waiting on (a lock, a child process, a core), so only a dead process falls
 * silent. The intervals and the timeouts that watch them are in workflows/timings.ts.
 */
import { Context } from '@temporalio/activity';

/** Beats now and then every `intervalMs` with `details()`; returns a stop function. */
export function keepHeartbeating(intervalMs: number, details: () => unknown = () => undefined): () => void {
  const activity = Context.current();
  activity.heartbeat(details());
  const timer = setInterval(() => activity.heartbeat(details()), intervalMs);
  return () => clearInterval(timer);
}

type AsyncFn = (...args: never[]) => Promise<unknown>;

/** The same activities, each heartbeating every `intervalMs` (details: what it is) while it runs. */
export function heartbeatingAll<T extends Record<string, AsyncFn>>(activities: T, intervalMs: number): T {
  const wrapped: Record<string, AsyncFn> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const stop = keepHeartbeating(intervalMs, () => ({ activity: name }));
      try {
        return await fn(...args);
      } finally {
        stop();
      }
    };
  }
  return wrapped as T;
}
