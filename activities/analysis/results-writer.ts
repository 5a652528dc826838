/**
 * The leader's one writer of a results file. Records arrive from concurrent activities; whatever is pending when
 * the file is free goes in one transaction (writeRecords), and the file stays open only while records are
 * pending, so `servebench query` and other processes get it between batches. A record's promise settles once its
 * transaction committed (or failed): the activity completes only after its rows are in the file, so a leader
 * killed mid-batch loses nothing that was reported written, and the retried activities replace, not duplicate.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { withDatabase } from '../../analysis/db';
import { writeRecords, type ResultRecord } from './record';

interface Pending {
  record: ResultRecord;
  resolve(): void;
  reject(err: unknown): void;
}

export class ResultsWriter {
  private pending: Pending[] = [];
  /** Everything that uses the file, one after another: batches of writes and reads (exclusive). */
  private turn: Promise<unknown> = Promise.resolve();
  private draining = false;

  constructor(readonly file: string) {}

  /** Resolves once the record is committed; rejects if its transaction failed. */
  write(record: ResultRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        void this.exclusive(() => this.drain());
      }
    });
  }

  /**
   * Runs `fn` after the writes queued before it are committed and the file is closed again (a read of this
   * process then sees them; analysis/db.ts alone would only keep the two opens apart, not order them).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Opens the file once and writes batch after batch until nothing is pending, then closes it. */
  private async drain(): Promise<void> {
    let emptied = false;
    try {
      await withDatabase(this.file, 'read-write', async (conn) => {
        for (;;) {
          const batch = this.pending.splice(0);
          if (batch.length === 0) {
            // Decided in the same tick as the check: a record that arrives later starts the next drain.
            this.draining = false;
            emptied = true;
            return;
          }
          await writeBatch(conn, batch);
        }
      });
    } catch (err) {
      // Closing after the last commit: every record is settled, and later ones are another drain's.
      if (emptied) return;
      // The file could not be opened (another process held it past the wait): whatever is pending fails, and its
      // activities are retried.
      for (const p of this.pending.splice(0)) p.reject(err);
      this.draining = false;
    }
  }
}

/** One transaction for the batch; if it fails, each record alone, so a bad record fails its own activity only. */
async function writeBatch(conn: DuckDBConnection, batch: Pending[]): Promise<void> {
  try {
    await writeRecords(conn, batch.map((p) => p.record));
    for (const p of batch) p.resolve();
    return;
  } catch (err) {
    if (batch.length === 1) return batch[0].reject(err);
  }
  for (const p of batch) {
    try {
      await writeRecords(conn, [p.record]);
      p.resolve();
    } catch (err) {
      p.reject(err);
    }
  }
}
