/** The scheduler's state changes (workflows/scheduler/state.ts): pure, driven here with explicit clocks. */
import type { LeaseRequest, NodeRegistration } from '../../workflows/scheduler/messages';
import {
  deregisterNode,
  describeView,
  deviceViews,
  dropEnded,
  failUnmatchable,
  grantLeases,
  grantUndelivered,
  HOLDER_CHECK_MS,
  initialState,
  markDeadNodes,
  needsClock,
  registerNode,
  releaseLease,
  requestLease,
  schedulerView,
  startHolderCheck,
  UNMATCHABLE_GRACE_MS,
  type SchedulerState,
} from '../../workflows/scheduler/state';
import { NODE_DEAD_AFTER_MS } from '../../workflows/timings';

const reg = (node: string, devices: [name: string, cores: number[]][], incarnation = `${node}-1`): NodeRegistration => ({
  cluster: 'c',
  node,
  incarnation,
  hardware: { hostname: node, cpuModel: 'x', cores: 4, memoryBytes: 1, gpus: [], providers: ['cpu'] },
  devices: devices.map(([name, cores]) => ({ name, type: name.startsWith('gpu') ? 'gpu' : 'cpu', cores })),
  sentAt: 0,
});

const req = (id: string, over: Partial<LeaseRequest> = {}): LeaseRequest => ({
  requestId: `${id}#1`,
  workflowId: id,
  device: 'cpu',
  expectedMs: 1000,
  order: 'sef',
  preferNodes: [],
  avoid: [],
  ...over,
});

const states = (s: SchedulerState, now = 0) => Object.fromEntries(schedulerView(s, now).devices.map((d) => [d.key, d.state]));

/** A state with node n1 (cpu0 on core 0, cpu1 on core 1) registered at t=0. */
function oneNode(): SchedulerState {
  const s = initialState('c', 0);
  registerNode(s, reg('n1', [['cpu0', [0]], ['cpu1', [1]]]), 0);
  return s;
}

describe('registration', () => {
  test('a new node, a new incarnation or a node back after deregistering is fresh; a heartbeat is not', () => {
    const s = initialState('c', 0);
    expect(registerNode(s, reg('n1', [['cpu0', [0]]]), 0)).toBe(true);
    expect(registerNode(s, reg('n1', [['cpu0', [0]]]), 5_000)).toBe(false);
    expect(s.nodes.n1.lastHeartbeatAt).toBe(5_000);
    expect(registerNode(s, reg('n1', [['cpu0', [0]]], 'n1-2'), 6_000)).toBe(true);
    expect(deregisterNode(s, { node: 'n1', incarnation: 'n1-2' })).toBe(true);
    expect(registerNode(s, reg('n1', [['cpu0', [0]]], 'n1-2'), 7_000)).toBe(true);
  });

  test('deregistering applies to its own incarnation only; a gone node has no devices', () => {
    const s = oneNode();
    expect(deregisterNode(s, { node: 'n1', incarnation: 'old' })).toBe(false);
    expect(deregisterNode(s, { node: 'nx', incarnation: 'n1-1' })).toBe(false);
    expect(states(s)).toEqual({ 'n1/cpu0': 'free', 'n1/cpu1': 'free' });
    expect(deregisterNode(s, { node: 'n1', incarnation: 'n1-1' })).toBe(true);
    expect(deviceViews(s)).toEqual([]);
    expect(schedulerView(s, 0).nodes).toEqual([]);
    requestLease(s, req('w'), 0);
    expect(grantLeases(s, 0)).toEqual([]);
  });
});

describe('leases', () => {
  test('a request is granted a free device with its cores, once; the lease is counted and shown', () => {
    const s = oneNode();
    expect(requestLease(s, req('a'), 10)).toBe(true);
    expect(requestLease(s, req('a'), 11)).toBe(false); // the same signal again
    const [d, ...rest] = grantLeases(s, 20);
    expect(rest).toEqual([]);
    expect(d.grant).toEqual({ requestId: 'a#1', node: 'n1', device: 'cpu0', cores: [0] });
    expect(d.request).toMatchObject({ requestId: 'a#1', workflowId: 'a', enqueuedAt: 10 });
    expect(requestLease(s, req('a'), 21)).toBe(false); // already granted
    expect(s.pending).toEqual([]);
    expect(s.granted).toBe(1);
    const v = schedulerView(s, 30);
    expect(v.devices.find((x) => x.key === 'n1/cpu0')).toMatchObject({ state: 'leased', holder: 'a', since: 20, cores: [0] });
    expect(grantLeases(s, 30)).toEqual([]);
  });

  test('more requests than devices: the rest wait, and get the device when it is released', () => {
    const s = oneNode();
    for (const id of ['a', 'b', 'c']) requestLease(s, req(id), 0);
    expect(grantLeases(s, 0).map((d) => d.grant.device)).toEqual(['cpu0', 'cpu1']);
    expect(schedulerView(s, 500).pending).toEqual([{ requestId: 'c#1', workflowId: 'c', device: 'cpu', expectedMs: 1000, waitingMs: 500 }]);
    releaseLease(s, { requestId: 'a#1', outcome: 'done' }, 1000);
    expect(grantLeases(s, 1000).map((d) => [d.grant.requestId, d.grant.device])).toEqual([['c#1', 'cpu0']]);
  });

  test('a waiting request withdrawn (cancelled) leaves the queue', () => {
    const s = oneNode();
    requestLease(s, req('a', { device: 'gpu' }), 0);
    releaseLease(s, { requestId: 'a#1', outcome: 'cancelled' }, 10);
    expect(s.pending).toEqual([]);
    expect(needsClock(s)).toBe(true); // n1 is alive
  });

  test('a lost measurement makes its device suspect until its node heartbeats again', () => {
    const s = oneNode();
    requestLease(s, req('a', { device: 'cpu0' }), 0);
    grantLeases(s, 0);
    releaseLease(s, { requestId: 'a#1', outcome: 'lost' }, 3_000);
    expect(states(s)).toEqual({ 'n1/cpu0': 'down', 'n1/cpu1': 'free' });
    requestLease(s, req('b', { device: 'cpu0' }), 3_000);
    expect(grantLeases(s, 3_000)).toEqual([]);
    registerNode(s, reg('n1', [['cpu0', [0]], ['cpu1', [1]]]), 5_000); // a heartbeat after the loss
    expect(states(s)['n1/cpu0']).toBe('free');
    expect(grantLeases(s, 5_000).map((d) => d.grant.requestId)).toEqual(['b#1']);
  });

  test('a lease released twice (by the follower as its measurement ends, then by the workflow): the second is a no-op, even once the device is the next job\'s', () => {
    const s = oneNode();
    requestLease(s, req('a', { device: 'cpu0' }), 0);
    requestLease(s, req('b', { device: 'cpu0' }), 0);
    grantLeases(s, 0);
    releaseLease(s, { requestId: 'a#1', outcome: 'done' }, 1_000); // the follower
    expect(grantLeases(s, 1_000).map((d) => d.grant.requestId)).toEqual(['b#1']);
    releaseLease(s, { requestId: 'a#1', outcome: 'done' }, 1_100); // the workflow, a task later
    expect(schedulerView(s, 1_100).devices.find((d) => d.key === 'n1/cpu0')).toMatchObject({ state: 'leased', holder: 'b' });
    expect(s.pending).toEqual([]);
    expect(grantLeases(s, 1_100)).toEqual([]);
  });

  test('a failed measurement frees its device at once', () => {
    const s = oneNode();
    requestLease(s, req('a', { device: 'cpu0' }), 0);
    grantLeases(s, 0);
    releaseLease(s, { requestId: 'a#1', outcome: 'failed' }, 1_000);
    expect(states(s)['n1/cpu0']).toBe('free');
  });

  test('a grant that could not be delivered frees its device, unless the device went to another request since', () => {
    const s = oneNode();
    requestLease(s, req('a', { device: 'cpu0' }), 0);
    const [d] = grantLeases(s, 0);
    grantUndelivered(s, { ...d.grant, requestId: 'other#1' });
    expect(states(s)['n1/cpu0']).toBe('leased');
    grantUndelivered(s, d.grant);
    expect(states(s)['n1/cpu0']).toBe('free');
  });
});

describe('dead nodes', () => {
  test(`a node silent for more than NODE_DEAD_AFTER_MS (${NODE_DEAD_AFTER_MS} ms) is dead once: its devices are down, its leases stay`, () => {
    const s = oneNode();
    requestLease(s, req('a'), 0);
    grantLeases(s, 0);
    expect(markDeadNodes(s, NODE_DEAD_AFTER_MS)).toEqual([]);
    expect(markDeadNodes(s, NODE_DEAD_AFTER_MS + 1)).toEqual(['n1']);
    expect(markDeadNodes(s, NODE_DEAD_AFTER_MS + 2)).toEqual([]);
    expect(states(s)).toEqual({ 'n1/cpu0': 'leased', 'n1/cpu1': 'down' });
    requestLease(s, req('b'), NODE_DEAD_AFTER_MS + 2);
    expect(grantLeases(s, NODE_DEAD_AFTER_MS + 2)).toEqual([]);
    // It comes back (a heartbeat): its devices are usable again.
    registerNode(s, reg('n1', [['cpu0', [0]], ['cpu1', [1]]]), NODE_DEAD_AFTER_MS + 3);
    expect(grantLeases(s, NODE_DEAD_AFTER_MS + 3).map((d) => d.grant.device)).toEqual(['cpu1']);
  });

  test('a deregistered node is not declared dead, and the clock stops when nothing is left to watch', () => {
    const s = oneNode();
    deregisterNode(s, { node: 'n1', incarnation: 'n1-1' });
    expect(markDeadNodes(s, 10 * NODE_DEAD_AFTER_MS)).toEqual([]);
    expect(needsClock(s)).toBe(false);
  });
});

describe('unmatchable requests', () => {
  test(`fail after UNMATCHABLE_GRACE_MS (${UNMATCHABLE_GRACE_MS} ms) with the devices there are, in arrival order; matchable ones wait`, () => {
    const s = oneNode();
    registerNode(s, reg('n2', [['cpu0', [0]]]), 0);
    requestLease(s, req('g', { device: 'gpu' }), 0);
    requestLease(s, req('n', { device: 'cpu9' }), 100);
    requestLease(s, req('ok', { device: 'cpu1' }), 0);
    grantLeases(s, 0); // ok takes n1/cpu1
    requestLease(s, req('busy', { device: 'cpu1' }), 0);
    expect(failUnmatchable(s, UNMATCHABLE_GRACE_MS - 1)).toEqual([]);
    const failed = failUnmatchable(s, UNMATCHABLE_GRACE_MS + 100);
    expect(failed.map((d) => d.grant)).toEqual([
      { requestId: 'g#1', node: '', device: '', cores: [], error: 'target.device: no device "gpu" in cluster "c" (registered: n1/cpu0 (cpu), n1/cpu1 (cpu), n2/cpu0 (cpu))' },
      { requestId: 'n#1', node: '', device: '', cores: [], error: 'target.device: no device "cpu9" in cluster "c" (registered: n1/cpu0 (cpu), n1/cpu1 (cpu), n2/cpu0 (cpu))' },
    ]);
    expect(s.pending.map((p) => p.requestId)).toEqual(['busy#1']);
  });

  test('wait while no device is registered at all (the cluster may be starting), and count only nodes still there', () => {
    const s = initialState('c', 0);
    requestLease(s, req('g', { device: 'gpu' }), 0);
    expect(failUnmatchable(s, 10 * UNMATCHABLE_GRACE_MS)).toEqual([]);
    registerNode(s, reg('gpunode', [['gpu0', [0]]]), 0);
    deregisterNode(s, { node: 'gpunode', incarnation: 'gpunode-1' });
    registerNode(s, reg('n1', [['cpu0', [0]]]), 0);
    expect(failUnmatchable(s, 10 * UNMATCHABLE_GRACE_MS).map((d) => d.grant.error)).toEqual(['target.device: no device "gpu" in cluster "c" (registered: n1/cpu0 (cpu))']);
  });
});

describe('holders that ended unannounced', () => {
  test(`checked every HOLDER_CHECK_MS (${HOLDER_CHECK_MS} ms) while anything is leased or waiting; their leases and requests go`, () => {
    const s = oneNode();
    expect(startHolderCheck(s, HOLDER_CHECK_MS)).toBeUndefined(); // nothing to check
    requestLease(s, req('a', { device: 'cpu0' }), 0);
    grantLeases(s, 0);
    requestLease(s, req('b', { device: 'cpu0' }), 0);
    requestLease(s, req('c', { device: 'cpu0' }), 0);
    expect(startHolderCheck(s, HOLDER_CHECK_MS - 1)).toBeUndefined();
    expect(startHolderCheck(s, HOLDER_CHECK_MS)).toEqual(['a', 'b', 'c']);
    expect(startHolderCheck(s, HOLDER_CHECK_MS + 1)).toBeUndefined(); // the next is due a period later
    dropEnded(s, ['a', 'b']);
    expect(states(s)['n1/cpu0']).toBe('free');
    expect(s.pending.map((p) => p.workflowId)).toEqual(['c']);
  });
});

test('the state is plain JSON: it survives continue-as-new unchanged', () => {
  const s = oneNode();
  requestLease(s, req('a'), 0);
  grantLeases(s, 0);
  releaseLease(s, { requestId: 'a#1', outcome: 'lost' }, 10);
  requestLease(s, req('b', { device: 'gpu' }), 20);
  const carried = JSON.parse(JSON.stringify(s)) as SchedulerState;
  expect(carried).toEqual(s);
  expect(schedulerView(carried, 30)).toEqual(schedulerView(s, 30));
});

test('the current details name the cluster, the counts and each device', () => {
  const s = oneNode();
  requestLease(s, req('a', { device: 'cpu1' }), 0);
  grantLeases(s, 0);
  requestLease(s, req('b', { device: 'gpu' }), 0);
  expect(describeView(schedulerView(s, 0))).toBe(
    '**c**: 1 node(s) alive, 1/2 device(s) leased, 1 waiting, 1 granted\n\n- n1/cpu0 (cpu, cores 0): free\n- n1/cpu1 (cpu, cores 1): leased by a',
  );
});
