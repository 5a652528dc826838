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
  const port = await freePort();
  const logFile = join(mkdtempSync(join(tmpdir(), 'sb-temporal-')), 'temporal.log');
  const server = await startDevServer({ port, uiPort: null, logFile, extraNamespaces: ['servebench-cli', 'servebench-fault', 'servebench-rebuild', 'servebench-sched', 'servebench-death'], readyTimeoutMs: 120_000 });
  process.env.TEMPORAL_ADDRESS = server.address;
  process.env.TEMPORAL_NAMESPACE = 'default';
  (globalThis as { __TEMPORAL__?: typeof server }).__TEMPORAL__ = server;
}
