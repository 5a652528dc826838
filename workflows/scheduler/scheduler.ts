/**
 * The scheduler: one long-running workflow per cluster on the leader queue. It holds the registry of nodes and
 * devices (registration, heartbeats, death), the pending lease requests and the device leases, and grants a
 * device to one benchmark at a time. Requests, releases and grants travel by signal, so hundreds of waiting jobs
 * cost nothing but queue entries. Placement itself is policy.ts (pure, shared with the simulator).
 */
import { condition, continueAsNew, getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SchedulerActivities } from '../../activities/scheduler';
import {
  deregisterNodeSignal,
  deviceKey,
  leaseGrantedSignal,
  nodeHeartbeatSignal,
  registerNodeSignal,
  releaseLeaseSignal,
  requestLeaseSignal,
  schedulerStateQuery,
  type LeaseGrant,
  type NodeRegistration,
  type SchedulerView,
} from './messages';
import { LEADER_HEARTBEAT_TIMEOUT_MS, NODE_DEAD_AFTER_MS, SCHEDULER_TICK_MS } from '../timings';
import { enqueueTime, place, unmatchable, type DeviceView, type PendingRequest } from './policy';

/** How often lease holders and waiting requesters are checked for being alive (terminated workflows run no code). */
const HOLDER_CHECK_MS = 60_000;
/** A request no registered device can match fails after this long (a matching node may just be starting). */
const UNMATCHABLE_GRACE_MS = 15_000;
/** Continue-as-new well before the history limits (50k events / 50 MB). */
const HISTORY_EVENTS_LIMIT = 5_000;

interface NodeRecord {
  registration: NodeRegistration;
  lastHeartbeatAt: number;
  alive: boolean;
  /** Deregistered: shut down cleanly. */
  gone: boolean;
}

interface Lease {
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

export interface SchedulerInput {
  cluster: string;
  state?: SchedulerState;
  /** Continue as new after this many history events (default 5,000; tests use a small one). */
  historyLimit?: number;
}

const { workflowsNotRunning } = proxyActivities<SchedulerActivities>({
  startToCloseTimeout: '1 minute',
  // A leader activity: it heartbeats, so a dead leader's check is retried by another within seconds.
  heartbeatTimeout: LEADER_HEARTBEAT_TIMEOUT_MS,
  retry: { maximumAttempts: 3 },
});

export async function schedulerWorkflow({ cluster, state: carried, historyLimit = HISTORY_EVENTS_LIMIT }: SchedulerInput): Promise<void> {
  const s: SchedulerState = carried ?? { cluster, nodes: {}, leases: {}, pending: [], suspect: {}, granted: 0, lastHolderCheckAt: Date.now() };
  let dirty = true;
  let grantsInFlight = 0;
  let checking = false;

  const learn = (reg: NodeRegistration) => {
    const known = s.nodes[reg.node];
    if (!known || known.registration.incarnation !== reg.incarnation || known.gone) {
      log.info('node registered', { node: reg.node, incarnation: reg.incarnation, devices: reg.devices.map((d) => d.name) });
      for (const d of reg.devices) delete s.suspect[deviceKey(reg.node, d.name)];
    }
    s.nodes[reg.node] = { registration: reg, lastHeartbeatAt: Date.now(), alive: true, gone: false };
    dirty = true;
  };
  setHandler(registerNodeSignal, learn);
  setHandler(nodeHeartbeatSignal, learn);
  setHandler(deregisterNodeSignal, ({ node, incarnation }) => {
    const n = s.nodes[node];
    if (n && n.registration.incarnation === incarnation) {
      n.gone = true;
      n.alive = false;
      dirty = true;
    }
  });
  setHandler(requestLeaseSignal, (req) => {
    if (s.pending.some((p) => p.requestId === req.requestId) || Object.values(s.leases).some((l) => l.requestId === req.requestId)) return;
    s.pending.push({ ...req, enqueuedAt: enqueueTime(req, Date.now()) });
    dirty = true;
  });
  setHandler(releaseLeaseSignal, ({ requestId, outcome }) => {
    s.pending = s.pending.filter((p) => p.requestId !== requestId);
    for (const [key, lease] of Object.entries(s.leases)) {
      if (lease.requestId !== requestId) continue;
      delete s.leases[key];
      if (outcome === 'lost') s.suspect[key] = Date.now();
    }
    dirty = true;
  });
  setHandler(schedulerStateQuery, () => view(s, Date.now()));

  // The clock: node deaths and dead holders are noticed on ticks, taken only while there is something to watch.
  const watching = () => Object.values(s.nodes).some((n) => n.alive) || s.pending.length > 0 || Object.keys(s.leases).length > 0;
  void (async () => {
    for (;;) {
      await condition(watching);
      await sleep(SCHEDULER_TICK_MS);
      dirty = true;
    }
  })();

  const grant = (req: PendingRequest, g: LeaseGrant) => {
    grantsInFlight++;
    getExternalWorkflowHandle(req.workflowId)
      .signal(leaseGrantedSignal, g)
      .catch(() => {
        // The requester is gone (finished, terminated): the device is free again.
        const lease = s.leases[deviceKey(g.node, g.device)];
        if (lease?.requestId === g.requestId) delete s.leases[deviceKey(g.node, g.device)];
        dirty = true;
      })
      .finally(() => grantsInFlight--);
  };

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    const now = Date.now();
    for (const n of Object.values(s.nodes)) {
      if (n.alive && now - n.lastHeartbeatAt > NODE_DEAD_AFTER_MS) {
        n.alive = false;
        log.warn('node stopped heartbeating: no new leases on its devices', { node: n.registration.node });
      }
    }

    const devices = deviceViews(s);
    // A request nothing could ever serve fails instead of waiting forever.
    const registered = Object.values(s.nodes).filter((n) => !n.gone).flatMap((n) => n.registration.devices.map((d) => ({ device: d.name, type: d.type, node: n.registration.node })));
    for (const req of [...s.pending]) {
      if (registered.length === 0 || now - req.enqueuedAt < UNMATCHABLE_GRACE_MS || !unmatchable(req.device, registered)) continue;
      s.pending = s.pending.filter((p) => p !== req);
      const have = [...new Set(registered.map((d) => `${d.node}/${d.device} (${d.type})`))].join(', ');
      grant(req, { requestId: req.requestId, node: '', device: '', cores: [], error: `target.device: no device "${req.device}" in cluster "${s.cluster}" (registered: ${have})` });
    }

    for (const g of place(s.pending, devices, now)) {
      const req = s.pending.find((p) => p.requestId === g.requestId)!;
      const dev = devices.find((d) => d.key === g.deviceKey)!;
      s.pending = s.pending.filter((p) => p !== req);
      s.leases[g.deviceKey] = { requestId: req.requestId, workflowId: req.workflowId, grantedAt: now };
      s.granted++;
      const info = s.nodes[dev.node].registration.devices.find((d) => d.name === dev.device)!;
      grant(req, { requestId: req.requestId, node: dev.node, device: dev.device, cores: info.cores });
    }

    const v = view(s, now);
    setCurrentDetails(
      `**${s.cluster}**: ${v.nodes.filter((n) => n.alive).length} node(s) alive, ${v.devices.filter((d) => d.state === 'leased').length}/${v.devices.length} device(s) leased, ${s.pending.length} waiting, ${s.granted} granted\n\n` +
        v.devices.map((d) => `- ${d.key} (${d.type}, cores ${d.cores.join(',')}): ${d.state}${d.holder ? ` by ${d.holder}` : ''}`).join('\n'),
    );

    if (!checking && now - s.lastHolderCheckAt >= HOLDER_CHECK_MS && (s.pending.length > 0 || Object.keys(s.leases).length > 0)) {
      checking = true;
      s.lastHolderCheckAt = now;
      void checkHolders(s).finally(() => {
        checking = false;
        dirty = true;
      });
    }

    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
      await condition(() => grantsInFlight === 0 && !checking);
      await continueAsNew<typeof schedulerWorkflow>({ cluster, state: s, historyLimit });
    }
  }
}

/** Frees the leases and drops the requests of workflows that ended without saying so (terminated, timed out). */
async function checkHolders(s: SchedulerState): Promise<void> {
  const ids = [...new Set([...Object.values(s.leases).map((l) => l.workflowId), ...s.pending.map((p) => p.workflowId)])];
  const gone = new Set(await workflowsNotRunning(ids).catch(() => [] as string[]));
  if (gone.size === 0) return;
  for (const [key, lease] of Object.entries(s.leases)) if (gone.has(lease.workflowId)) delete s.leases[key];
  s.pending = s.pending.filter((p) => !gone.has(p.workflowId));
  log.warn('freed the leases of workflows that ended', { workflows: [...gone] });
}

function deviceViews(s: SchedulerState): DeviceView[] {
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

function view(s: SchedulerState, now: number): SchedulerView {
  const devices = deviceViews(s);
  return {
    cluster: s.cluster,
    nodes: Object.values(s.nodes)
      .filter((n) => !n.gone)
      .map((n) => ({ node: n.registration.node, incarnation: n.registration.incarnation, alive: n.alive, lastHeartbeatAt: n.lastHeartbeatAt, hardware: n.registration.hardware })),
    devices: devices.map((d) => {
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
