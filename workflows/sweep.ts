/**
 * A sweep: validate and expand the config (an activity, so the plan is fixed in history), then run each job as
 * a child benchmark workflow, a bounded number at a time, and keep progress visible to the CLI and the UI.
 */
import { executeChild, setHandler, upsertMemo, upsertSearchAttributes, workflowInfo, ParentClosePolicy } from '@temporalio/workflow';
import type { JobOutcome, PlanSweepInput, SweepRow } from '../activities/types';
import { leader } from './activities';
import { benchmarkWorkflow } from './benchmark';
import { JOBS_DONE, JOBS_TOTAL, SWEEP_NAME, SWEEP_STATUS } from './search-attributes';
import { jobStageSignal, progressQuery, type SweepProgress } from './signals';

export type SweepInput = Omit<PlanSweepInput, 'sweepId'>;

export const SWEEP_MEMO = 'servebench';
export type SweepMemo = Pick<SweepRow, 'name' | 'config' | 'jobsTotal' | 'startedAt'>;

export interface SweepResult {
  sweepId: string;
  name: string;
  jobs: JobOutcome[];
}

/** Children in flight at once; the device queues serialise measurements, this bounds history and compile overlap. */
const PARALLELISM = 8;

export async function sweepWorkflow(input: SweepInput): Promise<SweepResult> {
  const sweepId = workflowInfo().workflowId;
  const progress: SweepProgress = { sweepId, name: '', status: 'planning', total: 0, done: 0, failed: 0, active: {} };
  setHandler(progressQuery, () => progress);
  setHandler(jobStageSignal, ({ jobId, stage }) => {
    if (jobId in progress.active) progress.active[jobId] = stage;
  });

  const plan = await leader.planSweep({ ...input, sweepId });
  Object.assign(progress, { name: plan.name, total: plan.jobs.length, status: 'running' });
  const row: SweepRow = {
    sweepId,
    name: plan.name,
    status: 'running',
    jobsTotal: plan.jobs.length,
    jobsDone: 0,
    jobsFailed: 0,
    config: plan.config,
    startedAt: new Date().toISOString(),
  };
  const publish = () =>
    upsertSearchAttributes([
      { key: SWEEP_NAME, value: plan.name },
      { key: SWEEP_STATUS, value: progress.status },
      { key: JOBS_DONE, value: progress.done },
      { key: JOBS_TOTAL, value: progress.total },
    ]);
  publish();
  // What `servebench rebuild` needs to restore the sweep's row if the results file is lost.
  upsertMemo({ [SWEEP_MEMO]: { name: row.name, config: row.config, jobsTotal: row.jobsTotal, startedAt: row.startedAt } satisfies SweepMemo });
  await leader.recordSweep(row);

  const outcomes: JobOutcome[] = new Array(plan.jobs.length);
  let next = 0;
  const runNext = async (): Promise<void> => {
    while (next < plan.jobs.length) {
      const i = next++;
      const job = plan.jobs[i];
      progress.active[job.jobId] = 'queued';
      const outcome = await executeChild(benchmarkWorkflow, {
        workflowId: job.jobId,
        args: [{ sweepId, job }],
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        typedSearchAttributes: [{ key: SWEEP_NAME, value: plan.name }],
      });
      outcomes[i] = outcome;
      delete progress.active[job.jobId];
      progress.done++;
      if (outcome.status === 'failed') progress.failed++;
      publish();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLELISM, plan.jobs.length) }, runNext));

  progress.status = progress.failed === plan.jobs.length ? 'failed' : 'completed';
  publish();
  await leader.recordSweep({
    ...row,
    status: progress.status,
    jobsDone: progress.done,
    jobsFailed: progress.failed,
    finishedAt: new Date().toISOString(),
  });
  return { sweepId, name: plan.name, jobs: outcomes };
}
