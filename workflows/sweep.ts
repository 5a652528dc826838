/**
 * A sweep: validate and expand the config (an activity, so the plan is fixed in history), then run each job as
 * a child benchmark workflow, a bounded number at a time, and keep progress visible to the CLI and the UI.
 *
 * Durable at any size: before the history grows long the sweep drains its window and continues as new,
 * carrying only the brief outcome of finished jobs; started again under the same id after it ended (failed,
 * cancelled, terminated), it skips the jobs the results database holds as completed.
 */
import {
  CancellationScope,
  continueAsNew,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { briefSummary, summarizeOutcome, type JobSummary } from '../activities/job-summary';
import { applyPatch } from '../configs/patch';
import type { PlanSweepInput, SweepRow } from '../activities/types';
import { leader } from './activities';
import { benchmarkWorkflow, type Scheduling } from './benchmark';
import { JOBS_DONE, JOBS_FAILED, JOBS_TOTAL, SWEEP_NAME, SWEEP_STATUS } from './search-attributes';
import { sweepStatus } from './sweep-status';
import { jobStageSignal, progressQuery, type SweepProgress } from './signals';

export interface SweepInput extends Omit<PlanSweepInput, 'sweepId'> {
  /** two-tier (default) or the single-tier baseline of perf:scheduler. */
  scheduling?: Scheduling;
  /** Children in flight at once (default 8). */
  parallelism?: number;
  /** Continue as new after this many history events (default 8,000; the server's limit is 51,200). */
  historyLimit?: number;
  /** Set by continue-as-new only. */
  carried?: SweepCarry;
}

/** What a sweep carries into its next run: plain JSON. */
export interface SweepCarry {
  startedAt: string;
  finished: JobSummary[];
  runs: number;
}

export const SWEEP_MEMO = 'servebench';
export type SweepMemo = Pick<SweepRow, 'name' | 'config' | 'jobsTotal' | 'startedAt'>;

export interface SweepResult {
  sweepId: string;
  name: string;
  /** Every job of the sweep in plan order, in brief (the full outcomes are in the results database). */
  jobs: JobSummary[];
  /** Workflow runs the sweep took (continue-as-new). */
  runs: number;
}

const DEFAULT_PARALLELISM = 8;
/**
 * Above this many jobs a sweep keeps brief summaries (no parameters or figures; those are in the results
 * database), so what it carries through continue-as-new and returns stays far below the 2 MB payload limit.
 */
export const DETAILED_SUMMARY_LIMIT = 500;

function describeProgress(p: SweepProgress): string {
  const stages: Record<string, number> = {};
  for (const stage of Object.values(p.active)) stages[stage] = (stages[stage] ?? 0) + 1;
  const running = Object.entries(stages).map(([stage, n]) => `${n} ${stage}`).join(', ');
  return `**${p.name}**: ${p.status}, ${p.done}/${p.total} jobs done${p.failed ? `, ${p.failed} failed` : ''}${running ? `; running: ${running}` : ''}`;
}
const DEFAULT_HISTORY_LIMIT = 8_000;

export async function sweepWorkflow(input: SweepInput): Promise<SweepResult> {
  const { carried, scheduling, parallelism = DEFAULT_PARALLELISM, historyLimit = DEFAULT_HISTORY_LIMIT, ...planInput } = input;
  const sweepId = workflowInfo().workflowId;
  const progress: SweepProgress = { sweepId, name: '', status: 'planning', total: 0, done: 0, failed: 0, active: {} };
  setHandler(progressQuery, () => progress);
  setHandler(jobStageSignal, ({ jobId, stage }) => {
    if (jobId in progress.active) {
      progress.active[jobId] = stage;
      setCurrentDetails(describeProgress(progress));
    }
  });

  const plan = await leader.planSweep({ ...planInput, sweepId });
  const detailed = plan.jobs.length <= DETAILED_SUMMARY_LIMIT;
  const finished = new Map<string, JobSummary>();
  const keep = (s: JobSummary) => finished.set(s.jobId, detailed ? s : briefSummary(s));
  // A fresh start under an id that ran before resumes: completed jobs are not measured again.
  for (const s of carried?.finished ?? (await leader.finishedJobs(sweepId))) keep(s);
  const count = () => {
    progress.done = finished.size;
    progress.failed = [...finished.values()].filter((s) => s.status === 'failed').length;
  };
  Object.assign(progress, { name: plan.name, total: plan.jobs.length, status: 'running' });
  count();
  const row: SweepRow = {
    sweepId,
    name: plan.name,
    status: 'running',
    jobsTotal: plan.jobs.length,
    jobsDone: progress.done,
    jobsFailed: progress.failed,
    config: plan.config,
    startedAt: carried?.startedAt ?? new Date().toISOString(),
  };
  const publish = () => {
    upsertSearchAttributes([
      { key: SWEEP_NAME, value: plan.name },
      { key: SWEEP_STATUS, value: progress.status },
      { key: JOBS_DONE, value: progress.done },
      { key: JOBS_TOTAL, value: progress.total },
      { key: JOBS_FAILED, value: progress.failed },
    ]);
    // "Current details" in the Temporal UI.
    setCurrentDetails(describeProgress(progress));
  };
  publish();
  if (!carried) {
    // What `servebench rebuild` needs to restore the sweep's row if the results file is lost.
    upsertMemo({ [SWEEP_MEMO]: { name: row.name, config: row.config, jobsTotal: row.jobsTotal, startedAt: row.startedAt } satisfies SweepMemo });
    await leader.recordSweep(row);
  }

  const todo = plan.jobs.filter((j) => !finished.has(j.jobId));
  let next = 0;
  // Stop starting children once the history is long; the ones in flight finish in this run.
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;
  const runNext = async (): Promise<void> => {
    while (next < todo.length && !historyFull()) {
      const { patch, ...planned } = todo[next++];
      const job = { ...planned, config: applyPatch(plan.config, patch) };
      progress.active[job.jobId] = 'queued';
      const outcome = await executeChild(benchmarkWorkflow, {
        workflowId: job.jobId,
        args: [{ sweepId, job, scheduling }],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        typedSearchAttributes: [{ key: SWEEP_NAME, value: plan.name }],
      });
      keep(summarizeOutcome(outcome));
      delete progress.active[job.jobId];
      count();
      publish();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallelism, todo.length) }, runNext));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // `servebench cancel`: children are cancelled with the sweep (they give their leases back); say so.
    await CancellationScope.nonCancellable(async () => {
      progress.status = 'cancelled';
      publish();
      await leader.recordSweep({ ...row, status: 'cancelled', jobsDone: progress.done, jobsFailed: progress.failed, finishedAt: new Date().toISOString() });
    });
    throw err;
  }

  const runs = carried?.runs ?? 1;
  if (next < todo.length) {
    // Every child of this run has finished (Promise.all above): nothing is in flight to lose.
    const carry: SweepCarry = { startedAt: row.startedAt, finished: [...finished.values()], runs: runs + 1 };
    await continueAsNew<typeof sweepWorkflow>({ ...input, carried: carry });
  }

  progress.status = sweepStatus({ execution: 'COMPLETED', jobsTotal: plan.jobs.length, jobsFailed: progress.failed });
  publish();
  await leader.recordSweep({ ...row, status: progress.status, jobsDone: progress.done, jobsFailed: progress.failed, finishedAt: new Date().toISOString() });
  return { sweepId, name: plan.name, jobs: plan.jobs.map((j) => finished.get(j.jobId)!), runs };
}
