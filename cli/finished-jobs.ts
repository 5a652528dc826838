/**
 * The jobs of a sweep that finished (completed or failed), from the benchmark workflows Temporal holds: what
 * `run` summarizes when the sweep was cancelled and so returned no result of its own.
 */
import type { Client } from '@temporalio/client';
import { summarizeOutcome, type JobSummary } from '../activities/job-summary';
import type { JobOutcome } from '../activities/types';
import { listWorkflows } from './temporal-client';

const VISIBILITY_WAIT_MS = 5_000;

/** `atLeast`: jobs known to have finished (the last progress seen); visibility may lag them by a moment. */
export async function finishedJobSummaries(client: Client, sweepId: string, atLeast = 0): Promise<JobSummary[]> {
  const query = `WorkflowType = 'benchmarkWorkflow' AND ParentWorkflowId = '${sweepId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Completed'`;
  const deadline = Date.now() + VISIBILITY_WAIT_MS;
  let found = await listWorkflows(client, query);
  while (found.length < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    found = await listWorkflows(client, query);
  }
  const outcomes = await Promise.all(found.map((w) => client.workflow.getHandle(w.workflowId, w.runId).result() as Promise<JobOutcome>));
  return outcomes.map(summarizeOutcome).sort((a, b) => a.index - b.index || a.repeat - b.repeat);
}
