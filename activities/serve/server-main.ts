/**
 * Child-process entry of the built-in server (see server-process.ts).
 * Options: JSON in $SERVEBENCH_SERVER_OPTIONS, or as the first argument.
 * Prints one line `{"ready":true,"url":…,"port":…,"grpcPort":…}` once listening; on failure
 * one line `{"error":<WireError>}` (an ApplicationFailure keeps its type and
 * non-retryable flag), the reason on stderr too, and exits 1. Exits when its parent goes away
 * (IPC disconnect) or on SIGTERM/SIGINT, closing gracefully first.
 */
import { runChildServer } from '../process/child-server';
import { startServer, type ServerOptions } from './server';

runChildServer(
  async () => {
    const raw = process.env.SERVEBENCH_SERVER_OPTIONS ?? process.argv[2];
    if (!raw) throw new Error('no options: set SERVEBENCH_SERVER_OPTIONS or pass them as JSON in argv[2]');
    return startServer(JSON.parse(raw) as ServerOptions);
  },
  (server) => ({ url: server.url, port: server.port, grpcPort: server.grpcPort }),
);
