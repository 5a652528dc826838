/**
 * Writes a query's result to a Parquet file through a separate in-memory DuckDB that runs only servebench's
 * own SQL: the user's query runs on a connection that can write nothing (user-query.ts), and its rows are
 * copied here chunk by chunk, in their DuckDB types, then written with COPY.
 */
import { DuckDBInstance, type DuckDBResult } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Duplicate column names get a suffix, as DuckDB's own COPY does (`a`, `a_1`). */
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let out = name;
    for (let i = 1; seen.has(out.toLowerCase()); i++) out = `${name}_${i}`;
    seen.add(out.toLowerCase());
    return out;
  });
}

export async function writeResultToParquet(result: DuckDBResult, outFile: string): Promise<number> {
  const file = resolve(outFile);
  const names = uniqueNames(result.columnNames());
  const types = result.columnTypes();
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE rows (${names.map((n, i) => `${ident(n)} ${types[i].toString()}`).join(', ')})`);
    const appender = await conn.createAppender('rows');
    let rows = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      appender.appendDataChunk(chunk);
      rows += chunk.rowCount;
    }
    appender.flushSync();
    appender.closeSync();
    mkdirSync(dirname(file), { recursive: true });
    await conn.run(`COPY rows TO ${literal(file)} (FORMAT parquet)`);
    return rows;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
