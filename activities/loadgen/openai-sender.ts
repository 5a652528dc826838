/**
 * The LoadSender for OpenAI-compatible LLM serving (serving.api openai-completions | openai-chat): POSTs prebuilt
 * bodies (cycled in turn) to baseUrl + /v1/completions or /v1/chat/completions over keep-alive HTTP/1.1, and reads
 * each reply as it streams (openai-reply.ts) into a StreamTiming passed to `done`. node:http's client is enough
 * here: LLM requests come a few to a few hundred a second, not the tens of thousands sender.ts is built for.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ServingApi } from '../../configs/schema';
import { MEASURED_HEADER } from '../serve/measured-header';
import { Deadlines } from './deadlines';
import { describeErrorBody, describeNetError, serverUrl } from './endpoint';
import { MAX_INFLIGHT } from './limits';
import type { LlmRequestBody } from './llm-types';
import { ReplyReader, type AskedOf } from './openai-reply';
import { openaiAuthorization } from '../serve/openai-auth';
import { RequestCycle } from './request-cycle';
import type { Done, LoadSender } from './sender';

export type LlmApi = Exclude<ServingApi, 'kserve-v2'>;


/** How much of an error body is read to describe it. */
const ERROR_BODY_CHARS = 1024;

interface Exchange {
  readonly done: Done;
  readonly deadline: number;
  req: http.ClientRequest | null;
  /** The reply's head has come: a failure now cuts a reply short. */
  responded: boolean;
}

interface Prepared {
  body: Buffer;
  asked: AskedOf;
  headers: http.OutgoingHttpHeaders;
  measuredHeaders: http.OutgoingHttpHeaders;
}

export class OpenAiSender implements LoadSender {
  responseBytes = 0;
  responsesCounted = 0;
  private readonly url: URL;
  private readonly path: string;
  private readonly mod: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly requests: RequestCycle<Prepared>;
  /** In-flight requests, each failed at its deadline (a total deadline: a trickling stream also times out). */
  private readonly live: Deadlines<Exchange>;
  private readonly open = new Set<http.ClientRequest>();
  private closed = false;

  constructor(
    baseUrl: string,
    api: LlmApi,
    bodies: readonly LlmRequestBody[],
    timeoutMs: number,
    maxSockets: number,
    maxInflight = MAX_INFLIGHT,
    /** Counts output tokens with the model's tokenizer when a reply carries no usage (openai-reply.ts). */
    private readonly countTokens: ((text: string) => number) | null = null,
  ) {
    if (bodies.length === 0) throw new RangeError(`serving.api ${api} needs at least one LLM request body`);
    this.url = serverUrl(baseUrl);
    this.path = `${this.url.pathname.replace(/\/+$/, '')}${api === 'openai-chat' ? '/v1/chat/completions' : '/v1/completions'}`;
    const secure = this.url.protocol === 'https:';
    this.mod = secure ? https : http;
    this.agent = new this.mod.Agent({ keepAlive: true, maxSockets });
    const authorization = openaiAuthorization();
    const requests = bodies.map((b, i): Prepared => {
      const headers = { 'content-type': 'application/json', 'content-length': b.body.length, authorization };
      return {
        body: b.body,
        asked: { api, promptTokens: b.promptTokens, maxTokens: b.maxTokens, ignoreEos: asksIgnoreEos(b.body, i) },
        headers,
        // Marks a request of the measured window, as sender.ts does.
        measuredHeaders: { ...headers, [MEASURED_HEADER]: '1' },
      };
    });
    this.requests = new RequestCycle(requests, (r) => r.body.length, maxInflight);
    this.live = new Deadlines<Exchange>(timeoutMs, (ex) => {
      this.complete(ex, this.live.text);
      ex.req?.destroy(); // its reply may still come: the connection can't be reused
    });
  }

  get inflight(): number {
    return this.live.size;
  }

  get requestBytes(): number {
    return this.requests.bytes;
  }

  get requestsSent(): number {
    return this.requests.taken;
  }

  send(done: Done, measured = false): void {
    const r = this.requests.take(this.live.size);
    const ex: Exchange = { done, deadline: this.live.deadlineFromNow(), req: null, responded: false };
    this.live.add(ex);
    const req = this.mod.request({
      agent: this.agent,
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.url.port || undefined,
      method: 'POST',
      path: this.path,
      headers: measured ? r.measuredHeaders : r.headers,
    });
    ex.req = req;
    this.open.add(req);
    req.on('response', (res) => this.onResponse(ex, r.asked, res));
    // A reset mid-reply may come here (the socket's error) before the reply's own 'close': same words as sender.ts either way.
    req.on('error', (e) => this.complete(ex, ex.responded ? `response aborted: ${describeNetError(e)}` : describeNetError(e)));
    req.on('close', () => this.open.delete(req));
    req.end(r.body);
  }

  close(): void {
    this.closed = true;
    this.live.clear();
    for (const req of this.open) req.destroy();
    this.open.clear();
    this.agent.destroy();
  }

  private onResponse(ex: Exchange, asked: AskedOf, res: http.IncomingMessage): void {
    ex.responded = true;
    res.setEncoding('utf8');
    let ended = false;
    res.on('error', () => undefined); // a reset mid-reply: 'close' below reports it
    res.on('close', () => {
      if (!ended) this.complete(ex, `response aborted: ${describeNetError({ code: 'ECONNRESET' })}`);
    });
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      let text = '';
      res.on('data', (chunk: string) => {
        if (text.length < ERROR_BODY_CHARS) text += chunk;
      });
      res.on('end', () => {
        ended = true;
        this.complete(ex, `HTTP ${status}: ${describeErrorBody(text.slice(0, ERROR_BODY_CHARS))}`);
      });
      return;
    }
    const reader = new ReplyReader(asked, /^text\/event-stream\b/i.test(res.headers['content-type'] ?? ''), this.countTokens);
    let bytes = 0;
    res.on('data', (chunk: string) => {
      bytes += Buffer.byteLength(chunk);
      reader.feed(chunk, performance.now());
    });
    res.on('end', () => {
      ended = true;
      const out = reader.finish(performance.now());
      this.responseBytes += bytes;
      this.responsesCounted++;
      if (out.error !== null) this.complete(ex, out.error);
      else this.complete(ex, null, out.timing);
    });
  }

  /** A request ended: report it (once). */
  private complete(ex: Exchange, error: string | null, timing?: Parameters<Done>[1]): void {
    if (!this.live.delete(ex)) return;
    ex.req = null;
    if (!this.closed) ex.done(error, timing);
  }
}

/** Whether a body asks the server to ignore end-of-sequence (so every reply must reach max_tokens). */
function asksIgnoreEos(body: Buffer, index: number): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RangeError(`LLM request body ${index} is not JSON`);
  }
  return (parsed as { ignore_eos?: unknown } | null)?.ignore_eos === true;
}
