/**
 * A trivial KServe-v2-shaped HTTP/1.1 server for load-generator benchmarks: model metadata, ready, and an infer
 * route that reads the body and answers a small fixed JSON. Run as a child process; prints `{"url":...}` once
 * listening on 127.0.0.1.
 *
 * On raw sockets rather than node:http: a closed loop measures whichever side is slower, and node:http's request
 * and response objects cost ~13–16 µs of CPU per request here (~60k req/s on a core), about what one load
 * generator core can send; the comparison of two load generators then measures the server. This one answers
 * several times faster, so the clients are the limit (perf/README.md, perf:loadgen).
 */
import * as net from 'node:net';
import { TRIVIAL_MODEL } from './common';

const json = (body: string): Buffer =>
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1');

const base = `/v2/models/${TRIVIAL_MODEL}`;
const metadataReply = json(
  JSON.stringify({
    name: TRIVIAL_MODEL,
    versions: ['1'],
    platform: 'trivial',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }],
  }),
);
const inferReply = json(
  JSON.stringify({
    model_name: TRIVIAL_MODEL,
    model_version: '1',
    outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] }],
  }),
);
const readyReply = json('{"ready":true}');
const notFound = Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n{"error":"not found"}', 'latin1');
const badRequest = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 'latin1');

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length[ \t]*:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection[ \t]*:[ \t]*close/i;
const MAX_HEAD_BYTES = 64 * 1024;

/** Infer requests answered; with process.cpuUsage() at GET /perf-stats, so perf:loadgen can tell each client's server cost. */
let answered = 0;

function route(method: string, path: string): Buffer {
  if (method === 'POST' && path === `${base}/infer`) {
    answered++;
    return inferReply;
  }
  if (method !== 'GET') return notFound;
  if (path === base) return metadataReply;
  if (path === `${base}/ready` || path === '/v2/health/ready' || path === '/v2/health/live') return readyReply;
  if (path === '/perf-stats') {
    const cpu = process.cpuUsage();
    return json(JSON.stringify({ answered, cpuUs: cpu.user + cpu.system }));
  }
  return notFound;
}

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  let pending: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    const replies: Buffer[] = [];
    let close = false;
    // Every whole request in the bytes so far (a client may pipeline), answered in one write.
    for (;;) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) close = true;
        break;
      }
      const head = buf.toString('latin1', 0, end);
      const cl = CONTENT_LENGTH.exec(head);
      const total = end + 4 + (cl ? Number(cl[1]) : 0);
      if (buf.length < total) break; // the body is still arriving
      const sp1 = head.indexOf(' ');
      const sp2 = head.indexOf(' ', sp1 + 1);
      if (sp1 < 0 || sp2 < 0) {
        replies.push(badRequest);
        close = true;
        break;
      }
      replies.push(route(head.slice(0, sp1), head.slice(sp1 + 1, sp2)));
      if (CONNECTION_CLOSE.test(head)) {
        close = true;
        break;
      }
      buf = buf.subarray(total);
      if (buf.length === 0) break;
    }
    if (!close && buf.length) pending = Buffer.from(buf);
    if (replies.length === 1) socket.write(replies[0]);
    else if (replies.length) socket.write(Buffer.concat(replies));
    if (close) socket.end();
  });
  socket.on('error', () => socket.destroy());
}

const server = net.createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, port })}\n`);
});
if (process.send) process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
