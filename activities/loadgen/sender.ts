/**
 * Fire-and-callback POSTs of one pre-serialised infer body over a keep-alive
 * agent. Kept callback-based (no promises per request) because it runs
 * thousands of times a second.
 */
import type * as http from 'node:http';
import { describeErrorBody, describeNetError, type Endpoint } from './endpoint';

/** null on HTTP 200, else a short message (stable text, so samples dedupe). */
export type Done = (error: string | null) => void;

export class Sender {
  private readonly agent: http.Agent;
  private readonly options: http.RequestOptions;
  private readonly live = new Set<http.ClientRequest>();
  private closed = false;

  constructor(
    private readonly ep: Endpoint,
    private readonly body: Buffer,
    private readonly timeoutMs: number,
    maxSockets: number,
  ) {
    // maxFreeSockets = maxSockets so idle sockets are kept, not closed and reopened.
    this.agent = new ep.mod.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    this.options = {
      agent: this.agent,
      method: 'POST',
      hostname: ep.hostname,
      port: ep.port,
      path: `${ep.modelPath}/infer`,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    };
  }

  get inflight(): number {
    return this.live.size;
  }

  /** Sends one request; `done` is called exactly once, unless close() comes first. */
  send(done: Done): void {
    const req = this.ep.mod.request(this.options);
    let finished = false;
    const finish = (error: string | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.live.delete(req);
      if (!this.closed) done(error);
    };
    // A total deadline (not the socket idle timeout), so a trickling reply also times out.
    const timer = setTimeout(() => {
      finish(`timeout after ${this.timeoutMs} ms`);
      req.destroy();
    }, this.timeoutMs);
    req.on('response', (res) => {
      if (res.statusCode === 200) {
        res.on('end', () => finish(null));
        res.resume(); // body not inspected: reading it is enough to free the socket
      } else {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 300) text += c;
        });
        res.on('end', () => finish(`HTTP ${res.statusCode}: ${describeErrorBody(text)}`));
      }
      res.on('error', (e) => finish(`response aborted: ${describeNetError(e)}`));
      res.on('close', () => finish(res.complete ? null : 'response aborted'));
    });
    req.on('error', (e) => finish(describeNetError(e)));
    this.live.add(req);
    req.end(this.body);
  }

  /** Drops in-flight requests (their callbacks never fire) and closes all sockets. */
  close(): void {
    this.closed = true;
    for (const req of this.live) req.destroy();
    this.live.clear();
    this.agent.destroy();
  }
}
