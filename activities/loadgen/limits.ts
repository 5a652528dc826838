/**
 * What one load-generator process on a host can honour, decided before anything starts. Pure: the host facts
 * (file descriptors, ephemeral ports, memory) are read at the edge (activities/probe/host-limits.ts) and passed in.
 * Each issue names the config path whose value is too large, so the config loader can point at its line (or at
 * the sweep value that set it).
 */
import { OPEN_LOOP_MAX_SOCKETS } from '../../configs/defaults';
import type { IssueAt } from '../../configs/errors';
import type { Config } from '../../configs/schema';
import { settingsOf, type RunSettings } from '../../configs/settings';
import { levelAt } from './progressive';

export { OPEN_LOOP_MAX_SOCKETS };

export interface HostFacts {
  /** Soft RLIMIT_NOFILE: Node raises it to the hard limit at start-up and child processes inherit it; null = unknown. */
  fdLimit: number | null;
  /** Source ports towards one server address (net.ipv4.ip_local_port_range); null = unknown. */
  ephemeralPorts: number | null;
  /** Memory this host (or its cgroup) grants, bytes. */
  memoryBytes: number;
}

/**
 * The most requests/s one load-generator process can be asked to send. The sender is one JS thread; on this
 * project's 2-core host it peaked at ~55k req/s closed loop against a trivial server with its core to itself
 * (perf/README.md, perf:loadgen), and 6.5k-18k req/s against the built-in server. Twice the best figure leaves
 * room for faster cores; a rate between what the host manages and this is still judged after the run (achieved
 * rate and send lag in the verdict), but a rate above it can never be sent, and only wastes a device.
 */
export const MAX_SEND_RATE = 100_000;

/**
 * Open loop: requests in flight (sent or queued for a socket, not yet answered or timed out) can reach rate x
 * request timeout when the server stalls. 2^20 is 1/16 of the most entries a JS Set holds (2^24), and at
 * MAX_SEND_RATE with the default 10 s timeout it is just reached.
 */
export const MAX_INFLIGHT = 2 ** 20;
/** Heap per in-flight request: its exchange, callback closure, Set entry and queue slot (~205 B measured, Node 20). */
export const BYTES_PER_INFLIGHT = 256;
/** In-flight requests may take at most this share of the host's memory (the server runs beside them). */
const INFLIGHT_MEMORY_SHARE = 0.5;

/**
 * File descriptors a load-generator or server process needs besides its connections: stdio, IPC, the event loop,
 * worker threads, the model file. Both processes hold one descriptor per connection, each under the same limit.
 */
export const FD_RESERVE = 256;

/** Node timers (the warm-up's end, the run's end) hold at most 2^31-1 ms (~24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Issues of one job's config (no sweep: the caller places them on swept values); empty when the host can run it. */
export function loadLimitIssues(config: Config, host: HostFacts): IssueAt[] {
  const w = config.workload;
  const s = settingsOf(config);
  const issues: IssueAt[] = [];
  const push = (path: string[], message: string) => issues.push({ path: ['workload', ...path], message });
  const load = offeredLoad(config, s);

  if (load.rate !== null && load.rate.value > MAX_SEND_RATE) {
    push(load.rate.path, `${load.rate.what ?? ''}${count(load.rate.value)} requests/s exceed what one load-generator process can send (at most ${count(MAX_SEND_RATE)}: it sends from one JS thread)`);
  } else if (load.rate !== null) {
    const timeoutMs = s.requestTimeoutMs;
    const inflight = (load.rate.value * timeoutMs) / 1000;
    const memory = inflight * BYTES_PER_INFLIGHT;
    if (inflight > MAX_INFLIGHT) {
      push(load.rate.path, `${load.rate.what ?? ''}${count(load.rate.value)} requests/s x a ${seconds(timeoutMs)} request timeout can hold ${count(inflight)} requests in flight, more than the load generator's bound of ${count(MAX_INFLIGHT)}`);
    } else if (memory > INFLIGHT_MEMORY_SHARE * host.memoryBytes) {
      push(load.rate.path, `${load.rate.what ?? ''}${count(load.rate.value)} requests/s x a ${seconds(timeoutMs)} request timeout can hold ${count(inflight)} requests in flight (~${bytes(memory)}), more than half of this host's ${bytes(host.memoryBytes)} of memory`);
    }
  }

  const most = maxConnections(host, config.serving.endpoint === undefined);
  if (most !== null && load.connections.value > most.value) {
    push(load.connections.path, `${load.connections.what ?? ''}${count(load.connections.value)} connections exceed ${most.why}; at most ~${roughly(most.value)}`);
  }

  // Each run (each step of progressive) lasts warm-up + at most maxDuration, timed by Node timers.
  const runMs = s.warmupMs + (s.progressive?.stepMaxDurationMs ?? s.maxDurationMs);
  if (runMs > MAX_TIMER_MS) {
    const path = w.maxDuration !== undefined ? ['maxDuration'] : w.warmup > w.duration ? ['warmup'] : ['duration'];
    push(path, `a run of up to ${days(runMs)} (warm-up + maxDuration, default 10 x duration) exceeds what a Node timer can hold (2^31-1 ms, ~24.8 days)`);
  }
  return issues;
}

interface Located {
  value: number;
  /** How the value came about, when not written as is (e.g. a progressive run's last step). */
  what?: string;
  /** Under `workload`. */
  path: string[];
}

/** The highest send rate (open loop) and connection count a job may reach, and the config key that sets each. */
function offeredLoad(config: Config, s: RunSettings): { rate: Located | null; connections: Located } {
  const w = config.workload;
  const openLoopSockets = (rate: Located): Located => ({ value: OPEN_LOOP_MAX_SOCKETS, path: rate.path });
  switch (w.mode) {
    case 'server':
    case 'constant': {
      const rate = { value: s.rate ?? 0, path: ['rate'] };
      return { rate, connections: openLoopSockets(rate) };
    }
    case 'burst': {
      const rate = { value: s.rate ?? 0, path: ['burst'] };
      return { rate, connections: openLoopSockets(rate) };
    }
    case 'trace': // its rate is in the file: the sender's runtime bound covers it
      return { rate: null, connections: { value: OPEN_LOOP_MAX_SOCKETS, path: ['trace'] } };
    case 'progressive': {
      const plan = s.progressive!;
      const { over, maxSteps } = plan;
      const top = levelAt(plan, maxSteps - 1);
      // The top level comes from start, factor/step and maxSteps together; maxSteps is what to lower.
      const path = maxSteps > 1 ? ['progressive', 'maxSteps'] : w.progressive?.start !== undefined ? ['progressive', 'start'] : [over];
      const what = `the last of ${maxSteps} progressive steps: `;
      if (over === 'rate') {
        const rate = { value: top, path, what };
        return { rate, connections: openLoopSockets(rate) };
      }
      return { rate: null, connections: { value: top, path, what } };
    }
    case 'offline':
      return { rate: null, connections: { value: s.concurrency ?? 0, path: ['concurrency'] } };
    case 'single-stream':
      return { rate: null, connections: { value: 1, path: ['mode'] } };
    case 'concurrency':
    default:
      return { rate: null, connections: { value: s.concurrency ?? 0, path: ['concurrency'] } };
  }
}

/** The connections one process can hold towards the server, and the limit that sets it; null when unknown. */
function maxConnections(host: HostFacts, builtInServer: boolean): { value: number; why: string } | null {
  const byFds = host.fdLimit === null ? null : Math.max(0, host.fdLimit - FD_RESERVE);
  const byPorts = host.ephemeralPorts;
  if (byFds !== null && (byPorts === null || byFds <= byPorts)) {
    const holders = builtInServer ? 'the load generator and the built-in server each hold one per connection' : 'the load generator holds one per connection';
    return { value: byFds, why: `this host's file-descriptor limit of ${count(host.fdLimit!)} (ulimit -n; ${holders})` };
  }
  if (byPorts !== null) {
    return { value: byPorts, why: `this host's ${count(byPorts)} ephemeral ports (net.ipv4.ip_local_port_range: one per connection to the server's address)` };
  }
  return null;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
/** Rounded down to 3 significant digits, as a bound to stay under. */
const roughly = (n: number): string => {
  const unit = n >= 1000 ? 10 ** (Math.floor(Math.log10(n)) - 2) : 1;
  return count(Math.floor(n / unit) * unit);
};
const seconds = (ms: number): string => `${Number((ms / 1000).toPrecision(3))} s`;
const days = (ms: number): string => `${Number((ms / 86_400_000).toPrecision(3))} days`;
export const bytes = (n: number): string => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  for (; n >= 1000 && i < units.length - 1; i++) n /= 1000;
  return `${Number(n.toPrecision(3))} ${units[i]}`;
};

/** A run asked for more than the load generator can hold (e.g. requests in flight past MAX_INFLIGHT); not worth retrying. */
export class LoadLimitError extends Error {
  override readonly name = 'LoadLimitError';
}
