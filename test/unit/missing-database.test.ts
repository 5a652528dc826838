import { isMissingDatabase, MissingDatabaseError, withDatabase } from '../../analysis/db';

test('reading a results file that does not exist is one recognisable error, whatever the access', async () => {
  for (const access of ['read-only', 'user-query'] as const) {
    const err = await withDatabase('/nonexistent/results.duckdb', access, async () => 1).catch((e: unknown) => e);
    expect(isMissingDatabase(err)).toBe(true);
    expect((err as MissingDatabaseError).message).toBe('no results database at /nonexistent/results.duckdb: run a benchmark first (servebench run CONFIG)');
  }
  expect(isMissingDatabase(new Error('no results database at /x'))).toBe(false);
});
