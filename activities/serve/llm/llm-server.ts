/**
 * The built-in LLM server's HTTP API (node:http), OpenAI-compatible:
 *   POST /v1/completions, POST /v1/chat/completions   stream true (SSE) or false
 *   GET  /v1/models                                    the one model it serves
 *   GET  /health                                       200 once the model is loaded (503 while closing)
 *   POST /tokenize                                     {content, add_special?} → {tokens} (as llama.cpp's server)
 *   GET  /servebench-stats, POST /servebench-stats/reset   its statistics (llm-stats.ts)
 * Errors are OpenAI's error JSON: 400 for a bad request, 404 for an unknown route or model, 503 while closing.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MEASURED_HEADER } from '../measured-header';
import type { ServerStats } from '../types';
import { LlmEngine } from './engine';
import { LlmStatsRecorder } from './llm-stats';
import { BadRequest, parseChatRequest, parseCompletionRequest, type ParsedRequest } from './openai-request';
import { answerHead, errorBody, finishChunk, fullAnswer, roleChunk, textChunk, usageChunk, usageOf, type Api } from './openai-response';
import { SseWriter } from './sse';
import type { LlmServerOptions } from './types';

export interface RunningLlmServer {
  url: string;
  port: number;
  stats(): ServerStats;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** An answer with an HTTP status other than 200 (OpenAI's error JSON). */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`, 'invalid_request_error'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (e) {
        reject(new HttpError(400, `the body is not JSON: ${(e as Error).message}`, 'invalid_request_error'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startLlmServer(opts: LlmServerOptions): Promise<RunningLlmServer> {
  const engine = await LlmEngine.load(opts);
  const model = opts.modelName;
  const stats = new LlmStatsRecorder();
  let closing = false;

  const promptOf = (p: ParsedRequest): number[] => {
    if ('text' in p.prompt) return engine.tokenize(p.prompt.text, true);
    if ('messages' in p.prompt) return engine.chatPrompt(p.prompt.messages);
    const bad = p.prompt.tokens.findIndex((t) => t >= engine.vocabularySize);
    if (bad >= 0) throw new BadRequest(`prompt.${bad}: token id ${p.prompt.tokens[bad]} is not below the vocabulary size ${engine.vocabularySize}`, `prompt.${bad}`);
    return p.prompt.tokens;
  };

  async function generate(api: Api, req: http.IncomingMessage, res: http.ServerResponse, arrivedAt: number): Promise<void> {
    const body = await readJson(req);
    const p = api === 'chat' ? parseChatRequest(body) : parseCompletionRequest(body);
    if (p.model !== undefined && p.model !== model) {
      throw new HttpError(404, `The model "${p.model}" does not exist: this server serves "${model}"`, 'invalid_request_error', 'model', 'model_not_found');
    }
    const prompt = promptOf(p);
    if (prompt.length === 0) throw new BadRequest('the prompt is empty', api === 'chat' ? 'messages' : 'prompt');
    const maxTokens = p.maxTokens ?? engine.contextSize - prompt.length;
    if (prompt.length + maxTokens > engine.contextSize) {
      throw new BadRequest(
        `This model's context is ${engine.contextSize} tokens per sequence (serving.llm.contextSize); the request asks for ${prompt.length} prompt and ${maxTokens} output tokens`,
        'max_tokens',
      );
    }
    // A client that goes away frees its sequence (or its place in the queue) at once.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new Error('client disconnected'));
    });
    const g = { prompt, maxTokens, ignoreEos: p.ignoreEos, temperature: p.temperature, topP: p.topP, topK: p.topK, seed: p.seed };
    const head = answerHead(api, model);
    const measured = req.headers[MEASURED_HEADER] === '1';
    if (p.stream) {
      const sse = new SseWriter(res);
      if (api === 'chat') sse.send(roleChunk(head));
      const r = await engine.run(g, arrivedAt, gone.signal, (text) => sse.send(textChunk(api, head, text))).catch((e: unknown) => {
        // Headers are gone: end the stream without [DONE], which clients read as truncated.
        res.end();
        throw e;
      });
      stats.record(measured, prompt.length, r);
      if (r.aborted) return;
      sse.send(finishChunk(api, head, r.finishReason));
      if (p.includeUsage) sse.send(usageChunk(api, head, usageOf(prompt.length, r.completionTokens)));
      sse.done();
    } else {
      let text = '';
      const r = await engine.run(g, arrivedAt, gone.signal, (piece) => (text += piece));
      stats.record(measured, prompt.length, r);
      if (!r.aborted) sendJson(res, 200, fullAnswer(api, head, text, r.finishReason, usageOf(prompt.length, r.completionTokens)));
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const at = `${req.method} ${pathname}`;
    if (closing) throw new HttpError(503, 'the server is shutting down', 'server_error');
    switch (at) {
      case 'GET /health':
        return sendJson(res, 200, { status: 'ok' });
      case 'GET /v1/models':
        return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'servebench' }] });
      case 'POST /v1/completions':
        return generate('completions', req, res, arrivedAt);
      case 'POST /v1/chat/completions':
        return generate('chat', req, res, arrivedAt);
      case 'POST /tokenize': {
        const body = (await readJson(req)) as { content?: unknown; add_special?: unknown };
        if (typeof body?.content !== 'string') throw new BadRequest('content: expected a string', 'content');
        return sendJson(res, 200, { tokens: engine.tokenize(body.content, body.add_special === true) });
      }
      case 'GET /servebench-stats':
        return sendJson(res, 200, stats.snapshot());
      case 'POST /servebench-stats/reset':
        stats.reset();
        return sendJson(res, 200, {});
      default:
        throw new HttpError(404, `no route ${at}`, 'not_found_error');
    }
  }

  const server = http.createServer({ noDelay: true }, (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return sendJson(res, e.status, errorBody(e.message, e.type, e.param, e.code));
      if (e instanceof BadRequest) return sendJson(res, 400, errorBody(e.message, 'invalid_request_error', e.param));
      sendJson(res, 500, errorBody((e as Error)?.message ?? String(e), 'server_error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => stats.snapshot(),
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await engine.dispose();
    },
  };
}
