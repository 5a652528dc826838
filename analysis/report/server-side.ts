/**
 * The report's server-side table: what each run's server said about the measured window (server_stats), grouped
 * by serving system. A number the system does not give is shown as "–" (MLServer has no rows, runs, queue or
 * compute; the built-in server no request time), never as a guess.
 */
import { systemsOf, type ReportData, type RunInfo } from './data';
import { formatNumber } from './format';

export interface ServerSideRow {
  system: string;
  jobIndex: number;
  repeatIndex: number;
  requests: number;
  rowsPerModelRun: number | null;
  queueMeanUs: number | null;
  computeMeanUs: number | null;
  requestMeanUs: number | null;
}

/** One row per run with server statistics, runs of one system together, systems in first-seen order. */
export function serverSideRows(data: ReportData): ServerSideRow[] {
  const order = systemsOf(data.runs);
  const withStats = data.runs.filter((r): r is RunInfo & { server: NonNullable<RunInfo['server']> } => r.server !== null);
  const system = (r: RunInfo) => r.system ?? 'unknown';
  return withStats
    .sort((a, b) => order.indexOf(system(a)) - order.indexOf(system(b)) || a.jobIndex - b.jobIndex || a.repeatIndex - b.repeatIndex)
    .map((r) => ({
      system: system(r),
      jobIndex: r.jobIndex,
      repeatIndex: r.repeatIndex,
      requests: r.server.requests,
      rowsPerModelRun: r.rowsPerModelRun,
      queueMeanUs: r.server.queueMeanUs,
      computeMeanUs: r.server.computeMeanUs,
      requestMeanUs: r.server.requestMeanUs,
    }));
}

/** The cells of a row, as text (escaped by the caller). */
export function serverSideCells(r: ServerSideRow): string[] {
  return [r.requests, r.rowsPerModelRun, r.queueMeanUs, r.computeMeanUs, r.requestMeanUs].map(formatNumber);
}

export const SERVER_SIDE_HEAD = ['requests', 'rows / model run', 'queue µs', 'compute µs', 'request µs'];
