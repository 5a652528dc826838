/**
 * Sweeps as the results database recorded them: what `servebench status` shows when no cluster runs. The
 * status column is what the sweep workflow recorded (workflows/sweep-status.ts decides it); jobs done are the
 * jobs recorded so far.
 */
import { existsSync } from 'node:fs';
import { withDatabase } from './db';
import { resolveSweep } from './sweeps';

export interface SweepLine {
  sweep: string;
  name: string;
  status: string;
  done: number | null;
  total: number | null;
  started: string;
}

const SELECT = `SELECT s.sweep_id, s.name, s.status, s.jobs_total, s.started_at,
                       (SELECT count(*) FROM jobs j WHERE j.sweep_id = s.sweep_id) AS jobs_recorded
                  FROM sweeps s`;

function line(r: Record<string, unknown>): SweepLine {
  return {
    sweep: String(r.sweep_id),
    name: String(r.name),
    status: String(r.status),
    done: Number(r.jobs_recorded),
    total: Number(r.jobs_total),
    started: (r.started_at as Date).toISOString(),
  };
}

/** The most recent sweeps, newest first (none when there is no results file yet). */
export async function recordedSweeps(file: string, limit: number): Promise<SweepLine[]> {
  if (!existsSync(file)) return [];
  return withDatabase(file, 'read-only', async (conn) => {
    const reader = await conn.runAndReadAll(`${SELECT} ORDER BY s.started_at DESC LIMIT $1`, [limit]);
    return reader.getRowObjectsJS().map(line);
  });
}

/** One sweep by id, name or `latest` (UnknownSweepError when the database has none such). */
export async function recordedSweep(file: string, ref: string): Promise<SweepLine> {
  return withDatabase(file, 'read-only', async (conn) => {
    const { sweepId } = await resolveSweep(conn, ref);
    const reader = await conn.runAndReadAll(`${SELECT} WHERE s.sweep_id = $1`, [sweepId]);
    return line(reader.getRowObjectsJS()[0]);
  });
}
