/**
 * Routing and HTTP framing of the KServe v2 REST endpoints (one model), with
 * Triton's binary tensor data, statistics and model configuration extensions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Tensors } from './batch-tensors';
import { HEADER_LENGTH_HEADER, joinBody, splitBody } from './binary-tensor';
import { ShuttingDown, type Dispatcher } from './dispatcher';
import { BadRequest, encodeBinaryInferResponse, encodeInferResponse, parseInferRequest, type InferJob } from './infer-protocol';
import { MODEL_VERSION, type ModelSpec } from './model-spec';
import { MEASURED_HEADER } from './measured-header';
import type { StatsRecorder } from './stats';

export interface HandlerContext {
  spec: ModelSpec;
  batching: boolean;
  stats: StatsRecorder;
  /** Body of GET /v2. */
  serverMetadataJson: string;
  /** Body of GET /v2/models/{name}/config (Triton model configuration). */
  modelConfigJson: string;
  /** Set once the dispatcher exists (it needs `deliver` from here first). */
  dispatcher?: Dispatcher;
}

/** Bodies beyond this are refused before parsing (a 1 GiB JSON tensor is a client bug, not a benchmark). */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
const MODELS_PREFIX = '/v2/models/';

export function send(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const sendError = (res: ServerResponse, status: number, message: string): void => send(res, status, JSON.stringify({ error: message }));

function sendBinary(res: ServerResponse, header: string, tensors: Buffer[]): void {
  if (res.destroyed) return;
  const { body, headerLength } = joinBody(header, tensors);
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.length,
    'Inference-Header-Content-Length': headerLength,
  });
  res.end(body);
}

/** Answers a finished infer job (the dispatcher's Deliver). */
export function deliverer(spec: ModelSpec, stats: StatsRecorder): (job: InferJob, out: Tensors | null, err: Error | null) => void {
  return (job, out, err) => {
    const res = job.ctx as ServerResponse;
    stats.triton.recordDone(out !== null, (performance.now() - job.arrivalMs) * 1e6);
    if (out && job.binaryOutputs) {
      const r = encodeBinaryInferResponse(spec, job.id, out.dims, out.data, job.outputs, job.binaryOutputs);
      sendBinary(res, r.header, r.tensors);
    } else if (out) send(res, 200, encodeInferResponse(spec, job.id, out.dims, out.data, job.outputs));
    else if (err instanceof ShuttingDown) sendError(res, 503, err.message);
    else sendError(res, 500, `inference failed: ${err?.message ?? 'unknown error'}`);
  };
}

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { spec } = ctx;
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;

    if (path === '/v2/models/stats') {
      if (method !== 'GET') return notAllowed(res, 'GET');
      return send(res, 200, tritonStatsJson());
    }
    if (path.startsWith(MODELS_PREFIX)) {
      const parts = path.slice(MODELS_PREFIX.length).split('/');
      let name: string;
      try {
        name = decodeURIComponent(parts[0]);
      } catch {
        return sendError(res, 400, 'malformed model name in URL');
      }
      if (name !== spec.name) return sendError(res, 404, `unknown model '${name}'`);
      let i = 1;
      if (parts[i] === 'versions') {
        if (parts[i + 1] !== MODEL_VERSION) return sendError(res, 404, `unknown version '${parts[i + 1] ?? ''}' of model '${name}'`);
        i += 2;
      }
      const action = parts.slice(i).join('/');
      if (action === 'infer') return method === 'POST' ? infer(req, res) : notAllowed(res, 'POST');
      if (action === 'servebench-stats/reset') {
        if (method !== 'POST') return notAllowed(res, 'POST');
        ctx.stats.reset();
        return send(res, 200, '{}');
      }
      if (method !== 'GET') return notAllowed(res, 'GET');
      if (action === '') return send(res, 200, spec.metadataJson);
      if (action === 'ready') return send(res, 200, JSON.stringify({ name, ready: true }));
      if (action === 'servebench-stats') return send(res, 200, JSON.stringify(ctx.stats.snapshot()));
      if (action === 'stats') return send(res, 200, tritonStatsJson());
      if (action === 'config') return send(res, 200, ctx.modelConfigJson);
      return sendError(res, 404, `unknown route ${method} ${path}`);
    }
    if (method !== 'GET') return sendError(res, 404, `unknown route ${method} ${path}`);
    if (path === '/v2/health/live') return send(res, 200, '{"live":true}');
    if (path === '/v2/health/ready') return send(res, 200, '{"ready":true}');
    if (path === '/v2' || path === '/v2/') return send(res, 200, ctx.serverMetadataJson);
    return sendError(res, 404, `unknown route ${method} ${path}`);
  };

  const tritonStatsJson = (): string => JSON.stringify({ model_stats: [ctx.stats.triton.modelStats(spec.name, MODEL_VERSION)] });

  const infer = (req: IncomingMessage, res: ServerResponse): void => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      res.shouldKeepAlive = false;
      return sendError(res, 413, `request body over ${MAX_BODY_BYTES} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return sendError(res, 413, `request body over ${MAX_BODY_BYTES} bytes`);
      const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      const headerLength = req.headers[HEADER_LENGTH_HEADER];
      let job: InferJob;
      try {
        if (headerLength === undefined) job = parseInferRequest(JSON.parse(buf.toString()), spec, ctx.batching);
        else {
          const parts = splitBody(buf, Number(headerLength));
          job = parseInferRequest(JSON.parse(parts.header), spec, ctx.batching, parts.binary);
        }
      } catch (e) {
        if (e instanceof RangeError) return sendError(res, 400, e.message);
        if (e instanceof SyntaxError) return sendError(res, 400, `invalid JSON: ${e.message}`);
        if (e instanceof BadRequest) return sendError(res, 400, e.message);
        return sendError(res, 500, `cannot read request: ${(e as Error).message}`);
      }
      job.ctx = res;
      job.measured = req.headers[MEASURED_HEADER] === '1';
      ctx.dispatcher!.submit(job);
    });
  };

  return route;
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendError(res, 405, `method not allowed; use ${allow}`);
}
