/**
 * `npm run perf:sweep-scale`: a 1,000-job sweep of tiny jobs through the whole stack (Temporal dev server,
 * leader, a follower with devices cpu0 and cpu1, the scheduler, DuckDB), to show that a sweep of that size
 * completes with every workflow under Temporal's history limits (51,200 events / 50 MB per run): the sweep
 * continues as new, the scheduler too when it must.
 *
 * Tiny job: 100 ms measured at concurrency 1..10 against one built-in server shared as `serving.endpoint` (so
 * the jobs measure rather than start servers); the model is still compiled (once: the rest are cache hits).
 * Orchestration overhead: `overhead_per_job_s` is the device-time a job cost (wall time × devices / jobs) minus
 * the time it measured, and the `hist_*` lines say where a job's time went (from a sample of the benchmark
 * workflows' histories: queueing and running of each activity, the lease wait, workflow tasks, signals); the
 * `handover_*` lines split a device's idle time between two measurements (release and grant, the next job's
 * workflow task, the device queue), from every job's history.
 * Host noise (load average, CPU steal over the run) and the CPU each process used are printed beside them.
 * Knobs: PERF_SCALE_JOBS (1000; a multiple of 10), PERF_SCALE_SAMPLE (jobs whose history is read, 50),
 * PERF_SCALE_HANDOVER_JOBS (jobs whose history the hand-over split reads, 1000).
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal as proto } from '@temporalio/proto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../analysis/db';
import { compileModel, type GenerateSpec } from '../activities/compile';
import { spawnServer } from '../activities/serve/server-process';
import { LEADER_QUEUE } from '../workflows/queues';
import { schedulerWorkflowId } from '../workflows/scheduler/messages';
import type { sweepWorkflow } from '../workflows/sweep';
import { startLocalWorkers } from '../workers/local-workers';
import { installWorkerLogging } from '../workers/logging';
import { startPerfTemporal } from './temporal';

const say = (line: string) => process.stderr.write(`[perf] ${line}\n`);
const MODEL = '{ family: mlp, layers: 2, hidden: 16, inputShape: [8], dtype: float32, seed: 4 }';

async function runs(client: Client, workflowId: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) out.push(info);
  return out;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fix = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'nan');

/** CPU ticks of /proc/stat's first line: total and steal. */
function cpuTicks(): { total: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}
const loadavg1 = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** CPU seconds (user + system) of a process from /proc/<pid>/stat; with `reaped`, its waited-for children too. */
function procCpuS(pid: number | 'self', reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // Fields 14-17 of proc(5): utime stime cutime cstime, here at 11..14.
    return (f[11] + f[12] + (reaped ? f[13] + f[14] : 0)) / 100;
  } catch {
    return 0;
  }
}
/** Live children of this process (the dev server, the shared model server), by pid. */
function childPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const comm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};

type HistoryEvent = proto.api.history.v1.IHistoryEvent;

/** Where one benchmark workflow's time went, in seconds, from its history. */
function jobTimings(events: HistoryEvent[]): Record<string, number> {
  const t = (e: HistoryEvent) => tsToMs(e.eventTime) / 1000;
  const byId = new Map(events.map((e) => [String(e.eventId), e]));
  const out: Record<string, number> = { total: t(events[events.length - 1]) - t(events[0]), wft: 0, wft_s: 0, signals_out: 0 };
  for (const e of events) {
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const sched = byId.get(String(started.scheduledEventId))!;
      const name = sched.activityTaskScheduledEventAttributes!.activityType!.name!;
      out[`${name}_queue`] = (out[`${name}_queue`] ?? 0) + t(e) - t(sched);
    }
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (done) {
      const sched = byId.get(String(done.scheduledEventId))!;
      const start = byId.get(String(done.startedEventId));
      const name = sched.activityTaskScheduledEventAttributes!.activityType!.name!;
      out[`${name}_run`] = (out[`${name}_run`] ?? 0) + t(e) - (start ? t(start) : t(sched));
    }
    const wftDone = e.workflowTaskCompletedEventAttributes;
    if (wftDone) {
      out.wft++;
      out.wft_s += t(e) - t(byId.get(String(wftDone.scheduledEventId))!);
    }
    if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) out.signals_out++;
  }
  // The lease wait: the request signal sent → the grant signal received.
  const request = events.find((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'requestLease');
  const grant = events.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leaseGranted');
  if (request && grant) out.lease_wait = t(grant) - t(request);
  return out;
}

/** One job's measurement as the device hand-over sees it (server times, seconds). */
interface Handover {
  device: string;
  scheduled: number;
  started: number;
  closed: number;
  /** The workflow's release signal sent after the measurement. */
  released?: number;
  /** The grant received (the last before the measurement was scheduled). */
  granted?: number;
}

function handoverOf(events: HistoryEvent[]): Handover | undefined {
  const t = (e: HistoryEvent) => tsToMs(e.eventTime) / 1000;
  const sched = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'measure');
  if (!sched) return undefined;
  const id = String(sched.eventId);
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const closed = events.find((e) => String((e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes)?.scheduledEventId) === id);
  if (!started || !closed) return undefined;
  const grants = events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leaseGranted' && t(e) <= t(sched));
  const release = events.find((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName === 'releaseLease' && t(e) >= t(closed));
  return {
    device: sched.activityTaskScheduledEventAttributes!.taskQueue!.name!,
    scheduled: t(sched),
    started: t(started),
    closed: t(closed),
    released: release ? t(release) : undefined,
    granted: grants.length ? t(grants[grants.length - 1]) : undefined,
  };
}

/**
 * The idle time of a device between two measurements, split where it goes: the release and the scheduler (the
 * previous measurement closed → the next job's grant received), the next job's workflow task (grant →
 * measurement scheduled) and the device queue (scheduled → started). `workflow_release`: the previous job's own
 * release signal after its measurement closed (its workflow task; on the critical path unless the follower
 * released the device first). Grant and workflow task count only for next jobs already waiting at the close.
 */
function handoverGaps(all: Handover[]): Record<string, number[]> {
  const out: Record<string, number[]> = { total: [], to_grant: [], grant_wft: [], queue: [], workflow_release: [] };
  const byDevice = new Map<string, Handover[]>();
  for (const h of all) byDevice.set(h.device, [...(byDevice.get(h.device) ?? []), h]);
  for (const list of byDevice.values()) {
    list.sort((a, b) => a.started - b.started);
    for (let i = 1; i < list.length; i++) {
      const [prev, next] = [list[i - 1], list[i]];
      out.total.push(next.started - prev.closed);
      out.queue.push(next.started - next.scheduled);
      if (prev.released !== undefined) out.workflow_release.push(prev.released - prev.closed);
      if (next.granted === undefined || next.scheduled <= prev.closed) continue;
      out.to_grant.push(Math.max(0, next.granted - prev.closed));
      out.grant_wft.push(next.scheduled - Math.max(next.granted, prev.closed));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const jobs = Number(process.env.PERF_SCALE_JOBS ?? 1000);
  const home = mkdtempSync(join(tmpdir(), 'sb-perf-scale-'));
  installWorkerLogging(join(home, 'logs'), 'WARN');
  const temporal = await startPerfTemporal(home);
  const { client } = temporal;
  const artifact = await compileModel({ model: { generate: { family: 'mlp', layers: 2, hidden: 16, inputShape: [8], dtype: 'float32', seed: 4 } as GenerateSpec }, graphOptimization: 'all' }, { cacheDir: join(home, 'shared') });
  const model = await spawnServer({ modelPath: artifact.path, modelName: artifact.modelName, instances: 1, intraOpThreads: 1, interOpThreads: 1 });
  const local = await startLocalWorkers({
    target: { address: temporal.address, namespace: 'default' },
    cluster: 'scale',
    node: 'scalenode',
    devices: ['cpu0', 'cpu1'],
    resultsFile: join(home, 'results.duckdb'),
    cacheDir: join(home, 'artifacts'),
  });
  try {
    const yaml = `name: scale
model:
  generate: ${MODEL}
serving: { endpoint: ${model.url}, model: ${artifact.modelName} }
workload: { mode: concurrency, concurrency: 1, warmup: 0s, duration: 100ms }
target: { cluster: scale, device: cpu }
sweep:
  workload.concurrency: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
repeat: ${jobs / 10}
`;
    say(`sweep of ${jobs} jobs on a two-device cluster (dev server ${temporal.address})`);
    const ticks0 = cpuTicks();
    const load0 = loadavg1();
    const cpu0 = new Map(childPids().map((pid) => [pid, procCpuS(pid)]));
    const self0 = procCpuS('self', true);
    const loads: number[] = [load0];
    const t0 = Date.now();
    const handle = await client.workflow.start<typeof sweepWorkflow>('sweepWorkflow', { taskQueue: LEADER_QUEUE, workflowId: 'scale-sweep', args: [{ configYaml: yaml }] });
    const timer = setInterval(() => {
      void handle.describe().then(
        (d) => say(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${d.searchAttributes.ServebenchJobsDone?.[0] ?? 0}/${jobs} jobs`),
        () => undefined,
      );
    }, 30_000);
    const loadTimer = setInterval(() => loads.push(loadavg1()), 5_000);
    const result = await handle.result().finally(() => {
      clearInterval(timer);
      clearInterval(loadTimer);
    });
    const wallS = (Date.now() - t0) / 1000;
    loads.push(loadavg1());
    const ticks1 = cpuTicks();
    const selfCpuS = procCpuS('self', true) - self0;
    const childCpu = [...cpu0.keys()].map((pid) => ({ name: comm(pid), s: procCpuS(pid) - cpu0.get(pid)! }));

    const sweepRuns = await runs(client, 'scale-sweep');
    // Visibility has the closed runs' lengths; the open run's comes from describe.
    const schedulerRuns = await runs(client, schedulerWorkflowId('scale'));
    const schedulerNow = (await client.workflow.getHandle(schedulerWorkflowId('scale')).describe()).historyLength;
    const db = await query(
      join(home, 'results.duckdb'),
      `select count(*) as jobs, count(distinct job_id) as distinct_jobs, count(*) filter (where status = 'completed') as completed,
              (select count(*) from runs) as runs, (select avg(measured_ms) from runs) as measured_ms,
              (select count(distinct device) from jobs) as devices from jobs`,
    );
    // Where the time went: a sample of the jobs' histories, spread over the sweep.
    const sampleSize = Math.min(jobs, Number(process.env.PERF_SCALE_SAMPLE ?? 50));
    const timings: Record<string, number>[] = [];
    for (let i = 0; i < sampleSize; i++) {
      const { jobId } = result.jobs[Math.floor((i * jobs) / sampleSize)];
      timings.push(jobTimings((await client.workflow.getHandle(jobId).fetchHistory()).events ?? []));
    }
    const keys = [...new Set(timings.flatMap((x) => Object.keys(x)))].sort();
    // The device hand-over: every job's measurement (histories of all jobs, read PERF_SCALE_HANDOVER_JOBS at most).
    const handovers: Handover[] = [];
    const handoverJobs = Math.min(jobs, Number(process.env.PERF_SCALE_HANDOVER_JOBS ?? 1000));
    for (const { jobId } of result.jobs.slice(0, handoverJobs)) {
      const h = handoverOf((await client.workflow.getHandle(jobId).fetchHistory()).events ?? []);
      if (h) handovers.push(h);
    }
    const gaps = handoverGaps(handovers);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const handover = [`handover_count=${gaps.total.length}`, ...Object.entries(gaps).flatMap(([k, xs]) => [`handover_${k}_s=${fix(median(xs))}`, `handover_${k}_mean_s=${fix(mean(xs))}`])];
    const hist = keys.map((k) => `hist_${k}=${fix(median(timings.map((x) => x[k] ?? 0)), k === 'wft' || k === 'signals_out' ? 0 : 3)}`);
    const benchmarkMax = (await client.workflow.getHandle(result.jobs[0].jobId).describe()).historyLength;
    const row = db.rows[0];
    const devices = Number(row.devices);
    const measuredS = Number(row.measured_ms) / 1000;
    const steal = ticks1.total > ticks0.total ? (100 * (ticks1.steal - ticks0.steal)) / (ticks1.total - ticks0.total) : 0;
    const lines = [
      `sweep_jobs=${jobs}`,
      `jobs_completed=${result.jobs.filter((j) => j.status === 'completed').length}`,
      `db_jobs=${row.jobs}`,
      `db_distinct_jobs=${row.distinct_jobs}`,
      `db_runs=${row.runs}`,
      `sweep_runs=${sweepRuns.length}`,
      `sweep_max_history_events=${Math.max(...sweepRuns.map((r) => r.historyLength))}`,
      `sweep_max_history_bytes=${Math.max(...sweepRuns.map((r) => r.historySize ?? 0))}`,
      `scheduler_runs=${schedulerRuns.length}`,
      `scheduler_max_history_events=${Math.max(schedulerNow, ...schedulerRuns.map((r) => r.historyLength))}`,
      `benchmark_history_events=${benchmarkMax}`,
      `wall_s=${wallS.toFixed(1)}`,
      `jobs_per_s=${(jobs / wallS).toFixed(2)}`,
      `devices=${devices}`,
      `measured_per_job_s=${fix(measuredS)}`,
      `device_time_per_job_s=${fix((wallS * devices) / jobs)}`,
      `overhead_per_job_s=${fix((wallS * devices) / jobs - measuredS)}`,
      // Where a job's time went (medians over the sample, seconds; wft and signals_out are counts).
      `hist_sample=${sampleSize}`,
      ...hist,
      // A device's idle time between two measurements, and where it went (medians, seconds).
      ...handover,
      // CPU used per job (seconds): this process (workflows, leader, follower, DuckDB) with its reaped children
      // (load generators, compiles), and each live child (the dev server, the shared model server).
      `cpu_per_job_s_workers=${fix(selfCpuS / jobs)}`,
      ...childCpu.map((c) => `cpu_per_job_s_${c.name.replace(/[^A-Za-z0-9]/g, '_')}=${fix(c.s / jobs)}`),
      `cpu_per_job_s_host_capacity=${fix((wallS * cpus().length) / jobs)}`,
      `loadavg_1m_min=${Math.min(...loads).toFixed(2)}`,
      `loadavg_1m_median=${median(loads).toFixed(2)}`,
      `loadavg_1m_max=${Math.max(...loads).toFixed(2)}`,
      `cpu_steal_pct=${steal.toFixed(1)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await local.stop();
    await model.stop();
    await temporal.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`[perf] ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
