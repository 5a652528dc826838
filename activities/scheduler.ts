/**
 * Leader activities that look at Temporal itself for the scheduler: start it if it is not running, and tell it
 * which lease holders have ended without releasing (terminated or timed-out workflows run no cleanup code).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { LEADER_QUEUE } from '../workflows/queues';
import { schedulerWorkflowId } from '../workflows/scheduler/messages';

const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

/** Starts the cluster's scheduler unless it runs already; returns its workflow id. */
export async function ensureScheduler(client: Client, cluster: string): Promise<string> {
  const workflowId = schedulerWorkflowId(cluster);
  await client.workflow.start('schedulerWorkflow', {
    taskQueue: LEADER_QUEUE,
    workflowId,
    args: [{ cluster }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return workflowId;
}

export function createSchedulerActivities(client: () => Client) {
  return {
    async ensureScheduler(cluster: string): Promise<string> {
      return ensureScheduler(client(), cluster);
    },
    /** The ids among these whose latest run is not running (or that do not exist). */
    async workflowsNotRunning(workflowIds: string[]): Promise<string[]> {
      const ended: string[] = [];
      for (const id of workflowIds) {
        try {
          const d = await client().workflow.getHandle(id).describe();
          if (d.raw.workflowExecutionInfo?.status !== RUNNING) ended.push(id);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) ended.push(id);
          else throw err;
        }
      }
      return ended;
    },
  };
}

export type SchedulerActivities = ReturnType<typeof createSchedulerActivities>;
