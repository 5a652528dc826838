/**
 * Watching the sweep from outside, through Temporal only (describe, visibility, history), so a fault can be timed
 * into the phase it is meant for, and every job's moves (verdict.ts) can be read back afterwards.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { movesFromHistory, type HistoryEvent, type Move } from './verdict';

export interface PendingActivity {
  jobId: string;
  activity: string;
  attempt: number;
  /** Server time the current attempt started; null while it waits for a worker. */
  startedMs: number | null;
  /**
   * Last heartbeat details the server has. Not a live view: the SDK sends a beat on to the server at most every
   * 80% of the heartbeat timeout, so a short measurement's server-side details stay those of its first beat.
   */
  details: unknown;
  /** pid of the worker process running it (its identity is `pid@host`), or null. */
  workerPid: number | null;
  /** For CHAOS_DEBUG=1: the server's view of the attempt. */
  trace: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);

export class SweepWatch {
  /** Attempts seen running, as moves (a started attempt is only in the history once it ends). */
  readonly seen: Move[] = [];
  /** Jobs whose workflow has closed. */
  readonly closed = new Set<string>();

  constructor(private readonly client: Client) {}

  /** Benchmark workflows running now (visibility). */
  async runningJobs(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const w of this.client.workflow.list({ query: `WorkflowType = 'benchmarkWorkflow' AND ExecutionStatus = 'Running'` })) ids.push(w.workflowId);
    } catch {
      // the server is restarting: nothing known
    }
    return ids;
  }

  /** The job's pending activities now ([] when the server does not answer). */
  async pending(jobId: string): Promise<PendingActivity[]> {
    let raw;
    try {
      const d = await this.client.workflow.getHandle(jobId).describe();
      if (d.status.name !== 'RUNNING') this.closed.add(jobId);
      raw = d.raw;
    } catch {
      return [];
    }
    const out = (raw.pendingActivities ?? []).map((a): PendingActivity => {
      const payload = a.heartbeatDetails?.payloads?.[0];
      const pid = /^(\d+)@/.exec(a.lastWorkerIdentity ?? '')?.[1];
      return {
        jobId,
        activity: a.activityType?.name ?? '',
        attempt: a.attempt ?? 1,
        startedMs: a.lastStartedTime ? tsToMs(a.lastStartedTime) : null,
        details: payload ? safeDecode(payload) : undefined,
        workerPid: pid ? Number(pid) : null,
        trace: [
          `state=${a.state}`,
          `attempt=${a.attempt}`,
          a.scheduledTime ? `scheduled=${iso(tsToMs(a.scheduledTime))}` : '',
          a.lastStartedTime ? `started=${iso(tsToMs(a.lastStartedTime))}` : '',
          a.lastHeartbeatTime ? `beat=${iso(tsToMs(a.lastHeartbeatTime))}` : '',
          a.lastWorkerIdentity ? `worker=${a.lastWorkerIdentity}` : '',
          a.lastFailure?.message ? `last_failure=${JSON.stringify(a.lastFailure.message)}` : '',
        ]
          .filter(Boolean)
          .join(' '),
      };
    });
    for (const a of out) if (a.startedMs !== null) this.seen.push({ jobId, atMs: a.startedMs, kind: 'attempt-started', activity: a.activity });
    return out;
  }

  /** Polls running jobs until `pick` returns something for one of their pending activities. */
  async until<T>(what: string, pick: (a: PendingActivity) => T | undefined, opts: { timeoutMs: number; intervalMs?: number; jobs?: () => Promise<string[]> }): Promise<T | null> {
    const deadline = Date.now() + opts.timeoutMs;
    while (Date.now() < deadline) {
      for (const job of await (opts.jobs ?? (() => this.runningJobs()))()) {
        for (const a of await this.pending(job)) {
          const hit = pick(a);
          if (hit !== undefined) return hit;
        }
      }
      await sleep(opts.intervalMs ?? 250);
    }
    return null;
  }

  /** Moves of one job from its history, plus the attempts seen running. */
  async moves(jobId: string): Promise<Move[]> {
    const events: HistoryEvent[] = [];
    try {
      const history = await this.client.workflow.getHandle(jobId).fetchHistory();
      for (const e of history.events ?? []) {
        const base = { atMs: e.eventTime ? tsToMs(e.eventTime) : 0, eventId: Number(e.eventId ?? 0) };
        if (e.activityTaskScheduledEventAttributes) events.push({ ...base, type: 'scheduled', activity: e.activityTaskScheduledEventAttributes.activityType?.name ?? '' });
        else if (e.activityTaskStartedEventAttributes) events.push({ ...base, type: 'started', scheduledEventId: Number(e.activityTaskStartedEventAttributes.scheduledEventId) });
        else if (e.activityTaskCompletedEventAttributes) events.push({ ...base, type: 'completed', scheduledEventId: Number(e.activityTaskCompletedEventAttributes.scheduledEventId) });
        else if (e.activityTaskFailedEventAttributes) events.push({ ...base, type: 'failed', scheduledEventId: Number(e.activityTaskFailedEventAttributes.scheduledEventId) });
        else if (e.activityTaskTimedOutEventAttributes) events.push({ ...base, type: 'timed-out', scheduledEventId: Number(e.activityTaskTimedOutEventAttributes.scheduledEventId) });
        else if (e.workflowExecutionCompletedEventAttributes) events.push({ ...base, type: 'workflow-completed' });
      }
    } catch {
      // not started, or the server is away: only what was seen
    }
    return [...movesFromHistory(jobId, events), ...this.seen.filter((m) => m.jobId === jobId)];
  }

  /** Waits until each job has moved at or after `sinceMs` (or the timeout); polls their pending attempts meanwhile. */
  async waitMoved(jobIds: string[], sinceMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const left = new Set(jobIds);
    const traced = new Set<string>();
    while (left.size > 0 && Date.now() < deadline) {
      for (const job of [...left]) {
        for (const a of await this.pending(job)) {
          const line = `${job} ${a.activity} ${a.trace}`;
          if (process.env.CHAOS_DEBUG && !traced.has(line)) process.stderr.write(`[chaos:debug] ${iso(Date.now())} ${line}\n`);
          traced.add(line);
        }
        if ((await this.moves(job)).some((m) => m.atMs >= sinceMs)) left.delete(job);
      }
      if (left.size > 0) await sleep(250);
    }
    return left.size === 0;
  }
}

function safeDecode(payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0]): unknown {
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
}
