/**
 * The embedded Temporal server: `temporal server start-dev` as a child process, persisted to a SQLite file,
 * bound to 127.0.0.1, with servebench's search attributes registered at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { TemporalTarget } from './connection';
import { findTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** SQLite file for persistence; omit for an in-memory server (tests). */
  dbFile?: string;
  ip?: string;
  port: number;
  /** Web UI port; null for a headless server. */
  uiPort: number | null;
  namespace?: string;
  /** More namespaces to create at start (tests keep workers apart this way). */
  extraNamespaces?: string[];
  logFile: string;
  /** How long to wait for the server to answer; a busy 2-core machine can take a while. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

const SA_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(opts.port), '--namespace', opts.namespace ?? 'default', '--log-level', 'warn'];
  for (const ns of opts.extraNamespaces ?? []) args.push('--namespace', ns);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SA_TYPE[key.type]}`);

  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(findTemporalCli(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${ip}:${opts.port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      log.end();
      throw new Error(`the Temporal dev server exited with code ${child.exitCode} before answering on ${address}; see ${opts.logFile}`);
    }
    if (await answers(address, { namespace: opts.namespace ?? 'default' })) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal dev server did not answer on ${address} in time; see ${opts.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { address, uiUrl: opts.uiPort === null ? null : `http://${ip}:${opts.uiPort}`, process: child, stop };
}

/** True when a Temporal frontend answers at `address` and knows the namespace (one short attempt). */
export async function answers(address: string, access: Partial<Pick<TemporalTarget, 'namespace' | 'tls' | 'apiKey'>> = {}, timeoutMs = 2_000): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, tls: access.tls, apiKey: access.apiKey, connectTimeout: timeoutMs });
    await conn.workflowService.describeNamespace({ namespace: access.namespace ?? 'default' });
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}
