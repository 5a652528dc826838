/**
 * A sweep's status, decided in one place: the sweep workflow publishes it (search attribute, results database),
 * and `status` and `rebuild` derive it from the same facts. Pure, so the workflow can use it.
 */

export type SweepStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface SweepFacts {
  /** The workflow execution's status name (RUNNING, COMPLETED, CANCELLED, FAILED, TERMINATED, ...). */
  execution: string;
  /** Jobs planned and jobs that failed; null where unknown (a sweep recorded before the count was published). */
  jobsTotal: number | null;
  jobsFailed: number | null;
}

/**
 * A sweep whose every job failed has failed, even though its workflow completed; a cancelled one is cancelled;
 * a workflow that failed, was terminated or timed out is a failed sweep.
 */
export function sweepStatus({ execution, jobsTotal, jobsFailed }: SweepFacts): SweepStatus {
  switch (execution) {
    case 'RUNNING':
    case 'CONTINUED_AS_NEW':
      return 'running';
    case 'CANCELLED':
      return 'cancelled';
    case 'COMPLETED':
      return jobsTotal !== null && jobsTotal > 0 && jobsFailed === jobsTotal ? 'failed' : 'completed';
    default:
      return 'failed';
  }
}
