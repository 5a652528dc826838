/**
 * Child-process entry of the built-in LLM server (see llm-process.ts). Options: JSON (LlmServerOptions) in
 * $SERVEBENCH_LLM_SERVER_OPTIONS. Prints `{"ready":true,"url":…,"port":…}` once the model is loaded and the port
 * listens; on failure `{"error":<WireError>}`, the reason on stderr too, and exits 1. Exits when its parent goes
 * away (IPC disconnect) or on SIGTERM/SIGINT, closing first.
 */
import { runChildServer } from '../../process/child-server';
import { startLlmServer } from './llm-server';
import type { LlmServerOptions } from './types';

runChildServer(
  async () => {
    const raw = process.env.SERVEBENCH_LLM_SERVER_OPTIONS;
    if (!raw) throw new Error('no options: set SERVEBENCH_LLM_SERVER_OPTIONS');
    return startLlmServer(JSON.parse(raw) as LlmServerOptions);
  },
  (server) => ({ url: server.url, port: server.port }),
);
