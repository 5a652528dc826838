/**
 * A fixed set of slots (the context's sequences) handed out first come, first served: a request beyond them waits
 * in a FIFO queue, and one whose client went away leaves the queue at once.
 */
export class SlotPool<T> {
  private readonly free: T[];
  private readonly waiting: { resolve: (slot: T) => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(slots: T[]) {
    this.free = [...slots];
  }

  /** Whether a slot is free now (acquire would not wait). */
  get anyFree(): boolean {
    return this.free.length > 0;
  }

  /** A free slot, or the next one released after every earlier waiter got theirs; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Gives the slot to the longest waiter, else back to the free set. */
  release(slot: T): void {
    const next = this.waiting.shift();
    if (!next) {
      this.free.push(slot);
      return;
    }
    next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve(slot);
  }
}
