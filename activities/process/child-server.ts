/**
 * The life of a server child process (the built-in server's and the LLM server's *-main.ts): start it, print one
 * ready line (what ready-child.ts waits for) or `{"error":<WireError>}` and exit 1; close it and exit when the
 * parent goes away (IPC disconnect) or on SIGTERM/SIGINT. Exit is explicit: model instances may be worker threads.
 */
import { toWire } from './wire-error';

export function runChildServer<S extends { close(): Promise<void> }>(start: () => Promise<S>, readyLine: (server: S) => object): void {
  let server: S | null = null;
  let stopping = false;
  const shutdown = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const done = () => process.exit(code);
    if (server) server.close().then(done, done);
    else done();
    setTimeout(done, 10_000).unref();
  };
  // A parent that dies must not leave a server holding cores and a port.
  if (process.send) process.on('disconnect', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  start().then(
    (s) => {
      server = s;
      process.stdout.write(`${JSON.stringify({ ready: true, ...readyLine(s) })}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
      process.stdout.write(`${JSON.stringify({ error: toWire(err) })}\n`, () => process.exit(1));
    },
  );
}
