/**
 * A trivial KServe-v2-shaped HTTP server for load-generator benchmarks: model
 * metadata, ready, and an infer route that answers a small fixed JSON. Run as
 * a child process; prints `{"url":...}` once listening on 127.0.0.1.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRIVIAL_MODEL } from './common';

const metadata = JSON.stringify({
  name: TRIVIAL_MODEL,
  versions: ['1'],
  platform: 'trivial',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }],
});
const inferReply = JSON.stringify({
  model_name: TRIVIAL_MODEL,
  model_version: '1',
  outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] }],
});
const base = `/v2/models/${TRIVIAL_MODEL}`;

function send(res: http.ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Infer requests answered; with process.cpuUsage() at GET /perf-stats, so perf:loadgen can tell each client's server cost. */
let answered = 0;

const server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'POST' && url === `${base}/infer`) {
    answered++;
    // Read (and discard) the body before answering, like a real server must.
    req.on('data', () => undefined);
    req.on('end', () => send(res, 200, inferReply));
    return;
  }
  if (req.method === 'GET' && url === base) return send(res, 200, metadata);
  if (req.method === 'GET' && url === '/perf-stats') {
    const cpu = process.cpuUsage();
    return send(res, 200, JSON.stringify({ answered, cpuUs: cpu.user + cpu.system }));
  }
  if (req.method === 'GET' && (url === `${base}/ready` || url === '/v2/health/ready' || url === '/v2/health/live')) return send(res, 200, '{"ready":true}');
  req.resume();
  send(res, 404, '{"error":"not found"}');
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, port })}\n`);
});
if (process.send) process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
