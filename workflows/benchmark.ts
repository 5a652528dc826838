/**
 * One job: compile on the cluster tier, serve + load on the device tier, record on the leader.
 * A failed stage ends the job as a recorded failure rather than failing the sweep.
 */
import { ActivityFailure, ApplicationFailure, getExternalWorkflowHandle, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { JobOutcome, PlannedJob } from '../activities/types';
import { compileTier, deviceTier, leader } from './activities';
import { jobStageSignal, type JobStage } from './signals';

export interface BenchmarkInput {
  sweepId: string;
  job: PlannedJob;
}

export async function benchmarkWorkflow({ sweepId, job }: BenchmarkInput): Promise<JobOutcome> {
  const parent = workflowInfo().parent;
  const report = async (stage: JobStage) => {
    // Progress for the sweep's live view; losing one update is harmless, so failures are ignored.
    if (parent) await getExternalWorkflowHandle(parent.workflowId).signal(jobStageSignal, { jobId: job.jobId, stage }).catch(() => undefined);
  };
  const outcome: JobOutcome = { sweepId, job, status: 'completed' };
  try {
    await report('compile');
    outcome.compile = await compileTier(job.config).compile({ jobId: job.jobId, config: job.config });
    await report('measure');
    outcome.measure = await deviceTier(job.config, outcome.compile.node).measure({
      jobId: job.jobId,
      config: job.config,
      artifact: outcome.compile.artifact,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    outcome.status = 'failed';
    outcome.error = describeFailure(err);
  }
  await report('record');
  await leader.recordJob(outcome);
  return outcome;
}

/** The innermost message of a failure chain: what actually went wrong, for the user. */
function describeFailure(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure && e.cause?.message) return `${e.message}: ${e.cause.message}`;
  return e instanceof Error ? e.message : String(e);
}
