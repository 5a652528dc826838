/**
 * Fire-and-callback ModelInfer calls over one HTTP/2 connection (every request of the run multiplexed on it, as
 * tritonclient's shared channel does for perf_analyzer). gRPC's unary call on the wire is a POST with the
 * length-prefixed message and a grpc-status trailer, so this is node:http2 with the prefixed messages built once
 * before the run (activities/inputs/grpc-body.ts) and each reply read for its status only, its bytes counted and
 * skipped. Not @grpc/grpc-js's client: its per-call stack (resolving, load-balancing and subchannel calls, filters,
 * a Metadata clone) cost 133–333 µs of client CPU per call (median 175) in alternating runs on the 2-core host,
 * against 89–124 µs (median 94) for this and 29–47 µs for the HTTP sender (perf/README.md, "gRPC client CPU"),
 * and a load generator must stay cheaper than the server it drives.
 * Timeouts (deadlines.ts), in-flight bound and error words as the HTTP sender's (sender.ts); grpc-js still makes the one-off
 * metadata and readiness calls (grpc-metadata.ts) and serves (grpc-handler.ts).
 */
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { RequestBody } from '../inputs/body';
import { MODEL_INFER_PATH } from '../serve/grpc-proto';
import { MEASURED_HEADER } from '../serve/measured-header';
import { parseGrpcTarget } from '../../configs/grpc-target';
import { Deadlines } from './deadlines';
import { describeGrpcError } from './grpc-errors';
import { MAX_INFLIGHT } from './limits';
import { RequestCycle } from './request-cycle';
import type { Done, LoadSender } from './sender';

interface Call {
  readonly done: Done;
  readonly deadline: number;
  stream: http2.ClientHttp2Stream | null;
}

/** A stream reset without a gRPC status, in grpc-js's terms (its client maps RST_STREAM codes the same way). */
function resetStatus(code: number): Partial<grpc.StatusObject> {
  const c = http2.constants;
  if (code === c.NGHTTP2_REFUSED_STREAM) return { code: grpc.status.UNAVAILABLE, details: 'stream refused by the server' };
  if (code === c.NGHTTP2_CANCEL) return { code: grpc.status.CANCELLED, details: 'stream cancelled by the server' };
  if (code === c.NGHTTP2_ENHANCE_YOUR_CALM) return { code: grpc.status.RESOURCE_EXHAUSTED, details: 'bandwidth exhausted (ENHANCE_YOUR_CALM)' };
  return { code: grpc.status.INTERNAL, details: `stream reset with HTTP/2 code ${code}` };
}

/** A connection or stream failure: the socket error's code (ECONNREFUSED ...) where there is one. */
function transportError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const details = [e?.cause?.code, e?.code, e?.message].filter(Boolean).join(' ');
  return describeGrpcError({ code: grpc.status.UNAVAILABLE, details });
}

export class GrpcSender implements LoadSender {
  private readonly host: string;
  private readonly port: number;
  private readonly authority: string;
  /** Per body: the gRPC message with its 5-byte prefix (not compressed, 4-byte big-endian length). */
  private readonly frames: RequestCycle<Buffer>;
  private readonly plainHeaders: http2.OutgoingHttpHeaders;
  /** Marks a request of the measured window (the built-in server's statistics count those: stats.ts). */
  private readonly measuredHeaders: http2.OutgoingHttpHeaders;
  private session: http2.ClientHttp2Session | null = null;
  responseBytes = 0;
  responsesCounted = 0;
  /** In-flight calls, each failed (and cancelled) at its deadline. */
  private readonly live: Deadlines<Call>;
  private closed = false;

  constructor(
    /** host:port */
    target: string,
    bodies: readonly RequestBody[],
    timeoutMs: number,
    maxInflight = MAX_INFLIGHT,
  ) {
    if (bodies.length === 0) throw new RangeError('the sender needs at least one request body');
    const t = parseGrpcTarget(target);
    if ('problem' in t) throw new Error(`gRPC target "${target}": ${t.problem}`);
    this.host = t.host;
    this.port = t.port;
    this.authority = target;
    const frames = bodies.map(({ body }) => {
      const frame = Buffer.allocUnsafe(5 + body.length);
      frame[0] = 0; // not compressed
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      return frame;
    });
    this.frames = new RequestCycle<Buffer>(frames, (f) => f.length - 5, maxInflight);
    this.plainHeaders = {
      ':method': 'POST',
      ':path': MODEL_INFER_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'servebench',
    };
    this.measuredHeaders = { ...this.plainHeaders, [MEASURED_HEADER]: '1' };
    this.live = new Deadlines<Call>(timeoutMs, (c) => {
      this.complete(c, this.live.text);
      c.stream?.close(http2.constants.NGHTTP2_CANCEL);
    });
  }

  get inflight(): number {
    return this.live.size;
  }

  get requestBytes(): number {
    return this.frames.bytes;
  }

  get requestsSent(): number {
    return this.frames.taken;
  }

  send(done: Done, measured = false): void {
    const frame = this.frames.take(this.live.size);
    const c: Call = { done, deadline: this.live.deadlineFromNow(), stream: null };
    this.live.add(c);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.connection().request(measured ? this.measuredHeaders : this.plainHeaders, { endStream: false });
    } catch (e) {
      // A session that is closing takes no new stream: report it, and the next request opens a new connection.
      this.session = null;
      queueMicrotask(() => this.complete(c, transportError(e)));
      return;
    }
    c.stream = stream;
    // Headers, message and end of stream leave together.
    stream.end(frame);
    let status: string | undefined;
    let message: string | undefined;
    let httpStatus = 0;
    let bytes = 0;
    stream.on('response', (h) => {
      httpStatus = Number(h[':status']);
      // A trailers-only reply (an error) carries its status in the headers.
      if (h['grpc-status'] !== undefined) {
        status = String(h['grpc-status']);
        message = h['grpc-message'] as string | undefined;
      }
    });
    stream.on('trailers', (h) => {
      status = String(h['grpc-status']);
      message = h['grpc-message'] as string | undefined;
    });
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    let failure: string | null = null;
    stream.on('error', (e) => (failure = transportError(e)));
    stream.on('close', () => {
      if (status === '0') {
        this.responseBytes += Math.max(0, bytes - 5);
        this.responsesCounted++;
        return this.complete(c, null);
      }
      if (status !== undefined) {
        const details = message === undefined ? '' : decodeGrpcMessage(message);
        return this.complete(c, describeGrpcError({ code: Number(status), details }));
      }
      if (failure) return this.complete(c, failure);
      if (httpStatus && httpStatus !== 200) return this.complete(c, `HTTP ${httpStatus} without a gRPC status (not a gRPC endpoint?)`);
      this.complete(c, describeGrpcError(resetStatus(stream.rstCode ?? http2.constants.NGHTTP2_INTERNAL_ERROR)));
    });
  }

  close(): void {
    this.closed = true;
    this.live.clear();
    this.session?.destroy();
    this.session = null;
  }

  /** The open session, or a new one (the first request, or after the server closed or failed the last). */
  private connection(): http2.ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    const session = http2.connect(`http://${this.authority}`, {
      // TCP_NODELAY, as gRPC's own clients: a request is one write, its reply must not wait for our ACK.
      createConnection: () => net.connect({ host: this.host, port: this.port, noDelay: true }),
      // The server's replies are as large as its tensors; don't throttle them at HTTP/2's 64 KiB default.
      settings: { initialWindowSize: 16 * 1024 * 1024, enablePush: false },
      // Many large replies in flight must not trip node's 10 MB cap on a session's buffers (grpc-js lifts it too).
      maxSessionMemory: 1024,
    });
    // Each stream reports the failure itself; an unhandled session 'error' would end the process.
    session.on('error', () => undefined);
    // The connection's window as the streams' (HTTP/2's default is 64 KiB for all streams together).
    session.on('connect', () => session.setLocalWindowSize(16 * 1024 * 1024));
    const forget = () => {
      if (this.session === session) this.session = null;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    this.session = session;
    return session;
  }

  private complete(c: Call, error: string | null): void {
    if (!this.live.delete(c)) return;
    if (!this.closed) c.done(error);
  }
}

/** grpc-message is percent-encoded (gRPC over HTTP/2); a malformed one is shown as it came. */
function decodeGrpcMessage(m: string): string {
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}
