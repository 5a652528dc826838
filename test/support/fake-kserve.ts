/**
 * A small in-process KServe v2 server for load-generator tests: fixed metadata, an infer route that answers
 * after a delay (in parallel, or one at a time so it can be overloaded on purpose), injected failures and hangs.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOptions {
  /** Each infer request answers after this long, all in parallel (a server of unbounded capacity)... */
  delayMs: number;
  /** ...or one at a time, this long each, in arrival order (a server of 1000 / serialMs req/s that can be overloaded). */
  serialMs?: number;
  /** Every Nth infer request answers 500. */
  failEvery?: number;
  /** Every Nth infer request never answers. */
  hangEvery?: number;
}

export interface Fake {
  url: string;
  infers: () => number;
  close: () => Promise<void>;
}

const METADATA = {
  name: 'mlp',
  versions: ['1'],
  platform: 'onnxruntime_onnx',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
};

export async function startFake(opts: FakeOptions): Promise<Fake> {
  let infers = 0;
  const serial = serialQueue(opts.serialMs ?? 0);
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url === '/v2/models/mlp') return json(res, 200, METADATA);
      if (req.method === 'GET' && url === '/v2/models/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>not json</html>');
      }
      if (req.method === 'GET' && url === '/v2/models/odd') return json(res, 200, { name: 'odd', inputs: [{ name: 'x', shape: [1] }] });
      if (req.method === 'POST' && url === '/v2/models/mlp/infer') {
        const n = ++infers;
        if (opts.hangEvery && n % opts.hangEvery === 0) return; // never answers
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs: { shape: number[]; data: unknown[] }[] };
        const [x] = body.inputs;
        if (x.data.length !== x.shape.reduce((a, b) => a * b, 1)) return json(res, 400, { error: 'data does not match shape' });
        const answer = (): void => {
          if (opts.failEvery && n % opts.failEvery === 0) return json(res, 500, { error: 'injected failure' });
          json(res, 200, { model_name: 'mlp', outputs: [{ name: 'y', datatype: 'FP32', shape: [x.shape[0], 2], data: [0, 0, 0, 0].slice(0, x.shape[0] * 2) }] });
        };
        if (opts.serialMs === undefined) setTimeout(answer, opts.delayMs);
        else serial.push(answer);
        return;
      }
      json(res, 404, { error: `no route ${req.method} ${url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    infers: () => infers,
    close: () =>
      new Promise<void>((resolve) => {
        serial.stop();
        server.closeAllConnections(); // incl. hung requests and keep-alive sockets
        server.close(() => resolve());
      }),
  };
}

/** One job at a time, `ms` each, in arrival order: a single-server queue. */
function serialQueue(ms: number): { push: (job: () => void) => void; stop: () => void } {
  const jobs: (() => void)[] = [];
  let timer: NodeJS.Timeout | null = null;
  const next = (): void => {
    timer = null;
    const job = jobs.shift();
    job?.();
    if (jobs.length) timer = setTimeout(next, ms);
  };
  return {
    push: (job) => {
      jobs.push(job);
      timer ??= setTimeout(next, ms);
    },
    stop: () => {
      if (timer) clearTimeout(timer);
      jobs.length = 0;
    },
  };
}
