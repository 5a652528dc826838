/**
 * DuckDB's switches (external access off, configuration locked) do the refusing; the statement check in front
 * of them (one SELECT or EXPLAIN) names the statement, and covers PRAGMA/CALL switches the lock misses.
 *
 * `servebench query` reads the results database and nothing else: with a real DuckDB file and the built CLI,
 * SQL that would write a file, export the database, attach (and change) another database, create one, load an
 * extension or change a setting is refused with exit 2 and leaves no trace; reading, `--parquet` and `export`
 * still work.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, withDatabase } from '../../analysis/db';
import { servebench } from '../support/cli';
import { insertRun, insertSweep } from '../support/results-fixture';

const dir = mkdtempSync(join(tmpdir(), 'sb-query-'));
const home = join(dir, 'home');
const results = join(home, 'results.duckdb');
const other = join(dir, 'other.duckdb');
const env = { SERVEBENCH_HOME: home };
const otherRows = async () => (await query(other, 'select count(*) as n from t')).rows;

beforeAll(async () => {
  await withDatabase(results, 'read-write', async (conn) => {
    await insertSweep(conn, 'qs', 'qsweep');
    await insertRun(conn, { sweepId: 'qs', jobIndex: 0, params: { 'workload.rate': 10 }, inferencesPerS: 100, p99Ms: 5 });
    await insertRun(conn, { sweepId: 'qs', jobIndex: 1, params: { 'workload.rate': 20 }, inferencesPerS: 200, p99Ms: 6 });
  });
  await withDatabase(other, 'read-write', (conn) => conn.run('create table t as select * from range(3)'));
});

const REFUSED: [string, string, RegExp][] = [
  ['copy writes a file', `copy runs to '${join(dir, 'leak.csv')}'`, /Permission Error: Cannot access file ".*leak\.csv"/],
  ['export database writes a directory', `export database '${join(dir, 'dump')}'`, /Permission Error/],
  ['attach another database for writing', `attach '${other}' as o (READ_WRITE)`, /got ATTACH/],
  ['attach and delete in one go', `attach '${other}' as o (READ_WRITE); delete from o.t`, /one reading statement \(SELECT or EXPLAIN\); got 2/],
  ['attach creates a new database', `attach '${join(dir, 'created.duckdb')}' as n`, /got ATTACH/],
  ['install an extension', 'install httpfs', /got (LOAD|EXTENSION)/],
  ['load an extension', 'load httpfs', /got LOAD/],
  ['turn external access back on', 'set enable_external_access = true', /got SET/],
  ['change a setting', "set memory_limit = '1GB'", /got SET/],
  ['a setting the lock misses', 'pragma enable_profiling', /one reading statement \(SELECT or EXPLAIN\); got PRAGMA/],
  ['a logging switch the lock misses', "call enable_logging(storage='stdout')", /got CALL/],
  ['read another file', "select * from read_csv('/etc/passwd')", /Permission Error/],
  ['write to the results database', 'delete from runs', /got DELETE|read-only/],
];

describe('servebench query refuses everything but reading the results database', () => {
  const before = () => ({ size: statSync(results).size, mtime: statSync(results).mtimeMs, files: readdirSync(dir).sort(), home: readdirSync(home).sort() });
  let start: ReturnType<typeof before>;
  beforeAll(() => {
    start = before();
  });

  test.each(REFUSED)('%s: exit 2, a clear refusal, nothing written', async (_what, sql, reason) => {
    const r = await servebench(['query', sql], env);
    expect(r.stderr).toMatch(/^servebench: query refused: /);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain('servebench query only reads the results database');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(start.files); // no leak.csv, dump/, created.duckdb
    expect(await otherRows()).toEqual([{ n: 3 }]);
  });

  test('the results file and its directory are untouched', () => {
    expect(before()).toEqual(start);
  });
});

describe('DuckDB itself refuses, without servebench looking at the statement', () => {
  // Straight through the user-query connection, several statements at once: the switches alone must hold.
  test.each(REFUSED.filter(([, sql]) => !/pragma|enable_logging|delete from o\.t/.test(sql)))('%s', async (_what, sql) => {
    await expect(withDatabase(results, 'user-query', (conn) => conn.run(`select 1; ${sql}`))).rejects.toThrow(
      /Permission Error|configuration has been locked|external extensions is disabled|read-only mode/,
    );
    expect(existsSync(join(dir, 'leak.csv')) || existsSync(join(dir, 'dump')) || existsSync(join(dir, 'created.duckdb'))).toBe(false);
    expect(await otherRows()).toEqual([{ n: 3 }]);
  });

  test('attach for writing then delete: the other database keeps its rows', async () => {
    await expect(withDatabase(results, 'user-query', (conn) => conn.run(`attach '${other}' as o (READ_WRITE); delete from o.t`))).rejects.toThrow(/Permission Error/);
    expect(await otherRows()).toEqual([{ n: 3 }]);
  });
});

describe('what query is for keeps working', () => {
  test('select, describe and explain', async () => {
    const r = await servebench(['query', 'select run_id, inferences_per_s from runs order by 1', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { run_id: 'qs/j000-r0', inferences_per_s: 100 },
      { run_id: 'qs/j001-r0', inferences_per_s: 200 },
    ]);
    expect((await servebench(['query', 'describe runs'], env)).code).toBe(0);
    expect((await servebench(['query', 'explain select * from runs'], env)).code).toBe(0);
  });

  test('--parquet writes the requested file, in the result types, through servebench itself', async () => {
    const out = join(dir, 'out', 'rows.parquet');
    const r = await servebench(['query', "select run_id, inferences_per_s, 1 as a, 2 as a, [1, 2] as l from runs where sweep_id = 'qs';", '--parquet', out], env);
    expect(r.stderr).toContain(`2 rows written to ${out}`);
    expect(r.code).toBe(0);
    const back = await query(results, `select * from '${out}' order by run_id`);
    expect(back.columns).toEqual(['run_id', 'inferences_per_s', 'a', 'a_1', 'l']);
    expect(back.rows).toEqual([
      { run_id: 'qs/j000-r0', inferences_per_s: 100, a: 1, a_1: 2, l: [1, 2] },
      { run_id: 'qs/j001-r0', inferences_per_s: 200, a: 1, a_1: 2, l: [1, 2] },
    ]);
    const refused = await servebench(['query', `copy runs to '${join(dir, 'x.csv')}'`, '--parquet', join(dir, 'y.parquet')], env);
    expect(refused.code).toBe(2);
    expect(existsSync(join(dir, 'x.csv')) || existsSync(join(dir, 'y.parquet'))).toBe(false);
  });

  test('export (its own connection) and report still work', async () => {
    const out = join(dir, 'export');
    const e = await servebench(['export', 'qs', '--out', out], env);
    expect(e.code).toBe(0);
    expect((await query(results, `select count(*) as n from '${join(out, 'runs.parquet')}'`)).rows).toEqual([{ n: 2 }]);
    const rep = await servebench(['report', 'qs', '--out', join(dir, 'r.html')], env);
    expect(rep.code).toBe(0);
    expect(existsSync(join(dir, 'r.html'))).toBe(true);
  });
});

describe('the table fits the terminal (100 characters when stdout is not one)', () => {
  const tableLines = (out: string) => out.split('\n').filter((l) => /^[│┌├└]/.test(l));

  test('select * from results: the columns that fit, and what was left out', async () => {
    const r = await servebench(['query', 'select * from results order by run_id'], env);
    expect(r.code).toBe(0);
    for (const line of tableLines(r.stdout)) expect([...line].length).toBeLessThanOrEqual(100);
    expect(tableLines(r.stdout)[1]).toMatch(/^│ run_id +│/);
    expect(r.stdout).toContain('qs/j000-r0');
    const total = (await query(results, 'select * from results limit 0')).columns.length;
    expect(r.stdout).toMatch(new RegExp(`\\(2 rows\\)\\n\\d+ of ${total} columns shown to fit 100 characters \\(--wide shows all, or select fewer columns\\)\\n`));
    expect(r.stdout).toMatch(/^the same in every row: sweep=qsweep, sweep_id=qs, /m);
    expect(r.stdout).toMatch(/^empty in every row: .*mean_power_w/m);
    expect(r.stdout).toMatch(/^left out: .*lat_p99_ms/m);
    expect(r.stdout).toContain('mean_power_w is empty in every row: no run had a power reading: power is read from GPUs only, through nvidia-smi');
    expect(r.stdout).toContain('price_per_hour is empty in every row: no run had a price: set target.pricePerHour in the config, or add its device to the prices table');
  });

  test('--wide: every column', async () => {
    const r = await servebench(['query', 'select * from results', '--wide'], env);
    expect(r.code).toBe(0);
    const header = tableLines(r.stdout)[1];
    for (const c of (await query(results, 'select * from results limit 0')).columns) expect(header).toContain(` ${c} `);
    expect(r.stdout).not.toContain('columns shown');
  });

  test('cost_per_million says why its figures are empty', async () => {
    const r = await servebench(['query', 'select run_id, cost_per_million, reason from cost_per_million order by run_id', '--wide'], env);
    expect(r.stdout).toMatch(/│ qs\/j000-r0 │ +│ no price for device cpu: set target\.pricePerHour in the config, or add cpu to the prices table │/);
    expect(r.stdout).toContain('cost_per_million is empty in every row: no run had a price');
  });

  test('EXPLAIN prints the plan as text, at once (cli-table3 took minutes over a plan in one cell)', async () => {
    const r = await servebench(['query', 'explain select * from results'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('explain_value');
    expect(r.stdout).toMatch(/^┌─+┐\n│ +PROJECTION +│/);
  });
});
