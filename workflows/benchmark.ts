/**
 * One job. Two tier (servebench): compile on the cluster tier, then lease a device from the scheduler and only
 * measure there. Single tier (the baseline of perf:scheduler): lease a device first and hold it through an
 * uncached compile and the measurement. A lost device (dead follower) sends the job back to the scheduler for
 * another one. A failed stage ends the job as a recorded failure rather than failing the sweep.
 */
import { ActivityFailure, ApplicationFailure, getExternalWorkflowHandle, isCancellation, setCurrentDetails, sleep, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { JobOutcome, MeasureResult, PlannedJob } from '../activities/types';
import { settingsOf } from '../configs/settings';
import { compileTier, deviceTier, leader } from './activities';
import { invalidConfig, isNonRetryable } from './failures';
import { LeaseClient } from './scheduler/lease-client';
import { deviceKey } from './scheduler/messages';
import { expectedDeviceMs } from './scheduler/policy';
import { jobStageSignal, type JobStage } from './signals';

/** `two-tier-fifo`: two tier with an arrival-order measure queue (perf:scheduler's ablation of the order). */
export type Scheduling = 'two-tier' | 'two-tier-fifo' | 'single-tier';

export interface BenchmarkInput {
  sweepId: string;
  job: PlannedJob;
  /** Default two-tier. */
  scheduling?: Scheduling;
}

/** Devices one job may be placed on before it is recorded as failed. */
const MAX_PLACEMENTS = 3;

export async function benchmarkWorkflow({ sweepId, job, scheduling = 'two-tier' }: BenchmarkInput): Promise<JobOutcome> {
  const parent = workflowInfo().parent;
  const report = async (stage: JobStage, where = '') => {
    setCurrentDetails(`stage: **${stage}**${where}`);
    // Progress for the sweep's live view; losing one update is harmless, so failures are ignored. Not waited for:
    // the next command (the compile, the measurement on a granted device) then goes out in the same workflow task
    // instead of a round trip later (perf:sweep-scale). The commands and their order are those of histories
    // recorded when it was waited for, so they replay (test/unit/workflow-replay.test.ts).
    if (parent) void getExternalWorkflowHandle(parent.workflowId).signal(jobStageSignal, { jobId: job.jobId, stage }).catch(() => undefined);
  };
  const outcome: JobOutcome = { sweepId, job, status: 'completed' };
  try {
    if (scheduling !== 'single-tier') {
      await report('compile');
      outcome.compile = await compileTier(job.config).compile({ jobId: job.jobId, config: job.config });
    }
    outcome.measure = await onLeasedDevice(job, scheduling, outcome, report);
  } catch (err) {
    if (isCancellation(err)) throw err;
    outcome.status = 'failed';
    outcome.error = describeFailure(err);
  }
  await report('record');
  await leader.recordJob(outcome);
  return outcome;
}

/** Lease a device, (single tier: compile there,) measure, give the device back; again elsewhere if it was lost. */
async function onLeasedDevice(job: PlannedJob, scheduling: Scheduling, outcome: JobOutcome, report: (s: JobStage, where?: string) => Promise<void>): Promise<MeasureResult> {
  const { config } = job;
  const s = settingsOf(config);
  const leases = new LeaseClient(config.target.cluster);
  const expectedMs = expectedDeviceMs({
    mode: s.mode,
    warmupMs: s.warmupMs,
    durationMs: s.progressive?.stepDurationMs ?? s.durationMs,
    steps: s.progressive?.maxSteps,
  });
  const avoid: string[] = [];
  // A placement after a lost device keeps the job's place in the scheduler's queue.
  const waitingSince = Date.now();
  let lastError: unknown;
  for (let placement = 1; placement <= MAX_PLACEMENTS; placement++) {
    await report('waiting');
    const grant = await leases.acquire({
      device: config.target.device,
      expectedMs,
      order: scheduling === 'two-tier' ? 'sef' : 'fifo',
      preferNodes: outcome.compile ? [outcome.compile.node] : [],
      avoid,
      waitingSince,
    });
    if (grant.error) throw invalidConfig(grant.error);
    await report('measure', ` on ${grant.node}/${grant.device} (placement ${placement})`);
    outcome.measureAttempts = placement;
    const device = deviceTier(config, grant.node, grant.device);
    try {
      if (scheduling === 'single-tier') outcome.compile = await device.compileOnDevice({ jobId: job.jobId, config });
      // The follower gives the device back as the measurement ends; the release below repeats it (a no-op then),
      // and is the only one after a failure (its outcome matters) or from a follower that could not signal.
      const measured = await device.measure({ jobId: job.jobId, config, artifact: outcome.compile!.artifact, lease: { cluster: config.target.cluster, requestId: grant.requestId } });
      await leases.release(grant.requestId, 'done');
      return { ...measured, attempt: placement };
    } catch (err) {
      if (isCancellation(err)) {
        await leases.release(grant.requestId, 'cancelled');
        throw err;
      }
      const lost = err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
      await leases.release(grant.requestId, lost ? 'lost' : 'failed');
      if (isNonRetryable(err)) throw err;
      avoid.push(deviceKey(grant.node, grant.device));
      lastError = err;
      if (!lost) await sleep('2 seconds');
    }
  }
  throw lastError;
}

/** The innermost message of a failure chain: what actually went wrong, for the user. */
function describeFailure(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof TimeoutFailure) return `${e.message} (${MAX_PLACEMENTS} devices tried)`;
  if (e instanceof ApplicationFailure && e.cause?.message) return `${e.message}: ${e.cause.message}`;
  return e instanceof Error ? e.message : String(e);
}
