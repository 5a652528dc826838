import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { query, withDatabase } from '../../analysis/db';
import { TABLES } from '../../analysis/schema';

describe('results database (real DuckDB file)', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-db-')), 'results.duckdb');

  test('creates the schema, replaces rows by key, and reads back plain values', async () => {
    const insert = (status: string) =>
      withDatabase(file, 'read-write', (c) =>
        c.run(`INSERT OR REPLACE INTO sweeps VALUES ('s1', 'demo', '${status}', 4, 0, 0, 50, '{"a":1}', now(), NULL)`),
      );
    await insert('running');
    await insert('completed');
    const { columns, rows } = await query(file, 'select count(*) as n, any_value(status) as status, any_value(config) as config from sweeps');
    expect(columns).toEqual(['n', 'status', 'config']);
    expect(rows).toEqual([{ n: 1, status: 'completed', config: '{"a":1}' }]);
  });

  test('read-only connections cannot write', async () => {
    await expect(query(file, `DELETE FROM sweeps`)).rejects.toThrow(/read-only/i);
  });

  test('a file whose server_stats required inferences and batches (before MLServer) keeps its rows and takes nulls', async () => {
    const old = join(mkdtempSync(join(tmpdir(), 'sb-db-')), 'results.duckdb');
    // server_stats as servebench created it before MLServer's statistics: inferences and batches NOT NULL.
    const instance = await DuckDBInstance.create(old);
    const conn = await instance.connect();
    await conn.run(`CREATE TABLE server_stats (run_id VARCHAR PRIMARY KEY, system VARCHAR, requests BIGINT NOT NULL, inferences BIGINT NOT NULL,
      batches BIGINT NOT NULL, queue_mean_us DOUBLE, queue_p99_us DOUBLE, compute_mean_us DOUBLE, compute_p99_us DOUBLE)`);
    await conn.run(`INSERT INTO server_stats VALUES ('r1', 'triton', 10, 10, 6, 120.5, NULL, 80, NULL)`);
    await expect(conn.run(`INSERT INTO server_stats (run_id, requests) VALUES ('r0', 1)`)).rejects.toThrow(/NOT NULL/);
    conn.closeSync();
    instance.closeSync();
    // Opened twice: the migrations run on every open and must hold on a migrated file too.
    for (const run of ['r2', 'r3']) {
      await withDatabase(old, 'read-write', (c) => c.run(`INSERT INTO server_stats (run_id, system, requests, request_mean_us) VALUES ('${run}', 'mlserver', 972, 1712.4)`));
    }
    const { rows } = await query(old, 'select run_id, system, requests, inferences, batches, queue_mean_us, request_mean_us from server_stats order by run_id');
    expect(rows).toEqual([
      { run_id: 'r1', system: 'triton', requests: 10, inferences: 10, batches: 6, queue_mean_us: 120.5, request_mean_us: null },
      { run_id: 'r2', system: 'mlserver', requests: 972, inferences: null, batches: null, queue_mean_us: null, request_mean_us: 1712.4 },
      { run_id: 'r3', system: 'mlserver', requests: 972, inferences: null, batches: null, queue_mean_us: null, request_mean_us: 1712.4 },
    ]);
  });

  test('a file whose runs predate the settings column gains it (JSON), its rows kept with null settings', async () => {
    const old = join(mkdtempSync(join(tmpdir(), 'sb-db-')), 'results.duckdb');
    const runsDdl = TABLES.find((t) => t.includes('CREATE TABLE IF NOT EXISTS runs'))!;
    const withoutSettings = runsDdl.replace(/response_bytes\s+DOUBLE,[^\n]*\n\s*settings\s+JSON[^\n]*\n/, 'response_bytes DOUBLE\n');
    expect(withoutSettings).not.toMatch(/\bsettings\b/);
    const instance = await DuckDBInstance.create(old);
    const conn = await instance.connect();
    await conn.run(withoutSettings);
    await conn.run(`INSERT INTO runs (run_id, job_id, sweep_id, mode, batch_size, warmup_ms, duration_ms, measured_ms, requests, ok, errors,
      throughput, inferences_per_s, achieved_rate, started_at, finished_at) VALUES ('r1', 'j1', 's1', 'concurrency', 1, 0, 1000, 1000, 5, 5, 0, 5, 5, 5, now(), now())`);
    conn.closeSync();
    instance.closeSync();
    await withDatabase(old, 'read-write', async () => undefined); // opening migrates
    const type = `(select data_type from information_schema.columns where table_name = 'runs' and column_name = 'settings') as type`;
    expect((await query(old, `select run_id, settings, ${type} from runs`)).rows).toEqual([{ run_id: 'r1', settings: null, type: 'JSON' }]);
    await withDatabase(old, 'read-write', (c) => c.run(`UPDATE runs SET settings = '{"mode":"concurrency","concurrency":2}' WHERE run_id = 'r1'`));
    expect((await query(old, `select settings->>'$.concurrency' as concurrency from runs`)).rows).toEqual([{ concurrency: '2' }]);
  });

  test('a missing file is a clear error', async () => {
    await expect(query('/nonexistent/results.duckdb', 'select 1')).rejects.toThrow(/no results database at \/nonexistent/);
  });
});
