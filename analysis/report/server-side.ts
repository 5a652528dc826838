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
  /** The client's mean latency and the part of it outside the server (see timeSplit); null where unknown. */
  clientMeanUs: number | null;
  transportUs: number | null;
}

const tenthUs = (us: number | null): number | null => (us === null ? null : Math.round(us * 10) / 10);

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
      // To 0.1 µs: ms × 1000 leaves binary noise (2090.0000000000002) that would print as a fraction.
      clientMeanUs: r.meanMs === null ? null : tenthUs(r.meanMs * 1000),
      transportUs: tenthUs(timeSplit(r)?.transportUs ?? null),
    }));
}

/** The cells of a row, as text (escaped by the caller). */
export function serverSideCells(r: ServerSideRow): string[] {
  return [r.requests, r.rowsPerModelRun, r.queueMeanUs, r.computeMeanUs, r.requestMeanUs, r.clientMeanUs, r.transportUs].map(formatNumber);
}

export const SERVER_SIDE_HEAD = ['requests', 'rows / model run', 'queue µs', 'compute µs', 'request µs', 'client mean µs', 'transport µs'];

/**
 * Where a request's mean time went, µs: in the server's queue, in the model's run, elsewhere in the server, and
 * outside it (transport: the client's mean latency less the server's time, so the network, HTTP and
 * (de)serialisation). The server's time is the request time it reports (Triton, MLServer); the built-in server
 * reports none, so there it is queue + compute and transport also holds its HTTP handling. Null parts are what
 * the system does not say; null altogether where there is nothing to split (no server numbers, no latency).
 */
export interface TimeSplit {
  queueUs: number | null;
  computeUs: number | null;
  /** Server time beyond queue and compute (Triton's tensor copies, request handling); null where not known. */
  otherServerUs: number | null;
  /** Server time that the system does not split (MLServer: request time only). */
  unsplitServerUs: number | null;
  serverUs: number;
  /** Client mean latency − server time; negative when the server's mean exceeds the client's (clocks, windows). */
  transportUs: number;
  clientUs: number;
  /** How the server's time was found. */
  basis: 'request time' | 'queue + compute';
}

export function timeSplit(r: RunInfo): TimeSplit | null {
  const s = r.server;
  if (!s || r.meanMs === null) return null;
  const clientUs = r.meanMs * 1000;
  const { queueMeanUs: q, computeMeanUs: c, requestMeanUs: req } = s;
  let serverUs: number;
  let basis: TimeSplit['basis'];
  if (req !== null) [serverUs, basis] = [req, 'request time'];
  else if (q !== null && c !== null) [serverUs, basis] = [q + c, 'queue + compute'];
  else return null;
  const split = q !== null && c !== null;
  return {
    queueUs: q,
    computeUs: c,
    otherServerUs: split && req !== null ? Math.max(0, req - q - c) : null,
    unsplitServerUs: split ? null : serverUs,
    serverUs,
    transportUs: clientUs - serverUs,
    clientUs,
    basis,
  };
}
