/** Parquet out of the results database: any query's rows, or every table's rows of one sweep. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The SQL as a subquery: a trailing semicolon would end it early. */
const subquery = (sql: string): string => sql.trim().replace(/;+\s*$/, '');

export async function copyToParquet(conn: DuckDBConnection, sql: string, outFile: string): Promise<number> {
  const file = resolve(outFile);
  mkdirSync(dirname(file), { recursive: true });
  const result = await conn.run(`COPY (${subquery(sql)}) TO ${literal(file)} (FORMAT parquet)`);
  return Number(result.rowsChanged);
}

/** Each table (and the results view) restricted to the sweep; run-level tables through the sweep's runs. */
export const SWEEP_TABLES: Record<string, string> = {
  sweeps: 'SELECT * FROM sweeps WHERE sweep_id = $sweep',
  jobs: 'SELECT * FROM jobs WHERE sweep_id = $sweep',
  runs: 'SELECT * FROM runs WHERE sweep_id = $sweep',
  results: 'SELECT * FROM results WHERE sweep_id = $sweep',
  latency_buckets: 'SELECT * FROM latency_buckets WHERE run_id IN (SELECT run_id FROM runs WHERE sweep_id = $sweep)',
  server_stats: 'SELECT * FROM server_stats WHERE run_id IN (SELECT run_id FROM runs WHERE sweep_id = $sweep)',
  server_batch_sizes: 'SELECT * FROM server_batch_sizes WHERE run_id IN (SELECT run_id FROM runs WHERE sweep_id = $sweep)',
  system_samples: 'SELECT * FROM system_samples WHERE run_id IN (SELECT run_id FROM runs WHERE sweep_id = $sweep)',
  // LLM serving runs (serving.api openai-*); empty for a KServe sweep.
  llm_runs: 'SELECT * FROM llm_runs WHERE run_id IN (SELECT run_id FROM runs WHERE sweep_id = $sweep)',
  llm_results: 'SELECT * FROM llm_results WHERE sweep_id = $sweep',
};

export async function exportSweep(conn: DuckDBConnection, sweepId: string, outDir: string): Promise<{ table: string; file: string; rows: number }[]> {
  const written = [];
  for (const [table, sql] of Object.entries(SWEEP_TABLES)) {
    const file = join(resolve(outDir), `${table}.parquet`);
    written.push({ table, file, rows: await copyToParquet(conn, sql.replaceAll('$sweep', literal(sweepId)), file) });
  }
  return written;
}
