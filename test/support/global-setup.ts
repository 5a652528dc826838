/**
 * Integration tests share one real Temporal dev server (in memory, headless, free port), started here once.
 * Its address reaches the test files through TEMPORAL_ADDRESS, inherited by jest's workers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../../workers/devserver';
import { freePort } from './ports';

export default async function globalSetup(): Promise<void> {
  const logFile = join(mkdtempSync(join(tmpdir(), 'sb-temporal-')), 'temporal.log');
  const extraNamespaces = ['servebench-cli', 'servebench-rerun', 'servebench-overload', 'servebench-fault', 'servebench-rebuild', 'servebench-sched', 'servebench-death', 'servebench-leader-fault', 'servebench-lifecycle', 'servebench-noworker', 'servebench-compare'];
  // A port found free can be taken before the server binds it (other processes on a busy machine): try anew.
  let server;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startDevServer({ port: await freePort(), uiPort: null, logFile, extraNamespaces, readyTimeoutMs: 120_000 });
      break;
    } catch (err) {
      if (attempt >= 3 || !/exited/.test(String(err))) throw err;
    }
  }
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.TEMPORAL_NAMESPACE = 'default';
  (globalThis as { __TEMPORAL__?: typeof server }).__TEMPORAL__ = server;
}
