/**
 * Fire-and-callback ModelInfer calls over one gRPC channel (HTTP/2: every request of the run multiplexed on it,
 * as tritonclient's shared channel does for perf_analyzer). The requests are serialised once, before the run
 * (activities/inputs/grpc-body.ts), and sent as bytes; a reply is not decoded, only its size counted. Timeouts,
 * in-flight bound and error words as the HTTP sender's (sender.ts).
 */
import * as grpc from '@grpc/grpc-js';
import type { RequestBody } from '../inputs/body';
import { MODEL_INFER_PATH } from '../serve/grpc-proto';
import { GRPC_MAX_MESSAGE_BYTES } from '../serve/grpc-handler';
import { MEASURED_HEADER } from '../serve/measured-header';
import { describeGrpcError } from './grpc-errors';
import { LoadLimitError, MAX_INFLIGHT } from './limits';
import type { Done, LoadSender } from './sender';

interface Call {
  readonly done: Done;
  readonly deadline: number;
  call: grpc.ClientUnaryCall | null;
}

const asIs = (b: Buffer): Buffer => b;

export class GrpcSender implements LoadSender {
  private readonly client: grpc.Client;
  private readonly requests: Buffer[];
  private next = 0;
  private readonly plain = new grpc.Metadata();
  /** Marks a request of the measured window (the built-in server's statistics count those: stats.ts). */
  private readonly measured = new grpc.Metadata();
  requestBytes = 0;
  responseBytes = 0;
  requestsSent = 0;
  responsesCounted = 0;
  /** In-flight calls in send order, which is deadline order (one timeout for all). */
  private readonly live = new Set<Call>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly timeoutText: string;

  constructor(
    /** host:port */
    target: string,
    bodies: readonly RequestBody[],
    private readonly timeoutMs: number,
    private readonly maxInflight = MAX_INFLIGHT,
  ) {
    if (bodies.length === 0) throw new RangeError('the sender needs at least one request body');
    this.requests = bodies.map((b) => b.body);
    this.measured.set(MEASURED_HEADER, '1');
    this.timeoutText = `timed out after ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`;
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
      // A benchmark counts what the server answers: no transparent retries behind its back.
      'grpc.enable_retries': 0,
      // Its own channel, not one shared with other clients of this process.
      'grpc.use_local_subchannel_pool': 1,
    });
  }

  get inflight(): number {
    return this.live.size;
  }

  send(done: Done, measured = false): void {
    if (this.live.size >= this.maxInflight) {
      throw new LoadLimitError(`requests in flight reached the load generator's bound of ${this.maxInflight.toLocaleString('en-US')}`);
    }
    const bytes = this.requests[this.next];
    this.next = (this.next + 1) % this.requests.length;
    this.requestBytes += bytes.length;
    this.requestsSent++;
    const c: Call = { done, deadline: performance.now() + this.timeoutMs, call: null };
    this.live.add(c);
    this.timer ??= setTimeout(this.expire, this.timeoutMs);
    c.call = this.client.makeUnaryRequest(MODEL_INFER_PATH, asIs, asIs, bytes, measured ? this.measured : this.plain, (err, reply) => {
      if (err) return this.complete(c, describeGrpcError(err));
      this.responseBytes += reply?.length ?? 0;
      this.responsesCounted++;
      this.complete(c, null);
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const calls = [...this.live];
    this.live.clear();
    for (const c of calls) c.call?.cancel();
    this.client.close();
  }

  private complete(c: Call, error: string | null): void {
    if (!this.live.delete(c)) return;
    if (this.live.size === 0 && this.timer) {
      clearTimeout(this.timer); // nothing left to time out: don't keep the process alive
      this.timer = null;
    }
    if (!this.closed) c.done(error);
  }

  /** One timer for all: fails the oldest calls past their deadline (and cancels them), then re-arms for the next. */
  private readonly expire = (): void => {
    this.timer = null;
    const now = performance.now();
    for (const c of this.live) {
      if (c.deadline > now + 0.5) {
        this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(c.deadline - now)));
        return;
      }
      this.complete(c, this.timeoutText);
      c.call?.cancel();
    }
  };
}
