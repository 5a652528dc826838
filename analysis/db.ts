/**
 * Opening the results file. DuckDB lets one process hold a file for writing, so every user opens it briefly
 * and closes it again; a writer or reader that finds it locked waits and retries instead of failing.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MIGRATIONS, TABLES } from './schema';
import { createViews } from './views';

/**
 * `user-query`: read-only, and nothing outside the file — for SQL a user wrote (`servebench query`). DuckDB
 * itself refuses, with the file open: reading or writing any other file (COPY, EXPORT DATABASE, ATTACH, read_csv),
 * installing or loading extensions, and changing settings (locked). Spilling to a temp directory is off too.
 */
export type Access = 'read-write' | 'read-only' | 'user-query';

const INSTANCE_OPTIONS: Record<Access, Record<string, string>> = {
  'read-write': { access_mode: 'READ_WRITE' },
  'read-only': { access_mode: 'READ_ONLY' },
  'user-query': {
    access_mode: 'READ_ONLY',
    // DuckDB opens the database file before applying this, so the file itself still opens.
    enable_external_access: 'false',
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    max_temp_directory_size: '0KiB',
    // Last: after it no SET can undo the switches above.
    lock_configuration: 'true',
  },
};

/** Reading a results file that does not exist: the user has not run a benchmark yet (bad input, not a crash). */
export class MissingDatabaseError extends Error {
  override readonly name = 'MissingDatabaseError';
  constructor(readonly file: string) {
    super(`no results database at ${file}: run a benchmark first (servebench run CONFIG)`);
  }
}

/** The one test every command uses for a missing results database. */
export const isMissingDatabase = (err: unknown): err is MissingDatabaseError => err instanceof MissingDatabaseError;

const LOCK_RETRY_MS = 100;
const LOCK_WAIT_MS = 30_000;

function isLockConflict(err: unknown): boolean {
  return /lock|Conflicting/i.test(String((err as Error)?.message ?? err));
}

async function openInstance(file: string, access: Access): Promise<DuckDBInstance> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return await DuckDBInstance.create(file, INSTANCE_OPTIONS[access]);
    } catch (err) {
      if (!isLockConflict(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}

/**
 * Each file's opens in this process, one after another. DuckDB's file lock is per process, so it keeps other
 * processes out but not a second open here: a reader opened while a writer of this process is closing (its
 * checkpoint moving the WAL into the file) could read the file without the last commits.
 */
const turns = new Map<string, Promise<unknown>>();

function inTurn<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(file);
  const run = (turns.get(key) ?? Promise.resolve()).then(fn);
  const settled = run.catch(() => undefined);
  turns.set(key, settled);
  // The last in line removes its key, so the map does not grow with every file ever opened.
  void settled.then(() => turns.get(key) === settled && turns.delete(key));
  return run;
}

/**
 * Runs `fn` on a connection to `file`, creating the file and schema when writing; always closes. Not reentrant
 * for the same file: `fn` must not open it again.
 */
export function withDatabase<T>(file: string, access: Access, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return inTurn(file, () => openAndRun(file, access, fn));
}

async function openAndRun<T>(file: string, access: Access, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  if (access !== 'read-write' && !existsSync(file)) {
    throw new MissingDatabaseError(file);
  }
  if (access === 'read-write') mkdirSync(dirname(file), { recursive: true });
  const instance = await openInstance(file, access);
  const conn = await instance.connect();
  try {
    if (access === 'read-write') await ensureSchema(conn);
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function ensureSchema(conn: DuckDBConnection): Promise<void> {
  for (const ddl of [...TABLES, ...MIGRATIONS]) await conn.run(ddl);
  await createViews(conn);
}

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/** Plain JS values for output: BIGINT as number when it fits, timestamps as ISO strings, JSON parsed. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export const plainRow = (row: Record<string, unknown>): Record<string, unknown> => plain(row) as Record<string, unknown>;

export async function query(file: string, sql: string, access: Access = 'read-only'): Promise<QueryResult> {
  return withDatabase(file, access, async (conn) => {
    const reader = await conn.runAndReadAll(sql);
    const columns = reader.columnNames();
    const rows = reader.getRowObjectsJS().map(plainRow);
    return { columns, rows };
  });
}
