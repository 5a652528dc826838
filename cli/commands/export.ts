/** `servebench export SWEEP --out DIR`: the sweep's rows of every table, as Parquet files. */
import { isMissingDatabase, withDatabase } from '../../analysis/db';
import { exportSweep } from '../../analysis/export';
import { resolveSweep, UnknownSweepError } from '../../analysis/sweeps';
import { resultsFile } from '../../workers/paths';
import { CliError, EXIT } from '../exit-codes';
import { renderTable } from '../format';

export async function exportCommand(sweep: string, opts: { out: string; db?: string }): Promise<number> {
  const file = opts.db ?? resultsFile();
  try {
    const written = await withDatabase(file, 'read-only', async (conn) => {
      const { sweepId } = await resolveSweep(conn, sweep);
      return exportSweep(conn, sweepId, opts.out);
    });
    process.stdout.write(renderTable(['table', 'rows', 'file'], written) + '\n');
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UnknownSweepError || isMissingDatabase(err)) throw new CliError((err as Error).message, EXIT.invalid);
    throw err;
  }
}
