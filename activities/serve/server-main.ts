/**
 * Child-process entry of the built-in server (see server-process.ts).
 * Options: JSON in $SERVEBENCH_SERVER_OPTIONS, or as the first argument.
 * Prints one line `{"ready":true,"url":…,"port":…,"grpcPort":…}` once listening; on failure
 * one line `{"error":<WireError>}` (an ApplicationFailure keeps its type and
 * non-retryable flag), the reason on stderr too, and exits 1. Exits when its parent goes away
 * (IPC disconnect) or on SIGTERM/SIGINT, closing gracefully first.
 */
import { toWire } from '../process/wire-error';
import { startServer, type RunningServer, type ServerOptions } from './server';

let server: RunningServer | null = null;
let stopping = false;

function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  // Model instances are worker threads: exit explicitly rather than wait for them.
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
  const raw = process.env.SERVEBENCH_SERVER_OPTIONS ?? process.argv[2];
  if (!raw) throw new Error('no options: set SERVEBENCH_SERVER_OPTIONS or pass them as JSON in argv[2]');
  const opts = JSON.parse(raw) as ServerOptions;
  server = await startServer(opts);
  process.stdout.write(`${JSON.stringify({ ready: true, url: server.url, port: server.port, grpcPort: server.grpcPort })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
  process.stdout.write(`${JSON.stringify({ error: toWire(err) })}\n`, () => process.exit(1));
});
