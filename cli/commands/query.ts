/** `servebench query SQL`: read-only SQL over the results file. */
import { query } from '../../analysis/db';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { renderCsv, renderTable } from '../format';

export interface QueryOptions {
  json?: boolean;
  csv?: boolean;
  db?: string;
}

export async function queryCommand(sql: string, opts: QueryOptions): Promise<number> {
  if (opts.json && opts.csv) throw new CliError('choose one of --json and --csv', EXIT.invalid);
  const file = opts.db ?? resultsFile();
  let result;
  try {
    result = await query(file, sql, 'read-only');
  } catch (err) {
    const msg = (err as Error).message;
    const bad = /Parser Error|Binder Error|Catalog Error|read-only|syntax/i.test(msg);
    throw new CliError(`query failed on ${file}: ${msg}`, bad ? EXIT.invalid : EXIT.failed);
  }
  if (opts.json) process.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
  else if (opts.csv) process.stdout.write(renderCsv(result.columns, result.rows) + '\n');
  else process.stdout.write(renderTable(result.columns, result.rows) + `\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`);
  return EXIT.ok;
}
