/**
 * Fire-and-callback POSTs of pre-serialised infer bodies (cycled in turn) over keep-alive
 * connections, one request per connection at a time. A minimal HTTP/1.1
 * client on raw sockets (this runs tens of thousands of times a second, and
 * general clients spend more CPU per request than the server under test): the
 * request bytes are built once, and a reply is parsed for its status line and
 * Content-Length only. A 200's body is skipped unread; only an error's body is
 * decoded, to describe it. Chunked replies are reported as errors.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { RequestBody } from '../inputs/body';
import { MEASURED_HEADER } from '../serve/measured-header';
import { describeErrorBody, describeNetError, type Endpoint } from './endpoint';
import { Deadlines } from './deadlines';
import { MAX_INFLIGHT } from './limits';
import { RequestCycle } from './request-cycle';
import type { StreamTiming } from './llm-types';

/**
 * null on success, else a short message (stable text, so samples dedupe). The LLM sender (openai-sender.ts) passes
 * its successful requests' chunk times and tokens; the KServe senders pass nothing.
 */
export type Done = (error: string | null, timing?: StreamTiming) => void;

/** What the loops drive: this HTTP sender, or the gRPC one (grpc-sender.ts). */
export interface LoadSender {
  /** Requests sent and not yet done. */
  readonly inflight: number;
  /** Body bytes of the requests sent, and of the successful replies received. */
  readonly requestBytes: number;
  responseBytes: number;
  readonly requestsSent: number;
  responsesCounted: number;
  /** Sends the next request (`measured`: one of the measured window's); `done` once, unless close() comes first. */
  send(done: Done, measured?: boolean): void;
  /** Drops in-flight requests (their callbacks never fire) and closes the connections. */
  close(): void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** A reply head larger than this is refused (the servers under test send a few hundred bytes). */
const MAX_HEAD_BYTES = 64 * 1024;
/** Bodies up to this size are sent with their head as one prebuilt buffer. */
const INLINE_BODY_BYTES = 64 * 1024;
/** Reply header lines the client reads (name case-insensitive; the value up to the line's end). */
const CONTENT_LENGTH = /\r\ncontent-length[ \t]*:([^\r]*)/i;
const TRANSFER_ENCODING = /\r\ntransfer-encoding[ \t]*:([^\r]*)/i;
const CONNECTION = /\r\nconnection[ \t]*:([^\r]*)/i;
/** How much of an error body is decoded for the error sample. */
const ERROR_BODY_BYTES = 1024;

interface Exchange {
  readonly done: Done;
  readonly deadline: number;
  /** The request's bytes: head and body in one buffer, or apart for a large body (see Sender). */
  readonly bytes: readonly Buffer[];
  conn: Connection | null;
}

/** One keep-alive connection; `ex` is the request on it, if any. */
class Connection {
  readonly socket: net.Socket;
  ex: Exchange | null = null;
  dead = false;
  private head: Buffer | null = null; // bytes of an incomplete reply head
  private status = 0;
  private remaining = -1; // body bytes still due; -1 while the head is incomplete
  private errorBody: Buffer[] | null = null;
  private errorBytes = 0;
  private closeAfter = false;

  constructor(private readonly sender: Sender, ep: Endpoint, secure: boolean) {
    if (secure) {
      this.socket = tls.connect({ host: ep.hostname, port: ep.port, servername: net.isIP(ep.hostname) ? undefined : ep.hostname });
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    } else {
      // Plain TCP reads into one buffer the sender reuses (no Buffer, stream push and 'data' event per read).
      const buffer = sender.readBuffer;
      this.socket = net.connect({ host: ep.hostname, port: ep.port, onread: { buffer, callback: (n) => this.onRead(buffer, n) } });
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (e) => this.fail(describeNetError(e)));
    this.socket.on('close', () => this.fail(describeNetError({ code: 'ECONNRESET' })));
  }

  write(ex: Exchange): void {
    this.ex = ex;
    ex.conn = this;
    this.status = 0;
    this.remaining = -1;
    this.head = null;
    this.errorBody = null;
    this.errorBytes = 0;
    if (ex.bytes.length === 1) {
      this.socket.write(ex.bytes[0]);
      return;
    }
    // Corked: head and large body leave in one writev, without copying the body.
    this.socket.cork();
    for (const b of ex.bytes) this.socket.write(b);
    this.socket.uncork();
  }

  /** Closes the socket; a request on it gets `error` (or nothing, when null). */
  kill(error: string | null): void {
    if (error === null) this.ex = null;
    this.fail(error ?? '');
    this.socket.destroy();
  }

  private fail(error: string): void {
    if (this.dead) return;
    this.dead = true;
    const ex = this.ex;
    this.ex = null;
    this.sender.dropped(this);
    if (ex) this.sender.complete(ex, this.status ? `response aborted: ${error}` : error);
  }

  /** A read into the sender's buffer; true: keep reading (false would pause the socket). */
  private onRead(buffer: Buffer, n: number): boolean {
    this.onData(buffer.subarray(0, n), true);
    return true;
  }

  /** `shared`: the chunk is the sender's read buffer, overwritten by the next read, so what is kept is copied. */
  private onData(chunk: Buffer, shared = false): void {
    if (!this.ex) return this.kill(null); // bytes nobody asked for: the connection can't be trusted
    let body = chunk;
    if (this.remaining < 0) {
      const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) return this.kill('reply head too large');
        this.head = shared && buf === chunk ? Buffer.from(buf) : buf;
        return;
      }
      this.head = null;
      const err = this.parseHead(buf.toString('latin1', 0, end));
      if (err) return this.kill(err);
      body = buf.subarray(end + 4);
    }
    if (body.length > this.remaining) return this.kill('reply longer than its Content-Length');
    this.remaining -= body.length;
    if (this.errorBody && this.errorBytes < ERROR_BODY_BYTES && body.length) {
      this.errorBody.push(shared ? Buffer.from(body) : body);
      this.errorBytes += body.length;
    }
    if (this.remaining > 0) return;
    const ex = this.ex;
    this.ex = null;
    const status = this.status;
    const error =
      status === 200
        ? null
        : `HTTP ${status}: ${describeErrorBody(Buffer.concat(this.errorBody ?? []).toString('utf8', 0, ERROR_BODY_BYTES))}`;
    if (this.closeAfter) this.kill(null);
    else this.sender.release(this);
    this.sender.complete(ex, error);
  }

  /** Reads status and framing from the reply head; returns an error text, or null. */
  private parseHead(head: string): string | null {
    const status = head.startsWith('HTTP/1.') ? Number(head.slice(9, 12)) : NaN;
    if (!(status >= 100 && status <= 599)) return `malformed reply: ${JSON.stringify(head.slice(0, 40))}`;
    if (status < 200) return `unexpected HTTP ${status} interim reply`;
    // Found by regular expression over the head rather than by splitting it into lines: this runs once per reply,
    // and the split's strings cost the load generator ~1 µs and garbage per request (perf/README.md, perf:loadgen).
    const te = TRANSFER_ENCODING.exec(head);
    if (te) return `HTTP ${status} with Transfer-Encoding ${te[1].trim()} (unsupported: the load generator needs Content-Length)`;
    const cl = CONTENT_LENGTH.exec(head);
    let length = cl ? Number(cl[1].trim()) : -1;
    const conn = CONNECTION.exec(head);
    this.closeAfter = conn ? /close/i.test(conn[1]) : head.startsWith('HTTP/1.0');
    if (status === 204 || status === 304) length = 0;
    if (!(length >= 0) || !Number.isSafeInteger(length)) return `HTTP ${status} without a valid Content-Length (unsupported)`;
    this.status = status;
    this.remaining = length;
    if (status === 200) {
      this.sender.responseBytes += length;
      this.sender.responsesCounted++;
    }
    if (status !== 200) this.errorBody = [];
    return null;
  }
}

/**
 * Connections are handed out LIFO (the most recently used first, like node's
 * http.Agent), so an open loop at a modest rate keeps a few warm connections;
 * a new one is opened only when all are busy and fewer than maxSockets exist,
 * and past that requests wait in FIFO order.
 */
export class Sender implements LoadSender {
  /** Per body, built once: its bytes unmarked and marked as measured; send() cycles through them. */
  private readonly requests: RequestCycle<{ bodyBytes: number; plain: Buffer[]; measured: Buffer[] }>;
  /** Body bytes of the 200 replies received (their Content-Length). */
  responseBytes = 0;
  responsesCounted = 0;
  private readonly secure: boolean;
  /** In-flight requests, each failed at its deadline (a total deadline, so a trickling reply also times out). */
  private readonly live: Deadlines<Exchange>;
  private readonly conns = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private waiting: Exchange[] = [];
  private closed = false;
  /** @internal what every plain-TCP connection reads into: read callbacks run one at a time and keep no view of it. */
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);

  constructor(
    private readonly ep: Endpoint,
    bodies: readonly RequestBody[],
    timeoutMs: number,
    private readonly maxSockets: number,
    /** More in-flight requests than this is refused (a JS Set holds at most 2^24; see limits.ts). */
    maxInflight = MAX_INFLIGHT,
  ) {
    if (bodies.length === 0) throw new RangeError('the sender needs at least one request body');
    this.secure = ep.modelUrl.startsWith('https:');
    this.live = new Deadlines<Exchange>(timeoutMs, (ex) => {
      const conn = ex.conn;
      this.complete(ex, this.live.text);
      if (conn) conn.kill(null); // its reply may still come: the connection can't be reused
    });
    const host = ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname;
    const requests = bodies.map(({ body, headerLength }) => {
      // Binary tensor bodies (Triton's extension) say where their JSON header ends.
      const type = headerLength === undefined ? 'application/json' : `application/octet-stream\r\nInference-Header-Content-Length: ${headerLength}`;
      const head =
        `POST ${ep.modelPath}/infer HTTP/1.1\r\nHost: ${host}:${ep.port}\r\n` +
        `Content-Type: ${type}\r\nContent-Length: ${body.length}\r\n`;
      // Marks a request of the measured window, so the built-in server's statistics cover exactly those.
      const heads = [Buffer.from(`${head}\r\n`, 'latin1'), Buffer.from(`${head}${MEASURED_HEADER}: 1\r\n\r\n`, 'latin1')];
      // A small request goes out as one prebuilt buffer in one write, as before bodies and marks were separate;
      // a large body (an image tensor) is not copied per head but corked behind it.
      const [plain, measured] = heads.map((h) => (body.length <= INLINE_BODY_BYTES ? [Buffer.concat([h, body])] : [h, body]));
      return { bodyBytes: body.length, plain, measured };
    });
    this.requests = new RequestCycle(requests, (r) => r.bodyBytes, maxInflight);
  }

  get requestBytes(): number {
    return this.requests.bytes;
  }

  get requestsSent(): number {
    return this.requests.taken;
  }

  get inflight(): number {
    return this.live.size;
  }

  /**
   * Sends one request (`measured`: one of the measured window's); `done` is called exactly once, unless close()
   * comes first. Throws LoadLimitError (and sends nothing) when maxInflight requests are already in flight.
   */
  send(done: Done, measured = false): void {
    const r = this.requests.take(this.live.size);
    const ex: Exchange = { done, deadline: this.live.deadlineFromNow(), bytes: measured ? r.measured : r.plain, conn: null };
    this.live.add(ex);
    let conn = this.idle.pop();
    if (!conn && this.conns.size < this.maxSockets) {
      conn = new Connection(this, this.ep, this.secure);
      this.conns.add(conn);
    }
    if (conn) conn.write(ex);
    else this.waiting.push(ex);
  }

  /** Drops in-flight requests (their callbacks never fire) and closes all sockets. */
  close(): void {
    this.closed = true;
    this.live.clear();
    this.waiting = [];
    this.idle.length = 0;
    for (const c of [...this.conns]) c.kill(null);
  }

  /** @internal a request ended: report it (once). */
  complete(ex: Exchange, error: string | null): void {
    if (!this.live.delete(ex)) return;
    ex.conn = null;
    if (!this.closed) ex.done(error);
  }

  /** @internal a connection is free for the next request. */
  release(conn: Connection): void {
    if (this.closed) return;
    for (;;) {
      const next = this.waiting.shift();
      if (!next) break;
      if (this.live.has(next)) return conn.write(next); // timed-out waiters are skipped
    }
    this.idle.push(conn);
  }

  /** @internal a connection closed: forget it, and give a waiting request a new one. */
  dropped(conn: Connection): void {
    this.conns.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.closed) return;
    // Deferred: this can run inside a socket callback of the request that failed.
    if (this.waiting.length) queueMicrotask(() => this.refill());
  }

  private refill(): void {
    while (!this.closed && this.waiting.length && this.conns.size < this.maxSockets) {
      const next = this.waiting.shift()!;
      if (!this.live.has(next)) continue;
      const conn = new Connection(this, this.ep, this.secure);
      this.conns.add(conn);
      conn.write(next);
    }
  }
}
