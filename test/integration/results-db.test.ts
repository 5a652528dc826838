import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, withDatabase } from '../../analysis/db';

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

  test('a missing file is a clear error', async () => {
    await expect(query('/nonexistent/results.duckdb', 'select 1')).rejects.toThrow(/no results database at \/nonexistent/);
  });
});
