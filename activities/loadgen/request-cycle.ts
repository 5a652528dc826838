/**
 * What every sender (HTTP, gRPC, OpenAI) does before it sends: refuse a request past the in-flight bound, take the
 * next prepared request in turn (the bodies are cycled), and count it.
 */
import { LoadLimitError } from './limits';

export class RequestCycle<T> {
  private next = 0;
  /** Body bytes of the requests taken, and how many. */
  bytes = 0;
  taken = 0;

  constructor(
    private readonly requests: readonly T[],
    /** A request's body bytes, as counted in LoadResult.requestBytes. */
    private readonly bodyBytes: (request: T) => number,
    /** More in-flight requests than this is refused (a JS Set holds at most 2^24; see limits.ts). */
    private readonly maxInflight: number,
  ) {
    if (requests.length === 0) throw new RangeError('a sender needs at least one request');
  }

  /** The next request, counted; throws LoadLimitError (and takes nothing) when `inflight` is at the bound. */
  take(inflight: number): T {
    if (inflight >= this.maxInflight) {
      throw new LoadLimitError(`requests in flight reached the load generator's bound of ${this.maxInflight.toLocaleString('en-US')}`);
    }
    const r = this.requests[this.next];
    this.next = (this.next + 1) % this.requests.length;
    this.bytes += this.bodyBytes(r);
    this.taken++;
    return r;
  }
}
