/**
 * What the scheduler knows, and every change to it: nodes registering, heartbeating, deregistering and dying;
 * lease requests queuing, failing as unmatchable, being granted and released; holders that ended unannounced.
 *
 * Pure and deterministic like policy.ts: no I/O, no clock (every change takes `now`), no randomness, no Temporal
 * API; it imports types, policy.ts and the timing constants only. The scheduler workflow (scheduler.ts) applies these changes to the
 * signals it receives and sends the grants they return; the state is plain JSON, carried through
 * continue-as-new. Placement itself is policy.ts.
 *
 * The workflow's recorded histories replay through this module (test/unit/workflow-replay.test.ts): a change to
 * what it decides, or in which order, changes the workflow's commands and needs `patched()` (docs/WORKFLOW-CHANGES.md).
 */
import type { LeaseGrant, LeaseRelease, LeaseRequest, NodeDeregistration, NodeRegistration, SchedulerView } from './messages';
import { DEFAULT_AGING_WEIGHT, deviceKey, enqueueTime, place, unmatchable, type DeviceView, type PendingRequest } from './policy';
import { NODE_DEAD_AFTER_MS } from '../timings';

/** How often lease holders and waiting requesters are checked for being alive (terminated workflows run no code). */
export const HOLDER_CHECK_MS = 60_000;
/** A request no registered device can match fails after this long (a matching node may just be starting). */
export const UNMATCHABLE_GRACE_MS = 15_000;

export interface NodeRecord {
  registration: NodeRegistration;
  lastHeartbeatAt: number;
  alive: boolean;
  /** Deregistered: shut down cleanly. */
  gone: boolean;
}

export interface Lease {
  requestId: string;
  workflowId: string;
  grantedAt: number;
}

/** Everything the scheduler knows, as plain JSON (carried through continue-as-new). */
export interface SchedulerState {
  cluster: string;
  nodes: Record<string, NodeRecord>;
  /** By device key `node/device`. */
  leases: Record<string, Lease>;
  pending: PendingRequest[];
  /** Device key → when a measurement on it was lost; usable again once its node heartbeats after that. */
  suspect: Record<string, number>;
  granted: number;
  lastHolderCheckAt: number;
}

/** A grant to send to the requesting workflow. */
export interface Decision {
  request: PendingRequest;
  grant: LeaseGrant;
}

export function initialState(cluster: string, now: number): SchedulerState {
  return { cluster, nodes: {}, leases: {}, pending: [], suspect: {}, granted: 0, lastHolderCheckAt: now };
}

/**
 * A registration or a heartbeat (which repeats it). True when the node is new to the scheduler (first seen, a new
 * incarnation, or back after deregistering): its devices are then no longer suspect.
 */
export function registerNode(s: SchedulerState, reg: NodeRegistration, now: number): boolean {
  const known = s.nodes[reg.node];
  const fresh = !known || known.registration.incarnation !== reg.incarnation || known.gone;
  if (fresh) for (const d of reg.devices) delete s.suspect[deviceKey(reg.node, d.name)];
  s.nodes[reg.node] = { registration: reg, lastHeartbeatAt: now, alive: true, gone: false };
  return fresh;
}

/** A clean shutdown of one incarnation (a later incarnation's registration is left alone). True when it applied. */
export function deregisterNode(s: SchedulerState, { node, incarnation }: NodeDeregistration): boolean {
  const n = s.nodes[node];
  if (!n || n.registration.incarnation !== incarnation) return false;
  n.gone = true;
  n.alive = false;
  return true;
}

/** Queues a request; a repeat of one already waiting or granted (a re-sent signal) is ignored: false. */
export function requestLease(s: SchedulerState, req: LeaseRequest, now: number): boolean {
  if (s.pending.some((p) => p.requestId === req.requestId) || Object.values(s.leases).some((l) => l.requestId === req.requestId)) return false;
  s.pending.push({ ...req, enqueuedAt: enqueueTime(req, now) });
  return true;
}

/**
 * The holder gives its device back, or a waiting requester withdraws. A device whose measurement was `lost` is
 * suspect: not granted again until its node heartbeats after now (a dead follower does not).
 */
export function releaseLease(s: SchedulerState, { requestId, outcome }: LeaseRelease, now: number): void {
  s.pending = s.pending.filter((p) => p.requestId !== requestId);
  for (const [key, lease] of Object.entries(s.leases)) {
    if (lease.requestId !== requestId) continue;
    delete s.leases[key];
    if (outcome === 'lost') s.suspect[key] = now;
  }
}

/** A grant could not be delivered (the requester is gone: finished, terminated): its device is free again. */
export function grantUndelivered(s: SchedulerState, g: LeaseGrant): void {
  const key = deviceKey(g.node, g.device);
  if (s.leases[key]?.requestId === g.requestId) delete s.leases[key];
}

/** Nodes alive until now that have not heartbeated for NODE_DEAD_AFTER_MS: now dead (no new leases on their devices). */
export function markDeadNodes(s: SchedulerState, now: number): string[] {
  const died: string[] = [];
  for (const n of Object.values(s.nodes)) {
    if (n.alive && now - n.lastHeartbeatAt > NODE_DEAD_AFTER_MS) {
      n.alive = false;
      died.push(n.registration.node);
    }
  }
  return died;
}

/**
 * Requests no registered device could ever serve (after UNMATCHABLE_GRACE_MS, while any device is registered)
 * leave the queue with a grant that carries the error instead of a device. In queue (arrival) order.
 */
export function failUnmatchable(s: SchedulerState, now: number): Decision[] {
  const registered = Object.values(s.nodes)
    .filter((n) => !n.gone)
    .flatMap((n) => n.registration.devices.map((d) => ({ device: d.name, type: d.type, node: n.registration.node })));
  const failed: Decision[] = [];
  for (const req of [...s.pending]) {
    if (registered.length === 0 || now - req.enqueuedAt < UNMATCHABLE_GRACE_MS || !unmatchable(req.device, registered)) continue;
    s.pending = s.pending.filter((p) => p !== req);
    const have = [...new Set(registered.map((d) => `${d.node}/${d.device} (${d.type})`))].join(', ');
    failed.push({ request: req, grant: { requestId: req.requestId, node: '', device: '', cores: [], error: `target.device: no device "${req.device}" in cluster "${s.cluster}" (registered: ${have})` } });
  }
  return failed;
}

/**
 * Places what the policy places now: each grant's request leaves the queue and holds its device. In policy order.
 * `agingWeight`: the simulator's ablations; the workflow uses the default.
 */
export function grantLeases(s: SchedulerState, now: number, agingWeight: number = DEFAULT_AGING_WEIGHT): Decision[] {
  const devices = deviceViews(s);
  const out: Decision[] = [];
  for (const g of place(s.pending, devices, now, agingWeight)) {
    const request = s.pending.find((p) => p.requestId === g.requestId)!;
    const dev = devices.find((d) => d.key === g.deviceKey)!;
    s.pending = s.pending.filter((p) => p !== request);
    s.leases[g.deviceKey] = { requestId: request.requestId, workflowId: request.workflowId, grantedAt: now };
    s.granted++;
    const info = s.nodes[dev.node].registration.devices.find((d) => d.name === dev.device)!;
    out.push({ request, grant: { requestId: request.requestId, node: dev.node, device: dev.device, cores: info.cores } });
  }
  return out;
}

/**
 * When a holder check is due (HOLDER_CHECK_MS since the last, and anything is leased or waiting): the workflows
 * to ask about, and the check counts as started now. Otherwise undefined.
 */
export function startHolderCheck(s: SchedulerState, now: number): string[] | undefined {
  if (now - s.lastHolderCheckAt < HOLDER_CHECK_MS || (s.pending.length === 0 && Object.keys(s.leases).length === 0)) return undefined;
  s.lastHolderCheckAt = now;
  return [...new Set([...Object.values(s.leases).map((l) => l.workflowId), ...s.pending.map((p) => p.workflowId)])];
}

/** Frees the leases and drops the requests of workflows that ended without saying so (terminated, timed out). */
export function dropEnded(s: SchedulerState, ended: string[]): void {
  const gone = new Set(ended);
  for (const [key, lease] of Object.entries(s.leases)) if (gone.has(lease.workflowId)) delete s.leases[key];
  s.pending = s.pending.filter((p) => !gone.has(p.workflowId));
}

/** True while anything needs the clock: a live node (it may die), a waiting request or a held lease. */
export function needsClock(s: SchedulerState): boolean {
  return Object.values(s.nodes).some((n) => n.alive) || s.pending.length > 0 || Object.keys(s.leases).length > 0;
}

/** The devices of nodes that have not deregistered, as the policy sees them. */
export function deviceViews(s: SchedulerState): DeviceView[] {
  return Object.values(s.nodes)
    .filter((n) => !n.gone)
    .flatMap((n) =>
      n.registration.devices.map((d) => {
        const key = deviceKey(n.registration.node, d.name);
        const lostAt = s.suspect[key];
        return {
          key,
          node: n.registration.node,
          device: d.name,
          type: d.type,
          free: !s.leases[key],
          available: n.alive && (lostAt === undefined || n.lastHeartbeatAt > lostAt),
        };
      }),
    );
}

/** What the schedulerState query answers. */
export function schedulerView(s: SchedulerState, now: number): SchedulerView {
  return {
    cluster: s.cluster,
    nodes: Object.values(s.nodes)
      .filter((n) => !n.gone)
      .map((n) => ({ node: n.registration.node, incarnation: n.registration.incarnation, alive: n.alive, lastHeartbeatAt: n.lastHeartbeatAt, hardware: n.registration.hardware })),
    devices: deviceViews(s).map((d) => {
      const lease = s.leases[d.key];
      const cores = s.nodes[d.node].registration.devices.find((x) => x.name === d.device)?.cores ?? [];
      return {
        key: d.key,
        node: d.node,
        device: d.device,
        type: d.type,
        cores,
        state: lease ? 'leased' : d.available ? 'free' : 'down',
        holder: lease?.workflowId,
        since: lease?.grantedAt,
      };
    }),
    pending: s.pending.map((p) => ({ requestId: p.requestId, workflowId: p.workflowId, device: p.device, expectedMs: p.expectedMs, waitingMs: now - p.enqueuedAt })),
    granted: s.granted,
  };
}

/** The scheduler's "current details" in the Temporal UI (Markdown), from its view. */
export function describeView(v: SchedulerView): string {
  return (
    `**${v.cluster}**: ${v.nodes.filter((n) => n.alive).length} node(s) alive, ${v.devices.filter((d) => d.state === 'leased').length}/${v.devices.length} device(s) leased, ${v.pending.length} waiting, ${v.granted} granted\n\n` +
    v.devices.map((d) => `- ${d.key} (${d.type}, cores ${d.cores.join(',')}): ${d.state}${d.holder ? ` by ${d.holder}` : ''}`).join('\n')
  );
}
