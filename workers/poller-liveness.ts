/**
 * Whether a task-queue poller the server reports is a live worker. The server keeps a poller for two minutes
 * after its last poll, dead or alive, so a worker that stopped a minute ago still looks alive by time alone (a
 * second `servebench run` would then start no workers and wait for nobody). A worker's default identity is
 * `<pid>@<hostname>`: on this host, whether that process still runs settles it; elsewhere the time must do.
 * Pure: the host name and the process check are passed in.
 */
export const POLLER_RECENT_MS = 120_000;

export interface PollerFacts {
  identity: string;
  /** Last poll, ms since the epoch; null when the server did not say. */
  lastAccessMs: number | null;
}

export function pollerAlive(p: PollerFacts, now: number, hostname: string, processRuns: (pid: number) => boolean): boolean {
  if (p.lastAccessMs === null || p.lastAccessMs <= now - POLLER_RECENT_MS) return false;
  const m = /^(\d+)@(.+)$/.exec(p.identity);
  if (m && m[2] === hostname) return processRuns(Number(m[1]));
  return true;
}
