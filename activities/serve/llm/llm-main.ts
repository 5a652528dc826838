/**
 * Child-process entry of the built-in LLM server (see llm-process.ts). Options: JSON (LlmServerOptions) in
 * $SERVEBENCH_LLM_SERVER_OPTIONS. Prints `{"ready":true,"url":…,"port":…}` once the model is loaded and the port
 * listens; on failure `{"error":<WireError>}`, the reason on stderr too, and exits 1. Exits when its parent goes
 * away (IPC disconnect) or on SIGTERM/SIGINT, closing first.
 */
import { toWire } from '../../process/wire-error';
import { startLlmServer, type RunningLlmServer } from './llm-server';
import type { LlmServerOptions } from './types';

let server: RunningLlmServer | null = null;
let stopping = false;

function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  const done = () => process.exit(code);
  if (server) server.close().then(done, done);
  else done();
  setTimeout(done, 10_000).unref();
}

// A parent that dies must not leave a server holding cores and a port.
if (process.send) process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));

async function main(): Promise<void> {
  const raw = process.env.SERVEBENCH_LLM_SERVER_OPTIONS;
  if (!raw) throw new Error('no options: set SERVEBENCH_LLM_SERVER_OPTIONS');
  server = await startLlmServer(JSON.parse(raw) as LlmServerOptions);
  process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, port: server.port })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
  process.stdout.write(`${JSON.stringify({ error: toWire(err) })}\n`, () => process.exit(1));
});
