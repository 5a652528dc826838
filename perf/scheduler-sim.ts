/**
 * Trace-driven, discrete-event simulator of the two schedulers servebench compares (see DESIGN.md, "The two
 * tiers and the claim to beat"). Pure and deterministic: no I/O, no clock, no randomness. The measure queue is
 * the scheduler workflow's own state and policy (workflows/scheduler/state.ts and policy.ts: requests, grants by
 * `place`, releases), so the simulator and the scheduler workflow share them.
 *
 * - single tier (baseline): one FIFO queue (policy order 'fifo'); a job holds a device of its type from the start
 *   of its compile to the end of its measurement; no artifact cache (every job compiles, on the device's host,
 *   needing no compile slot).
 * - two tier (servebench): a job first compiles on the cluster tier (compile slots, FIFO, separate from the
 *   devices), with a content cache: a model is compiled once, a job whose model is cached skips the compile, a job
 *   whose model is being compiled (or is queued for it) waits for that compile. Then it enters the measure queue
 *   (policy order 'sef' by default, aging DEFAULT_AGING_WEIGHT); its device time is the measurement only.
 *   Options turn off the cache or use FIFO order in the measure queue (the ablations).
 *
 * JCT of a job = finish − arrival. Not modelled: artifact transfer between nodes (the cache is cluster-wide and free
 * to read; placement still prefers the node that compiled it), compile/measurement interference, failures.
 */
import type { QueueOrder } from '../workflows/scheduler/messages';
import { DEFAULT_AGING_WEIGHT, deviceKey, unmatchable, type DeviceView } from '../workflows/scheduler/policy';
import { deviceViews, grantLeases, initialState, registerNode, releaseLease, requestLease, type SchedulerState } from '../workflows/scheduler/state';

export type DeviceType = 'cpu' | 'gpu';

export interface TraceJob {
  id: string;
  sweep: string;
  /** Submission time, ms from the start of the trace. */
  arrivalMs: number;
  /** Model identity: jobs with the same model share one compiled artifact (content hash). */
  model: string;
  /** Compile (generate + optimise + save) time, ms. */
  compileMs: number;
  /** Device time of the measurement (server start + warm-up + measured duration), ms. */
  measureMs: number;
  device: DeviceType;
}

export interface TraceNode {
  node: string;
  /** Cluster-tier compiles that may run at once on this node (two tier only). */
  compileSlots: number;
  devices: { name: string; type: DeviceType }[];
}

export interface Trace {
  cluster: { nodes: TraceNode[] };
  jobs: TraceJob[];
}

export interface JobOutcome {
  id: string;
  arrivalMs: number;
  /** When the job's model was ready for it (two tier; = measure queue entry), or its device start (single tier). */
  readyMs: number;
  /** Start of its own device lease. */
  deviceStartMs: number;
  finishMs: number;
  jctMs: number;
  /** `node/device` it ran on. */
  deviceKey: string;
  /** Whether a compile ran for this job (false: cache hit, or it waited for another job's compile). */
  compiled: boolean;
}

export interface SimResult {
  scheduler: string;
  jobs: JobOutcome[];
  meanJctMs: number;
  p95JctMs: number;
  /** Last finish − first arrival. */
  makespanMs: number;
  /** Compiles run. */
  compiles: number;
  /** Sum of device lease time over all jobs, ms. */
  deviceBusyMs: number;
}

export interface TwoTierOptions {
  /** Measure-queue order (default 'sef'). */
  order?: QueueOrder;
  /** Content cache of compiled models (default true). */
  cache?: boolean;
  agingWeight?: number;
}

/** Nearest-rank percentile (q in 0..100). */
export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))];
}

/** Checks a parsed trace file's shape (throws with the first problem) and returns it typed. */
export function parseTrace(raw: unknown): Trace {
  const fail = (msg: string): never => {
    throw new Error(`scheduler trace: ${msg}`);
  };
  const t = raw as Partial<Trace> | null;
  if (!t || typeof t !== 'object') return fail('expected an object');
  const nodes = t.cluster?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return fail('expected cluster.nodes, a non-empty array');
  for (const n of nodes) {
    if (typeof n?.node !== 'string') fail('node without a name');
    if (!Number.isInteger(n.compileSlots) || n.compileSlots < 0) fail(`node ${n.node}: compileSlots must be an integer ≥ 0`);
    if (!Array.isArray(n.devices)) fail(`node ${n.node}: expected devices`);
    for (const d of n.devices) if (typeof d?.name !== 'string' || (d.type !== 'cpu' && d.type !== 'gpu')) fail(`node ${n.node}: bad device ${JSON.stringify(d)}`);
  }
  if (!Array.isArray(t.jobs)) return fail('expected jobs, an array');
  const ids = new Set<string>();
  for (const j of t.jobs) {
    if (typeof j?.id !== 'string' || ids.has(j.id)) fail(`job id missing or repeated: ${JSON.stringify(j?.id)}`);
    ids.add(j.id);
    for (const k of ['arrivalMs', 'compileMs', 'measureMs'] as const) {
      if (typeof j[k] !== 'number' || !(j[k] >= 0)) fail(`job ${j.id}: ${k} must be a number ≥ 0`);
    }
    if (typeof j.model !== 'string' || typeof j.sweep !== 'string') fail(`job ${j.id}: model and sweep must be strings`);
    if (j.device !== 'cpu' && j.device !== 'gpu') fail(`job ${j.id}: device must be cpu or gpu`);
  }
  return { cluster: { nodes }, jobs: t.jobs };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Jobs in arrival order (ties by id). */
function arrivals(trace: Trace): TraceJob[] {
  return [...trace.jobs].sort((a, b) => a.arrivalMs - b.arrivalMs || cmpStr(a.id, b.id));
}

function checkMatchable(trace: Trace, devices: DeviceView[]): void {
  for (const j of trace.jobs) {
    if (unmatchable(j.device, devices)) throw new Error(`scheduler trace: job ${j.id} wants ${j.device}, which no device of the cluster is`);
  }
}

function summarize(scheduler: string, outcomes: JobOutcome[], compiles: number, deviceBusyMs: number): SimResult {
  const jobs = [...outcomes].sort((a, b) => cmpStr(a.id, b.id));
  const jct = jobs.map((j) => j.jctMs);
  const first = Math.min(...jobs.map((j) => j.arrivalMs));
  const last = Math.max(...jobs.map((j) => j.finishMs));
  return {
    scheduler,
    jobs,
    meanJctMs: jct.length ? jct.reduce((s, x) => s + x, 0) / jct.length : NaN,
    p95JctMs: percentile(jct, 95),
    makespanMs: jobs.length ? last - first : 0,
    compiles,
    deviceBusyMs,
  };
}

/** A timed event queue: pops every event of the earliest time at once, in insertion order. */
class Timeline<E> {
  private events: { at: number; seq: number; e: E }[] = [];
  private seq = 0;
  push(at: number, e: E): void {
    this.events.push({ at, seq: this.seq++, e });
  }
  get size(): number {
    return this.events.length;
  }
  nextAt(): number {
    let t = Infinity;
    for (const ev of this.events) if (ev.at < t) t = ev.at;
    return t;
  }
  popAt(t: number): E[] {
    const due = this.events.filter((ev) => ev.at === t).sort((a, b) => a.seq - b.seq);
    this.events = this.events.filter((ev) => ev.at !== t);
    return due.map((ev) => ev.e);
  }
}

/**
 * A measure queue driven by the scheduler workflow's own state changes (workflows/scheduler/state.ts: requests
 * queue, `grantLeases` places them with the policy, releases free devices), with every node registered at 0 and
 * never dying. Shared by both schedulers.
 */
class MeasureTier {
  private readonly state: SchedulerState = initialState('sim', 0);
  private readonly byRequest = new Map<string, TraceJob>();
  readonly devices: DeviceView[];
  busyMs = 0;

  constructor(trace: Trace, private readonly agingWeight: number) {
    for (const n of trace.cluster.nodes) {
      registerNode(
        this.state,
        {
          cluster: 'sim',
          node: n.node,
          incarnation: n.node,
          hardware: { hostname: n.node, cpuModel: '', cores: 0, memoryBytes: 0, gpus: [], providers: [] },
          devices: n.devices.map((d) => ({ name: d.name, type: d.type, cores: [] })),
          sentAt: 0,
        },
        0,
      );
    }
    this.devices = deviceViews(this.state);
  }

  enqueue(job: TraceJob, now: number, order: QueueOrder, expectedMs: number, preferNodes: string[]): void {
    requestLease(this.state, { requestId: job.id, workflowId: job.id, device: job.device, expectedMs, order, preferNodes, avoid: [] }, now);
    this.byRequest.set(job.id, job);
  }

  /** Places what can be placed now; returns [job, deviceKey] per grant. */
  dispatch(now: number): [TraceJob, string][] {
    return grantLeases(this.state, now, this.agingWeight).map(({ grant }) => [this.byRequest.get(grant.requestId)!, deviceKey(grant.node, grant.device)]);
  }

  /** The measurement on `key` ended at `now`: its device is free. */
  release(key: string, now: number): void {
    const lease = this.state.leases[key];
    this.busyMs += now - lease.grantedAt;
    releaseLease(this.state, { requestId: lease.requestId, outcome: 'done' }, now);
  }
}

/** The single-tier baseline: FIFO, a device held from compile start to measurement end, no cache. */
export function simulateSingleTier(trace: Trace): SimResult {
  const tier = new MeasureTier(trace, DEFAULT_AGING_WEIGHT);
  checkMatchable(trace, tier.devices);
  const queue = arrivals(trace);
  let nextArrival = 0;
  const timeline = new Timeline<{ job: TraceJob; deviceKey: string; start: number }>();
  const outcomes: JobOutcome[] = [];
  while (nextArrival < queue.length || timeline.size > 0) {
    const t = Math.min(nextArrival < queue.length ? queue[nextArrival].arrivalMs : Infinity, timeline.nextAt());
    for (const done of timeline.popAt(t)) {
      tier.release(done.deviceKey, t);
      outcomes.push({
        id: done.job.id, arrivalMs: done.job.arrivalMs, readyMs: done.start, deviceStartMs: done.start, finishMs: t,
        jctMs: t - done.job.arrivalMs, deviceKey: done.deviceKey, compiled: true,
      });
    }
    while (nextArrival < queue.length && queue[nextArrival].arrivalMs === t) {
      const job = queue[nextArrival++];
      tier.enqueue(job, t, 'fifo', job.compileMs + job.measureMs, []);
    }
    for (const [job, deviceKey] of tier.dispatch(t)) timeline.push(t + job.compileMs + job.measureMs, { job, deviceKey, start: t });
  }
  return summarize('single-tier', outcomes, trace.jobs.length, tier.busyMs);
}

interface CompileTask {
  model: string;
  compileMs: number;
  /** Jobs waiting for this compile (the first one asked for it). */
  jobs: TraceJob[];
}

type TwoTierEvent = { kind: 'compiled'; task: CompileTask; node: string } | { kind: 'measured'; job: TraceJob; deviceKey: string; start: number };

/** servebench's two tiers: compile slots + content cache, then the measure queue placed by `place`. */
export function simulateTwoTier(trace: Trace, opts: TwoTierOptions = {}): SimResult {
  const order = opts.order ?? 'sef';
  const cache = opts.cache ?? true;
  const tier = new MeasureTier(trace, opts.agingWeight ?? DEFAULT_AGING_WEIGHT);
  checkMatchable(trace, tier.devices);
  const freeSlots = new Map(trace.cluster.nodes.map((n) => [n.node, n.compileSlots]));
  if (trace.jobs.length > 0 && [...freeSlots.values()].every((s) => s === 0)) throw new Error('scheduler trace: no compile slots in the cluster');
  const queue = arrivals(trace);
  let nextArrival = 0;
  const timeline = new Timeline<TwoTierEvent>();
  const compileQueue: CompileTask[] = [];
  /** Model → node holding its artifact (cached) or the task compiling it (queued or running). */
  const cached = new Map<string, string>();
  const compiling = new Map<string, CompileTask>();
  const ready = new Map<string, number>();
  const compiledFor = new Set<string>();
  const outcomes: JobOutcome[] = [];
  let compiles = 0;

  const becomeReady = (job: TraceJob, t: number, node: string | undefined): void => {
    ready.set(job.id, t);
    tier.enqueue(job, t, order, job.measureMs, node ? [node] : []);
  };

  while (nextArrival < queue.length || timeline.size > 0) {
    const t = Math.min(nextArrival < queue.length ? queue[nextArrival].arrivalMs : Infinity, timeline.nextAt());
    for (const ev of timeline.popAt(t)) {
      if (ev.kind === 'compiled') {
        freeSlots.set(ev.node, freeSlots.get(ev.node)! + 1);
        if (cache) {
          cached.set(ev.task.model, ev.node);
          compiling.delete(ev.task.model);
        }
        for (const job of ev.task.jobs) becomeReady(job, t, ev.node);
      } else {
        tier.release(ev.deviceKey, t);
        outcomes.push({
          id: ev.job.id, arrivalMs: ev.job.arrivalMs, readyMs: ready.get(ev.job.id)!, deviceStartMs: ev.start, finishMs: t,
          jctMs: t - ev.job.arrivalMs, deviceKey: ev.deviceKey, compiled: compiledFor.has(ev.job.id),
        });
      }
    }
    while (nextArrival < queue.length && queue[nextArrival].arrivalMs === t) {
      const job = queue[nextArrival++];
      const hit = cache ? cached.get(job.model) : undefined;
      const inFlight = cache ? compiling.get(job.model) : undefined;
      if (hit !== undefined) becomeReady(job, t, hit);
      else if (inFlight) inFlight.jobs.push(job);
      else {
        const task: CompileTask = { model: job.model, compileMs: job.compileMs, jobs: [job] };
        compiledFor.add(job.id);
        compileQueue.push(task);
        if (cache) compiling.set(job.model, task);
      }
    }
    // Compile tier: FIFO, each task to the node with the most free slots (ties: node order).
    while (compileQueue.length > 0) {
      let node: string | undefined;
      let most = 0;
      for (const n of trace.cluster.nodes) {
        const free = freeSlots.get(n.node)!;
        if (free > most) {
          most = free;
          node = n.node;
        }
      }
      if (node === undefined) break;
      const task = compileQueue.shift()!;
      freeSlots.set(node, most - 1);
      compiles++;
      timeline.push(t + task.compileMs, { kind: 'compiled', task, node });
    }
    for (const [job, deviceKey] of tier.dispatch(t)) timeline.push(t + job.measureMs, { kind: 'measured', job, deviceKey, start: t });
  }
  const name = `two-tier(${order}${cache ? ', cache' : ', no cache'})`;
  return summarize(name, outcomes, compiles, tier.busyMs);
}
