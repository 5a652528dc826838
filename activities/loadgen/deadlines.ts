/**
 * The requests in flight of a sender, in send order, which is deadline order (every request gets the same
 * timeout): one timer for all, armed for the oldest, fails each request past its deadline (a total deadline, not
 * an idle one, so a trickling reply also times out) and re-arms for the next.
 */
export class Deadlines<T extends { readonly deadline: number }> {
  private readonly live = new Set<T>();
  private timer: NodeJS.Timeout | null = null;
  /** "timed out after 10 s" / "timed out after 200 ms": stable, so the summary can say "all 7,349 requests timed out after 10 s". */
  readonly text: string;

  constructor(
    readonly timeoutMs: number,
    /** Called for each request past its deadline (after it has left the set). */
    private readonly onExpired: (item: T) => void,
  ) {
    this.text = `timed out after ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`;
  }

  get size(): number {
    return this.live.size;
  }

  /** The deadline a request sent now gets. */
  deadlineFromNow(): number {
    return performance.now() + this.timeoutMs;
  }

  add(item: T): void {
    this.live.add(item);
    this.timer ??= setTimeout(this.expire, this.timeoutMs);
  }

  has(item: T): boolean {
    return this.live.has(item);
  }

  /** Removes `item`; false if it was not there (already done or expired). Disarms the timer when nothing is left. */
  delete(item: T): boolean {
    if (!this.live.delete(item)) return false;
    if (this.live.size === 0 && this.timer) {
      clearTimeout(this.timer); // nothing left to time out: don't keep the process alive
      this.timer = null;
    }
    return true;
  }

  /** Forgets every request (their onExpired never comes) and disarms the timer. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.live.clear();
  }

  private readonly expire = (): void => {
    this.timer = null;
    const now = performance.now();
    for (const item of this.live) {
      if (item.deadline > now + 0.5) {
        this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(item.deadline - now)));
        return;
      }
      this.onExpired(item);
    }
  };
}
