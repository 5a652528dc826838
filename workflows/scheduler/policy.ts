/**
 * The scheduler's placement policy: which pending lease request gets which free device, now.
 *
 * Pure and deterministic: no I/O, no clock, no randomness, type-only imports. It is bundled into the scheduler's
 * workflow code and shared, unchanged, by the trace-driven simulator (perf/scheduler-sim.ts).
 *
 * Order: every request has a score, lower = sooner:
 *   score = (order === 'fifo' ? 0 : expectedMs) − agingWeight × (now − enqueuedAt)
 * - 'sef' (two tier): shortest expected device time first, with aging so that nothing starves;
 * - 'fifo' (the single-tier baseline): the score is only the aging term, so the oldest request goes first.
 * Because the aging term grows at the same rate for every request, the order of two waiting requests never
 * changes with time: it is the order of `expectedMs + agingWeight × enqueuedAt`. A request enqueued at t0 with
 * expected time E is overtaken only by requests that arrive before t0 + (E − e)/agingWeight (e: the newcomer's
 * expected time), so its wait is bounded by the work that arrives in that window: no starvation.
 */
import type { LeaseRequest } from './messages';

/** A device as the policy sees it. */
export interface DeviceView {
  /** `node/device`. */
  key: string;
  node: string;
  device: string;
  /** 'cpu' | 'gpu'. */
  type: string;
  /** Not leased. */
  free: boolean;
  /** Its node is alive and the device is usable. */
  available: boolean;
}

export interface PendingRequest extends LeaseRequest {
  /** When the request joined the queue, ms (scheduler time). */
  enqueuedAt: number;
}

export interface Grant {
  requestId: string;
  deviceKey: string;
}

/**
 * Ms of expected device time forgiven per ms waited. 1: a request that has waited as long as its expected
 * device time ranks with a zero-length request that has just arrived, so newcomers can delay a request by at
 * most its own expected time (plus the work ahead of it). Smaller favours mean JCT, larger the tail.
 */
export const DEFAULT_AGING_WEIGHT = 1;

/** Server start assumed by expectedDeviceMs: spawn, session create, readiness, ms. */
export const DEFAULT_SERVER_START_MS = 1500;

/** A device's key in the scheduler: `node/device`. */
export function deviceKey(node: string, device: string): string {
  return `${node}/${device}`;
}

/** `want` is a device type ('cpu', 'gpu') or one device's exact name ('cpu1'). */
export function deviceMatches(want: string, dev: { device: string; type: string }): boolean {
  return want === dev.type || want === dev.device;
}

/** True when no registered device could ever match `want` (the request must fail rather than wait). */
export function unmatchable(want: string, devices: { device: string; type: string }[]): boolean {
  return !devices.some((d) => deviceMatches(want, d));
}

/**
 * When a request joins the queue, for its aging: now, or when its job first asked for a device if that was
 * earlier. A job whose device died under it (or whose server crashed) had its turn already: queued anew at the
 * back, it would wait behind every request that arrived since — on a busy cluster far longer than the fault took
 * to notice. Never later than now (a clock that ran ahead does not jump the queue further).
 */
export function enqueueTime(req: Pick<PendingRequest, 'waitingSince'>, now: number): number {
  return req.waitingSince !== undefined && req.waitingSince < now ? req.waitingSince : now;
}

/** Lower = sooner. See the module comment. */
export function priority(req: PendingRequest, now: number, agingWeight: number = DEFAULT_AGING_WEIGHT): number {
  const base = req.order === 'fifo' ? 0 : req.expectedMs;
  return base - agingWeight * (now - req.enqueuedAt);
}

/** Plain code-unit comparison (not locale-dependent). */
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pending requests in the order they are considered at `now`: score, then enqueuedAt, then requestId. */
export function queueOrder(pending: PendingRequest[], now: number, agingWeight: number = DEFAULT_AGING_WEIGHT): PendingRequest[] {
  const scored = pending.map((req) => ({ req, score: priority(req, now, agingWeight) }));
  scored.sort(
    (a, b) =>
      a.score - b.score ||
      a.req.enqueuedAt - b.req.enqueuedAt ||
      cmpStr(a.req.requestId, b.req.requestId),
  );
  return scored.map((s) => s.req);
}

/**
 * Grants for this instant. Requests are taken in queue order; each gets, among the devices that are free,
 * available and match it (and not granted earlier in this call): a device not in `avoid` over one in it (avoid
 * is soft: an avoided device is used when nothing else fits, as messages.ts says), then one on a node of
 * `preferNodes` (that node holds its compiled artifact), then the lowest key. A request with no such device waits; the ones after it may still be placed
 * (on other devices). Each device is granted at most once per call; the result does not depend on the order
 * of either input array.
 */
export function place(
  pending: PendingRequest[],
  devices: DeviceView[],
  now: number,
  agingWeight: number = DEFAULT_AGING_WEIGHT,
): Grant[] {
  const open = devices
    .filter((d) => d.free && d.available)
    .sort((a, b) => cmpStr(a.key, b.key) || cmpStr(a.node, b.node) || cmpStr(a.device, b.device) || cmpStr(a.type, b.type));
  const taken = new Set<string>();
  const grants: Grant[] = [];
  for (const req of queueOrder(pending, now, agingWeight)) {
    if (taken.size === open.length) break;
    let best: DeviceView | undefined;
    let bestRank = Infinity;
    for (const d of open) {
      if (taken.has(d.key) || !deviceMatches(req.device, d)) continue;
      // 0: not avoided, on a preferred node; 1: not avoided; 2: avoided, preferred node; 3: avoided.
      // `open` is in key order, so the first device of the best rank wins.
      const rank = (req.avoid.includes(d.key) ? 2 : 0) + (req.preferNodes.includes(d.node) ? 0 : 1);
      if (rank < bestRank) {
        best = d;
        bestRank = rank;
        if (rank === 0) break;
      }
    }
    if (!best) continue;
    taken.add(best.key);
    grants.push({ requestId: req.requestId, deviceKey: best.key });
  }
  return grants;
}

/**
 * Expected device time of one measurement, ms: warm-up + measured duration (× steps for progressive) + server
 * start. The key of shortest-expected-first; an estimate, not a promise (early stopping may end a run sooner,
 * an unmet minimum query count later).
 */
export function expectedDeviceMs(
  w: { mode: string; warmupMs: number; durationMs: number; steps?: number },
  serverStartMs: number = DEFAULT_SERVER_START_MS,
): number {
  const steps = w.mode === 'progressive' ? Math.max(1, w.steps ?? 1) : 1;
  return w.warmupMs + w.durationMs * steps + serverStartMs;
}
