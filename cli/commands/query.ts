/**
 * `servebench query SQL`: the user's SQL over the results file, as a table fitted to the terminal (cli/query-table.ts),
 * JSON, CSV or a Parquet file. The SQL
 * can read that file and nothing else (analysis/user-query.ts); `--parquet` is written by servebench itself.
 */
import { isMissingDatabase } from '../../analysis/db';
import { writeResultToParquet } from '../../analysis/parquet-writer';
import { isRefusal, READ_ONLY_PROMISE, runUserQuery, withUserQuery } from '../../analysis/user-query';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { renderCsv } from '../format';
import { renderQueryTable } from '../query-table';
import { terminalWidth } from '../table-fit';

export interface QueryOptions {
  /** Every column, values uncut, however wide the table. */
  wide?: boolean;
  json?: boolean;
  csv?: boolean;
  parquet?: string;
  db?: string;
}

/** DuckDB's own errors about the SQL are the user's input being wrong; anything else is a failure. */
export function sqlError(file: string, err: unknown): CliError {
  const msg = (err as Error).message;
  if (isRefusal(err)) return new CliError(`query refused: ${msg.split('\n')[0]} (${READ_ONLY_PROMISE})`, EXIT.invalid);
  const bad = /Parser Error|Binder Error|Catalog Error|syntax|Conversion Error/i.test(msg);
  return new CliError(`query failed on ${file}: ${msg}`, bad ? EXIT.invalid : EXIT.failed);
}

export async function queryCommand(sql: string, opts: QueryOptions): Promise<number> {
  if ([opts.json, opts.csv, opts.parquet].filter(Boolean).length > 1) throw new CliError('choose one of --json, --csv and --parquet', EXIT.invalid);
  const file = opts.db ?? resultsFile();
  try {
    if (opts.parquet) {
      const rows = await withUserQuery(file, sql, (result) => writeResultToParquet(result, opts.parquet!));
      process.stderr.write(`${rows} row${rows === 1 ? '' : 's'} written to ${opts.parquet}\n`);
      return EXIT.ok;
    }
    const result = await runUserQuery(file, sql);
    if (opts.json) process.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
    else if (opts.csv) process.stdout.write(renderCsv(result.columns, result.rows) + '\n');
    else {
      const { table, notes } = renderQueryTable(result.columns, result.rows, { width: terminalWidth(), wide: opts.wide });
      const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
      process.stdout.write([table, count, ...notes].join('\n') + '\n');
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (isMissingDatabase(err)) throw new CliError((err as Error).message, EXIT.invalid);
    throw sqlError(file, err);
  }
}
