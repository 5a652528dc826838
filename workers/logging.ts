/** Worker and SDK logs go to a file under .servebench/logs, so the CLI's own output stays readable. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { LogLevel } from '@temporalio/common';

let installed = false;

/** Installs the process-wide Temporal runtime logger once; `toStderr` also echoes (for `servebench worker`). */
export function installWorkerLogging(dir: string, level: LogLevel = 'INFO', toStderr = false): string {
  const file = join(dir, 'worker.log');
  if (installed) return file;
  mkdirSync(dir, { recursive: true });
  const write = (entry: LogEntry) => {
    const meta = entry.meta ? ' ' + JSON.stringify(entry.meta, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) : '';
    const line = `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} ${entry.level} ${entry.message}${meta}\n`;
    appendFileSync(file, line);
    if (toStderr) process.stderr.write(line);
  };
  // Core's own warnings (e.g. an activity finishing after its sweep was cancelled) go to the file too, not the console.
  Runtime.install({ logger: new DefaultLogger(level, write), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
  installed = true;
  return file;
}
