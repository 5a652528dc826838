/**
 * SQL a user wrote, over the results file and nothing else. The guarantee is DuckDB's own: the instance is
 * opened with external access off and its configuration locked (see `user-query` in db.ts). On top, a query is
 * one statement that reads (SELECT, EXPLAIN, by DuckDB's parser): the few statements the lock does not cover
 * (PRAGMA enable_profiling, CALL enable_logging) change a setting for the statements after them.
 */
import { StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { plainRow, withDatabase, type QueryResult } from './db';

/** The user's SQL was refused: it would write, attach, load or change something, or is not one reading statement. */
export class QueryRefusedError extends Error {}

export const READ_ONLY_PROMISE =
  'servebench query only reads the results database: no file written, no other database attached, no extension loaded, no setting changed';

const READING: StatementType[] = [StatementType.SELECT, StatementType.EXPLAIN];

/** DuckDB's words for what its switches refused (a permission, the locked configuration, a read-only catalog). */
const REFUSED = /Permission Error|configuration has been locked|external extensions is disabled|read-only mode/i;

export function isRefusal(err: unknown): boolean {
  return err instanceof QueryRefusedError || REFUSED.test(String((err as Error)?.message ?? err));
}

async function prepareReading(conn: DuckDBConnection, sql: string) {
  const statements = (await conn.extractStatements(sql)).count;
  if (statements !== 1) throw new QueryRefusedError(`a query is one reading statement (SELECT or EXPLAIN); got ${statements}`);
  const prepared = await conn.prepare(sql);
  if (!READING.includes(prepared.statementType)) {
    throw new QueryRefusedError(`a query is one reading statement (SELECT or EXPLAIN); got ${StatementType[prepared.statementType]}`);
  }
  return prepared;
}

/** Runs the user's SQL and hands its result, still streaming, to `use` (e.g. to write it out elsewhere). */
export async function withUserQuery<T>(file: string, sql: string, use: (result: DuckDBResult) => Promise<T>): Promise<T> {
  return withDatabase(file, 'user-query', async (conn) => use(await (await prepareReading(conn, sql)).stream()));
}

/** The user's SQL, its rows as plain JS values. */
export async function runUserQuery(file: string, sql: string): Promise<QueryResult> {
  return withDatabase(file, 'user-query', async (conn) => {
    const reader = await (await prepareReading(conn, sql)).runAndReadAll();
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS().map(plainRow) };
  });
}
