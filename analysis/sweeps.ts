/** Naming a sweep on the command line: its id, its name (the most recent sweep of that name), or `latest`. */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface SweepRef {
  sweepId: string;
  name: string;
}

export class UnknownSweepError extends Error {}

export async function resolveSweep(conn: DuckDBConnection, ref: string): Promise<SweepRef> {
  const sql =
    ref === 'latest'
      ? `SELECT sweep_id, name FROM sweeps ORDER BY started_at DESC LIMIT 1`
      : `SELECT sweep_id, name FROM sweeps WHERE sweep_id = $1 OR name = $1 ORDER BY (sweep_id = $1) DESC, started_at DESC LIMIT 1`;
  const reader = await conn.runAndReadAll(sql, ref === 'latest' ? [] : [ref]);
  const row = reader.getRowObjectsJS()[0];
  if (!row) {
    throw new UnknownSweepError(
      ref === 'latest' ? 'no sweeps recorded yet: run one first (servebench run CONFIG)' : `no sweep with id or name "${ref}" in the results database`,
    );
  }
  return { sweepId: String(row.sweep_id), name: String(row.name) };
}
