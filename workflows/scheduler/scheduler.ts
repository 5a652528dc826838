/**
 * The scheduler: one long-running workflow per cluster on the leader queue. It holds the registry of nodes and
 * devices (registration, heartbeats, death), the pending lease requests and the device leases, and grants a
 * device to one benchmark at a time. Requests, releases and grants travel by signal, so hundreds of waiting jobs
 * cost nothing but queue entries. This file is the Temporal glue: what the state becomes is state.ts, placement
 * is policy.ts (both pure; policy shared with the simulator).
 */
import { condition, continueAsNew, getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SchedulerActivities } from '../../activities/scheduler';
import {
  deregisterNodeSignal,
  leaseGrantedSignal,
  nodeHeartbeatSignal,
  registerNodeSignal,
  releaseLeaseSignal,
  requestLeaseSignal,
  schedulerStateQuery,
  type NodeRegistration,
} from './messages';
import { LEADER_HEARTBEAT_TIMEOUT_MS, SCHEDULER_TICK_MS } from '../timings';
import {
  deregisterNode,
  describeView,
  dropEnded,
  failUnmatchable,
  grantLeases,
  grantUndelivered,
  initialState,
  markDeadNodes,
  needsClock,
  registerNode,
  releaseLease,
  requestLease,
  schedulerView,
  startHolderCheck,
  type Decision,
  type SchedulerState,
} from './state';

/** Continue-as-new well before the history limits (50k events / 50 MB). */
const HISTORY_EVENTS_LIMIT = 5_000;

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
  const s: SchedulerState = carried ?? initialState(cluster, Date.now());
  let dirty = true;
  let grantsInFlight = 0;
  let checking = false;

  const learn = (reg: NodeRegistration) => {
    if (registerNode(s, reg, Date.now())) log.info('node registered', { node: reg.node, incarnation: reg.incarnation, devices: reg.devices.map((d) => d.name) });
    dirty = true;
  };
  setHandler(registerNodeSignal, learn);
  setHandler(nodeHeartbeatSignal, learn);
  setHandler(deregisterNodeSignal, (d) => {
    if (deregisterNode(s, d)) dirty = true;
  });
  setHandler(requestLeaseSignal, (req) => {
    if (requestLease(s, req, Date.now())) dirty = true;
  });
  setHandler(releaseLeaseSignal, (r) => {
    releaseLease(s, r, Date.now());
    dirty = true;
  });
  setHandler(schedulerStateQuery, () => schedulerView(s, Date.now()));

  // The clock: node deaths and dead holders are noticed on ticks, taken only while there is something to watch.
  void (async () => {
    for (;;) {
      await condition(() => needsClock(s));
      await sleep(SCHEDULER_TICK_MS);
      dirty = true;
    }
  })();

  const send = ({ request, grant }: Decision) => {
    grantsInFlight++;
    getExternalWorkflowHandle(request.workflowId)
      .signal(leaseGrantedSignal, grant)
      .catch(() => {
        grantUndelivered(s, grant);
        dirty = true;
      })
      .finally(() => grantsInFlight--);
  };

  for (;;) {
    await condition(() => dirty);
    dirty = false;
    const now = Date.now();
    for (const node of markDeadNodes(s, now)) log.warn('node stopped heartbeating: no new leases on its devices', { node });
    // A request nothing could ever serve fails instead of waiting forever; then placement.
    for (const d of failUnmatchable(s, now)) send(d);
    for (const d of grantLeases(s, now)) send(d);
    setCurrentDetails(describeView(schedulerView(s, now)));

    const holders = checking ? undefined : startHolderCheck(s, now);
    if (holders) {
      checking = true;
      void checkHolders(s, holders).finally(() => {
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

/** Asks which of `ids` ended without saying so (terminated, timed out), and frees what they held. */
async function checkHolders(s: SchedulerState, ids: string[]): Promise<void> {
  const ended = await workflowsNotRunning(ids).catch(() => [] as string[]);
  if (ended.length === 0) return;
  dropEnded(s, ended);
  log.warn('freed the leases of workflows that ended', { workflows: [...new Set(ended)] });
}
