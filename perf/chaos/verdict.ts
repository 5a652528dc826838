/**
 * The pure half of `npm run chaos`: when a job counts as moving again after a fault, each fault's recovery time,
 * and the verdict on the results database's rows. No I/O: the chaos run gathers the facts, this judges them.
 *
 * "Moving" (what recovery times measure to): the first moment, at or after the fault ended, at which the Temporal
 * server records progress of the affected job by a live worker:
 * - an activity attempt of the job that started at or after that moment (a worker took the work up again), or
 * - an activity of the job completing, or the job's workflow completing.
 * Heartbeats do not count, nor does an attempt that started before the fault ended: a record waiting for a
 * locked database beats while it waits, and that is not progress. A fault ends when it is inflicted (a kill, a
 * server restart: its restart time counts) or, for one that lasts (a held lock), when it is lifted.
 */

export type MoveKind = 'attempt-started' | 'activity-completed' | 'workflow-completed';

/** One step of progress of a job, with the Temporal server's time for it. */
export interface Move {
  jobId: string;
  atMs: number;
  kind: MoveKind;
  /** Activity type, for the report (absent for the workflow). */
  activity?: string;
}

export interface Fault {
  name: string;
  /** When it was inflicted. */
  startMs: number;
  /** When it was lifted (equal to startMs for a kill or a restart). */
  endMs: number;
  /** The jobs it hit; an empty list means it found nothing to hit (the fault did not happen). */
  jobs: string[];
  /** What else to print on its line (pids, ports, hold time). */
  note?: string;
}

export interface Recovery {
  fault: Fault;
  /** From the fault's end to the last affected job's first move; null when some affected job never moved. */
  recoveryMs: number | null;
  /** Per affected job, its first move (null: none). */
  firstMoves: Record<string, Move | null>;
}

/** The job's first move at or after `sinceMs`. */
export function firstMoveAfter(moves: Move[], jobId: string, sinceMs: number): Move | null {
  let best: Move | null = null;
  for (const m of moves) if (m.jobId === jobId && m.atMs >= sinceMs && (best === null || m.atMs < best.atMs)) best = m;
  return best;
}

export function recovery(fault: Fault, moves: Move[]): Recovery {
  const firstMoves: Record<string, Move | null> = {};
  for (const job of fault.jobs) firstMoves[job] = firstMoveAfter(moves, job, fault.endMs);
  const firsts = Object.values(firstMoves);
  const recoveryMs = firsts.length === 0 || firsts.some((m) => m === null) ? null : Math.max(...firsts.map((m) => m!.atMs - fault.endMs));
  return { fault, recoveryMs, firstMoves };
}

/**
 * Attempts of an activity as the history shows them: the started event of an attempt that then completed is a
 * move; so is the completion. Written from the history by the caller as plain events.
 */
export interface HistoryEvent {
  type: 'scheduled' | 'started' | 'completed' | 'failed' | 'timed-out' | 'workflow-completed' | 'other';
  atMs: number;
  eventId: number;
  /** For started/completed/failed/timed-out: the scheduled event it belongs to. */
  scheduledEventId?: number;
  /** For scheduled: the activity type. */
  activity?: string;
}

/**
 * Moves in one job's history. A started event is written when its attempt ends, so only attempts that completed
 * count (one that timed out was a dead worker's); the completion counts too, and the workflow's.
 */
export function movesFromHistory(jobId: string, events: HistoryEvent[]): Move[] {
  const activityOf = new Map<number, string>();
  const completed = new Set<number>();
  for (const e of events) {
    if (e.type === 'scheduled' && e.activity) activityOf.set(e.eventId, e.activity);
    if (e.type === 'completed' && e.scheduledEventId !== undefined) completed.add(e.scheduledEventId);
  }
  const moves: Move[] = [];
  for (const e of events) {
    if (e.type === 'workflow-completed') moves.push({ jobId, atMs: e.atMs, kind: 'workflow-completed' });
    if (e.scheduledEventId === undefined) continue;
    const activity = activityOf.get(e.scheduledEventId);
    if (e.type === 'completed') moves.push({ jobId, atMs: e.atMs, kind: 'activity-completed', activity });
    if (e.type === 'started' && completed.has(e.scheduledEventId)) moves.push({ jobId, atMs: e.atMs, kind: 'attempt-started', activity });
  }
  return moves;
}

/** The rows of the results database the verdict needs. */
export interface JobRow {
  jobId: string;
  status: string;
}
export interface RunRow {
  jobId: string;
  /** Requests that failed during the run (a server killed under it answers none). */
  errors: number;
}

export interface Verdict {
  jobsPlanned: number;
  /** Planned jobs without exactly one completed job row and at least one run row. */
  lost: string[];
  /** Planned jobs with more than one job row or run row, and rows of jobs that were not planned. */
  duplicated: string[];
  /** Jobs whose single run holds failed requests: a measurement of a broken server is not a result. */
  damaged: string[];
}

export function verdict(planned: string[], jobs: JobRow[], runs: RunRow[]): Verdict {
  const count = <T extends { jobId: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.jobId, [...(m.get(r.jobId) ?? []), r]);
    return m;
  };
  const jobRows = count(jobs);
  const runRows = count(runs);
  const plannedSet = new Set(planned);
  const lost: string[] = [];
  const duplicated: string[] = [];
  const damaged: string[] = [];
  for (const id of planned) {
    const j = jobRows.get(id) ?? [];
    const r = runRows.get(id) ?? [];
    if (j.length > 1 || r.length > 1) duplicated.push(id);
    else if (j.length === 0 || j[0].status !== 'completed' || r.length === 0) lost.push(id);
    else if (r[0].errors > 0) damaged.push(id);
  }
  for (const id of new Set([...jobRows.keys(), ...runRows.keys()])) if (!plannedSet.has(id)) duplicated.push(id);
  return { jobsPlanned: planned.length, lost, duplicated, damaged };
}

export interface Report {
  verdict: Verdict;
  recoveries: Recovery[];
  /** Faults the run meant to inflict: one that found nothing to hit is a failed chaos run, not a pass. */
  faultsPlanned: string[];
  /** Recovery target: a slower recovery fails the run. */
  targetMs: number;
}

const seconds = (ms: number | null) => (ms === null ? 'never' : (ms / 1000).toFixed(1));

/** The lines `npm run chaos` ends with, `chaos_ok=` last, and whether it passed. */
export function reportLines(r: Report): { lines: string[]; ok: boolean } {
  const { verdict: v, recoveries } = r;
  const inflicted = new Set(recoveries.filter((x) => x.fault.jobs.length > 0).map((x) => x.fault.name));
  const missing = r.faultsPlanned.filter((f) => !inflicted.has(f));
  const times = recoveries.filter((x) => x.fault.jobs.length > 0).map((x) => x.recoveryMs);
  const max = times.length === 0 ? null : times.some((t) => t === null) ? null : Math.max(...(times as number[]));
  const lines = [
    `jobs_planned=${v.jobsPlanned}`,
    `jobs_lost=${v.lost.length}${v.lost.length ? ` (${v.lost.join(', ')})` : ''}`,
    `jobs_duplicated=${v.duplicated.length}${v.duplicated.length ? ` (${v.duplicated.join(', ')})` : ''}`,
    `jobs_damaged=${v.damaged.length}${v.damaged.length ? ` (${v.damaged.join(', ')})` : ''}`,
    ...recoveries.map((x) => {
      const jobs = x.fault.jobs.length ? x.fault.jobs.join(',') : 'none hit';
      const moves = Object.entries(x.firstMoves).map(([, m]) => (m ? `${m.kind}${m.activity ? `:${m.activity}` : ''}` : 'none'));
      return `fault ${x.fault.name}: recovery_s=${x.fault.jobs.length ? seconds(x.recoveryMs) : 'n/a'} jobs=${jobs}${moves.length ? ` moved_by=${moves.join(',')}` : ''}${x.fault.note ? ` ${x.fault.note}` : ''}`;
    }),
    `faults_missing=${missing.length}${missing.length ? ` (${missing.join(', ')})` : ''}`,
    `recovery_s_max=${seconds(max)}`,
    `recovery_target_s=${seconds(r.targetMs)}`,
  ];
  const ok = v.lost.length === 0 && v.duplicated.length === 0 && v.damaged.length === 0 && missing.length === 0 && max !== null && max <= r.targetMs;
  lines.push(`chaos_ok=${ok ? 1 : 0}`);
  return { lines, ok };
}
